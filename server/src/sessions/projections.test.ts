import { SESSION_EVENT_TYPES, type JoinResult, type SessionEvent } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { forCaller, forStaff, forViewer, type Outgoing, type PushName, type PushPayload } from './projections.js';

const at = '2026-01-01T00:00:00.000Z';
const ev = (type: SessionEvent['type'], actor: string, details?: Record<string, unknown>): SessionEvent => ({
  seq: 1,
  type,
  at,
  actor,
  ...(details && { details }),
});
/** Every event type as staff would see it, each with a username and staff-only details in it. */
const everyEvent = SESSION_EVENT_TYPES.map((type) => ev(type, 'dispatcher:alice', { incidentRef: 'CAD-1', label: 'Amb 12', lat: 59.9 }));

/**
 * One of each push to a session, carrying what callers and viewers must not see wherever a payload could
 * hold it. `auth:signed-out` goes to one login's sockets and `session:created` to one dispatcher's, never to a session.
 */
const PUSHES: { [E in Exclude<PushName, 'auth:signed-out' | 'session:created'>]: PushPayload<E> } = {
  'session:event': { sessionId: 's', status: 'live', event: ev('created', 'dispatcher:alice', { incidentRef: 'CAD-1' }) },
  'media:producer-added': { sessionId: 's', producerId: 'p', kind: 'video', source: 'camera' },
  'media:producer-closed': { sessionId: 's', producerId: 'p' },
  'session:ended': { sessionId: 's', reason: 'dispatcher' },
  'session:media-reset': { sessionId: 's', reason: 'media server restarted' },
  'media:video-codecs': { sessionId: 's', codecs: ['video/VP8'] },
  'chat:message': { sessionId: 's', message: { id: 'm', from: 'viewer', text: 'hello', at, ...{ actor: 'viewer:ab12', username: 'alice' } } },
  'control:request': { sessionId: 's', action: 'flip' },
  'control:reply': { sessionId: 's', action: 'flip', outcome: 'done' },
  'caller:location': { sessionId: 's', location: { lat: 59.9, lng: 10.7, accuracy: 5, at } },
  'caller:media': { sessionId: 's', paused: true, facing: 'user' },
  'snapshot:added': { sessionId: 's', snapshot: { name: 'x.jpg', at, source: 'dispatcher', bytes: 1 } },
  'code:replaced': { sessionId: 's', code: '424242', expiresAt: at },
  'cpr:metronome': { sessionId: 's', on: true, bpm: 110 },
  'show-me:changed': { sessionId: 's', showMe: { producerId: 'sm', source: 'cpr-hands', ...{ username: 'alice' } } },
};
const join: JoinResult = { sessionId: 's', status: 'live', role: 'caller', routerRtpCapabilities: {}, producers: [], events: everyEvent };
const all: Outgoing[] = [...Object.entries(PUSHES).map(([name, payload]) => ({ name, payload }) as Outgoing), { name: 'session:join', payload: join }];
const sent = (project: (m: Outgoing) => Outgoing | undefined) => all.map(project).filter((m): m is Outgoing => m !== undefined);
const names = (project: (m: Outgoing) => Outgoing | undefined) =>
  sent(project)
    .map((m) => m.name)
    .sort();

describe('projections per role', () => {
  it('gives staff everything as it is, but supervisor accesses', () => {
    const access = new Set(['supervisor_viewed', 'recording_played', 'session_exported']);
    for (const m of all) {
      if (m.name !== 'session:join') expect(forStaff(m)).toEqual(m);
    }
    const answer = forStaff({ name: 'session:join', payload: join })!.payload as JoinResult;
    expect(answer).toEqual({ ...join, events: everyEvent.filter((e) => !access.has(e.type)) });
  });

  it("keeps supervisor accesses out of the dispatcher's live timeline (issue #14, part 5): the audit log holds them", () => {
    for (const type of ['supervisor_viewed', 'recording_played', 'session_exported'] as const) {
      expect(forStaff({ name: 'session:event', payload: { sessionId: 's', status: 'ended', event: ev(type, 'supervisor:sue') } }), type).toBeUndefined();
    }
    const hold = { name: 'session:event', payload: { sessionId: 's', status: 'ended', event: ev('legal_hold', 'supervisor:sue', { hold: true }) } } as const;
    expect(forStaff(hold)).toEqual(hold);
  });

  for (const [role, project] of [
    ['caller', forCaller],
    ['viewer', forViewer],
  ] as const) {
    it(`gives a ${role} no username, CAD reference from event details, label or supervisor access, in any push or join answer`, () => {
      const text = JSON.stringify(sent(project));
      for (const secret of ['alice', 'CAD-1', 'Amb 12', 'supervisor', 'ab12', '424242']) expect(text, secret).not.toContain(secret);
    });

    it(`gives a ${role} session events bare (type, time, role), and only where the session stands or its recording`, () => {
      const answer = project({ name: 'session:join', payload: join })!.payload as JoinResult;
      expect(answer.events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['created', 'live', 'ended', 'recording_started', 'recording_ended', 'recording_failed']),
      );
      for (const hidden of [
        'chat',
        'location',
        'supervisor_viewed',
        'recording_played',
        'session_exported',
        'viewer_invited',
        'code_issued',
        'snapshot',
        'legal_hold',
        'sms_status',
      ]) {
        expect(answer.events.map((e) => e.type)).not.toContain(hidden);
      }
      for (const e of answer.events) expect(e).toEqual({ seq: 1, type: e.type, at, actor: 'dispatcher' });
      expect(project({ name: 'session:event', payload: { sessionId: 's', status: 'live', event: ev('supervisor_viewed', 'supervisor:bob') } })).toBeUndefined();
    });

    it(`shows a ${role} who wrote a chat message by role only`, () => {
      const out = project({ name: 'chat:message', payload: PUSHES['chat:message'] })!.payload as PushPayload<'chat:message'>;
      expect(out).toEqual({ sessionId: 's', message: { id: 'm', from: 'viewer', text: 'hello', at } });
    });
  }

  it('sends a caller its status, chat, the camera requests, the codecs to send and the CPR metronome, nothing else', () => {
    expect(names(forCaller)).toEqual([
      'chat:message',
      'control:request',
      'cpr:metronome',
      'media:video-codecs',
      'session:ended',
      'session:event',
      'session:join',
      'session:media-reset',
      'show-me:changed',
    ]);
  });

  it('gives a caller the running metronome in its join answer (a reloaded page gets it back), and nothing once it is off or the session over', () => {
    const metronome = (on: boolean) => ev('cpr_metronome', 'dispatcher:alice', { on, bpm: 110 });
    const answer = (events: SessionEvent[], status: JoinResult['status'] = 'live') =>
      forCaller({ name: 'session:join', payload: { ...join, status, events } })!.payload as JoinResult;
    expect(answer([metronome(true)]).metronome).toEqual({ on: true, bpm: 110 });
    expect(JSON.stringify(answer([metronome(true)]))).not.toContain('alice');
    expect(answer([metronome(true), metronome(false)])).not.toHaveProperty('metronome');
    expect(answer([metronome(true), ev('ended', 'dispatcher:alice')], 'ended')).not.toHaveProperty('metronome');
    expect(answer([])).not.toHaveProperty('metronome');
    expect(forViewer({ name: 'session:join', payload: { ...join, role: 'viewer', events: [metronome(true)] } })!.payload).not.toHaveProperty('metronome');
  });

  it('gives the caller and a viewer what the dispatcher shows (issue #15 §1), field by field, in pushes and the join answer', () => {
    for (const project of [forCaller, forViewer]) {
      expect(project({ name: 'show-me:changed', payload: PUSHES['show-me:changed'] })?.payload).toEqual({
        sessionId: 's',
        showMe: { producerId: 'sm', source: 'cpr-hands' },
      });
      expect(project({ name: 'show-me:changed', payload: { sessionId: 's', showMe: null } })?.payload).toEqual({ sessionId: 's', showMe: null });
      const showMe = { producerId: 'sm', source: 'camera' as const, ...{ username: 'alice' } };
      expect((project({ name: 'session:join', payload: { ...join, showMe } })!.payload as JoinResult).showMe).toEqual({ producerId: 'sm', source: 'camera' });
    }
  });

  it('gives a caller no location, not even its own back', () => {
    expect(JSON.stringify(sent(forCaller))).not.toContain('59.9');
  });

  it("gives a viewer the CAD reference, the caller's last location and the chat so far in its join answer (issue #14 §4); a caller none of them", () => {
    const events = [
      ev('chat', 'dispatcher:alice', { id: 'm1', from: 'dispatcher', text: 'Is he breathing?', presetId: undefined }),
      ev('location', 'caller', { lat: 59.91, lng: 10.75, accuracy: 12 }),
      ev('chat', 'caller', { id: 'm2', from: 'caller', text: 'No' }),
      ev('location', 'caller', { lat: 59.92, lng: 10.76, accuracy: 8 }),
    ];
    const payload: JoinResult = { ...join, role: 'viewer', incidentRef: 'CAD-7', events };
    const answer = forViewer({ name: 'session:join', payload })!.payload as JoinResult;
    expect(answer.incidentRef).toBe('CAD-7');
    expect(answer.location).toEqual({ lat: 59.92, lng: 10.76, accuracy: 8, at });
    expect(answer.chat).toEqual([
      { id: 'm1', from: 'dispatcher', text: 'Is he breathing?', at },
      { id: 'm2', from: 'caller', text: 'No', at },
    ]);
    expect(JSON.stringify(answer)).not.toContain('alice');
    const callers = forCaller({ name: 'session:join', payload: { ...payload, role: 'caller' } })!.payload as JoinResult;
    expect(callers).not.toHaveProperty('incidentRef');
    expect(callers).not.toHaveProperty('location');
    expect(callers).not.toHaveProperty('chat');
    expect(forViewer({ name: 'caller:location', payload: PUSHES['caller:location'] })?.payload).toEqual(PUSHES['caller:location']);
  });

  it('sends a viewer its status, chat, the caller location and the video to watch', () => {
    expect(names(forViewer)).toEqual([
      'caller:location',
      'chat:message',
      'media:producer-added',
      'media:producer-closed',
      'session:ended',
      'session:event',
      'session:join',
      'session:media-reset',
      'show-me:changed',
    ]);
  });
});
