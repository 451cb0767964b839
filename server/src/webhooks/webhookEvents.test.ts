import { SESSION_EVENT_TYPES, type SessionEvent } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { webhookOf } from './webhookEvents.js';

const ev = (type: SessionEvent['type'], details?: Record<string, unknown>, seq = 7): SessionEvent => ({
  seq,
  type,
  at: '2026-12-01T06:00:00.000Z',
  actor: 'dispatcher:alice',
  ...(details && { details }),
});
const session = { id: 's_abc', incidentRef: 'CAD-9' };

describe('webhookOf', () => {
  it('makes the five event types of issue #16 from the log, and nothing from the rest', () => {
    expect(webhookOf(ev('created'), session)).toEqual({
      type: 'session.created',
      timestamp: '2026-12-01T06:00:00.000Z',
      data: { sessionId: 's_abc', seq: 7, incidentRef: 'CAD-9', status: 'created' },
    });
    expect(webhookOf(ev('live'), session, 'camera_granted')?.data).toMatchObject({ status: 'live', previousStatus: 'camera_granted' });
    expect(webhookOf(ev('ended', { reason: 'dispatcher' }), session)).toMatchObject({ type: 'session.ended', data: { status: 'ended', reason: 'dispatcher' } });
    expect(webhookOf(ev('recording_ended', { name: 'segment-0001.mkv', bytes: 10, durationSec: 4.2 }), session)).toMatchObject({
      type: 'recording.ready',
      data: { name: 'segment-0001.mkv', bytes: 10, durationSec: 4.2 },
    });
    expect(webhookOf(ev('photo_uploaded', { name: 'p.jpg', bytes: 5 }), session)).toMatchObject({ type: 'snapshot.saved', data: { source: 'caller' } });
    const made = SESSION_EVENT_TYPES.filter((t) => webhookOf(ev(t), session));
    expect(made).not.toContain('chat');
    expect(made).not.toContain('location');
    expect(made).not.toContain('supervisor_viewed');
  });

  it('carries no phone number, username, token or location, whatever the event details hold', () => {
    const secrets = { phone: '+4791234567', to: '+4791234567', token: 'eyJhbGciOi', lat: 59.91, username: 'alice', reason: 'dispatcher' };
    const all = SESSION_EVENT_TYPES.map((t) => webhookOf(ev(t, secrets), session)).filter(Boolean);
    const text = JSON.stringify(all);
    for (const s of ['4791234567', 'eyJhbGciOi', '59.91', 'alice']) expect(text, s).not.toContain(s);
  });
});
