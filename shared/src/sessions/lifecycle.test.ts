import { describe, expect, it } from 'vitest';
import { canTransition, recordingAfter, SESSION_EVENT_TYPES } from './lifecycle.js';

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

describe('recordingAfter', () => {
  it('turns recording on with a started segment and off with an ended or failed one, and ignores the rest', () => {
    expect(recordingAfter('recording_started')).toBe(true);
    expect(recordingAfter('recording_ended')).toBe(false);
    expect(recordingAfter('recording_failed')).toBe(false);
    for (const type of SESSION_EVENT_TYPES.filter((t) => !t.startsWith('recording_') || t === 'recording_played')) {
      expect(recordingAfter(type), type).toBeUndefined();
    }
  });
});
