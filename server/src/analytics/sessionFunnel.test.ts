import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURE_CAUSES, SESSION_EVENT_TYPES, type SessionEvent, type SessionEventType } from '@sightline/shared';
import { sessionFunnel } from './sessionFunnel.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');

/** A log from event types, one second apart, as the session service writes them. */
function log(...types: (SessionEventType | [SessionEventType, Record<string, unknown>])[]): SessionEvent[] {
  return types.map((t, i) => {
    const [type, details] = Array.isArray(t) ? t : [t, undefined];
    return { seq: i + 1, type, at: new Date(T0 + i * 1000).toISOString(), actor: 'system', ...(details && { details }) };
  });
}

const CREATED: [SessionEventType, Record<string, unknown>] = ['created', { phone: '+47912*****', language: 'en' }];

describe('sessionFunnel: one session, from its log', () => {
  it('takes the first event of each stage (a resent SMS counts from the first) and the first first_frame', () => {
    const f = sessionFunnel(
      log(
        CREATED,
        'sms_sent',
        'sms_resend',
        'sms_sent',
        'sms_delivered',
        'link_opened',
        'consent_given',
        'camera_granted',
        'live',
        'media_started',
        'first_frame',
        'first_frame',
        'ended',
      ),
    );
    expect(f.reached).toEqual({
      created: T0,
      sms_sent: T0 + 1000,
      sms_delivered: T0 + 4000,
      link_opened: T0 + 5000,
      consent_given: T0 + 6000,
      camera_granted: T0 + 7000,
      first_frame: T0 + 10_000,
    });
    expect(f.outcome).toBe('video');
    expect(f.cause).toBeUndefined();
    expect(f.language).toBe('en');
    expect(f.synthetic).toBe(false);
    expect(f.createdAt).toBe('2026-11-30T10:00:00.000Z');
  });

  it('calls a session without a first frame that has not ended in progress, with no cause', () => {
    const f = sessionFunnel(log(CREATED, 'sms_sent', 'link_opened', 'consent_given', 'camera_granted', 'live', 'media_started'));
    expect(f.outcome).toBe('in_progress');
    expect(f.cause).toBeUndefined();
  });

  it.each([
    ['sms_failed', [CREATED, 'sms_failed', 'ended']],
    ['sms_failed', [CREATED, 'sms_sent', 'sms_failed', 'ended']],
    // A resend after the failure that went out: the caller had the link and did not open it.
    ['never_opened', [CREATED, 'sms_failed', 'sms_resend', 'sms_sent', 'sms_delivered', 'ended']],
    ['never_opened', [CREATED, 'sms_sent', 'sms_delivered', 'ended']],
    ['browser_unsupported', [CREATED, 'sms_sent', 'link_opened', 'browser_unsupported', 'ended']],
    ['consent_declined', [CREATED, 'sms_sent', 'link_opened', 'ended']],
    ['camera_denied', [CREATED, 'sms_sent', 'link_opened', 'consent_given', 'camera_denied', 'ended']],
    // Unsupported in an in-app browser, then consent in a real one: what stopped it is the camera.
    ['camera_denied', [CREATED, 'sms_sent', 'link_opened', 'browser_unsupported', 'consent_given', 'camera_denied', 'ended']],
    ['network_failure', [CREATED, 'sms_sent', 'link_opened', 'consent_given', 'camera_granted', 'live', 'media_started', 'ended']],
    ['network_failure', [CREATED, 'sms_sent', 'link_opened', 'consent_given', 'camera_denied', 'camera_granted', 'reconnecting', 'ended']],
    ['ended_before_video', [CREATED, 'sms_sent', 'link_opened', 'consent_given', 'camera_granted', 'ended']],
    // The camera granted, then nothing until the session timed out idle: the transport never connected.
    ['network_failure', [CREATED, 'sms_sent', 'link_opened', 'consent_given', 'camera_granted', ['ended', { reason: 'idle' }]]],
    ['ended_before_video', [CREATED, 'sms_sent', 'link_opened', 'consent_given', 'ended']],
    ['other', [CREATED, 'sms_sent', 'link_opened', 'consent_given', 'camera_granted', 'live', 'media_started', 'video_stopped', 'ended']],
    // Ended by the service itself (a restart): its failure, never the caller's, whatever stage it had reached.
    ['other', [CREATED, 'sms_sent', 'sms_delivered', ['ended', { reason: 'server_restart' }]]],
    ['other', [CREATED, 'sms_sent', 'link_opened', ['ended', { reason: 'server_restart' }]]],
  ] as const)('puts an ended session without video in %s: %j', (cause, types) => {
    const f = sessionFunnel(log(...(types as unknown as SessionEventType[])));
    expect(f.outcome).toBe('failed');
    expect(f.cause).toBe(cause);
  });

  it('counts a session as synthetic only when its created event says synthetic: true', () => {
    expect(sessionFunnel(log(['created', { synthetic: true }], 'ended')).synthetic).toBe(true);
    expect(sessionFunnel(log(['created', { synthetic: 'yes' }], 'ended')).synthetic).toBe(false);
  });

  it('gives every log exactly one outcome, and a cause exactly when it failed (any order of any events)', () => {
    const anyType = fc.constantFrom(...SESSION_EVENT_TYPES);
    fc.assert(
      fc.property(fc.array(anyType, { maxLength: 30 }), fc.boolean(), (types, ended) => {
        const events = log('created', ...types.filter((t) => t !== 'ended' && t !== 'created'), ...(ended ? (['ended'] as const) : []));
        const f = sessionFunnel(events);
        const hasFrame = types.includes('first_frame');
        expect(f.outcome).toBe(hasFrame ? 'video' : ended ? 'failed' : 'in_progress');
        if (f.outcome === 'failed') expect(FAILURE_CAUSES).toContain(f.cause);
        else expect(f.cause).toBeUndefined();
        for (const [stage, at] of Object.entries(f.reached)) expect(at).toBe(Date.parse(events.find((e) => e.type === stage)!.at));
      }),
    );
  });
});
