import type { SessionEvent, SessionEventType } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { stepsOf } from './LifecycleStepper.js';

const events = (...types: SessionEventType[]): SessionEvent[] => types.map((type, seq) => ({ seq, type, at: new Date(0).toISOString(), actor: 'system' }));
const summary = (types: SessionEventType[]) => stepsOf(events(...types)).map((s) => `${s.id}:${s.state}${s.note ? `:${s.note}` : ''}`);

describe('stepsOf', () => {
  it('reads "SMS ✓ · Opened ✓ · Camera ✗ blocked" off the events', () => {
    expect(summary(['created', 'sms_sent', 'link_opened', 'consent_given', 'camera_denied'])).toEqual([
      'sms:done',
      'opened:done',
      'started:done',
      'camera:failed:blocked',
      'live:pending',
    ]);
  });

  it('says the SMS failed until the caller gets in anyway (a spoken code)', () => {
    expect(summary(['created', 'sms_failed'])[0]).toBe('sms:failed:failed');
    expect(summary(['created', 'sms_failed', 'code_redeemed'])[0]).toBe('sms:done');
  });

  it('takes the latest of a blocked then allowed camera', () => {
    expect(summary(['created', 'sms_sent', 'sms_delivered', 'link_opened', 'consent_given', 'camera_denied', 'camera_granted', 'live'])).toEqual([
      'sms:done:delivered',
      'opened:done',
      'started:done',
      'camera:done',
      'live:done',
    ]);
  });
});
