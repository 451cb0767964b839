import { describe, expect, it } from 'vitest';
import { canTransition } from './lifecycle.js';

describe('session lifecycle', () => {
  it('moves forward along the happy path', () => {
    expect(canTransition('created', 'sms_sent')).toBe(true);
    expect(canTransition('sms_sent', 'link_opened')).toBe(true);
    expect(canTransition('consent_given', 'camera_granted')).toBe(true);
    expect(canTransition('camera_granted', 'live')).toBe(true);
  });

  it('ignores stale transitions such as a late SMS delivery report', () => {
    expect(canTransition('live', 'sms_delivered')).toBe(false);
    expect(canTransition('link_opened', 'sms_sent')).toBe(false);
  });

  it('alternates live and reconnecting, and never leaves ended', () => {
    expect(canTransition('live', 'reconnecting')).toBe(true);
    expect(canTransition('reconnecting', 'live')).toBe(true);
    expect(canTransition('ended', 'live')).toBe(false);
    expect(canTransition('live', 'ended')).toBe(true);
  });

  it('lets a caller grant the camera after first denying it', () => {
    expect(canTransition('camera_denied', 'camera_granted')).toBe(true);
  });
});
