import {
  metronomeState,
  SESSION_STATUSES,
  type CallerLocation,
  type ChatMessage,
  type JoinResult,
  type ServerToClientEvents,
  type SessionEvent,
  type SessionEventType,
} from '@sightline/shared';
import type { Principal } from '../auth/TokenService.js';

/**
 * What each role is sent of a session (issue #11, item 12): one function per role, used for every
 * socket push and every `session:join` answer (signalling/sessionEvents.ts, handlers/session.ts).
 * Staff get everything but supervisors' looks (SUPERVISOR_ACCESS). A caller and a viewer get only
 * what their pages use, rebuilt field by field (never passed through), so no staff username, viewer
 * label or supervisor access reaches them. An invited viewer (AMK doctor, ambulance crew) also gets
 * the CAD reference, the caller's location and the chat so far (issue #14 §4: they work the same
 * incident); a caller gets none of these. A push added to the shared list must be given a rule for each role here before the
 * server builds.
 */
export type Audience = 'staff' | 'caller' | 'viewer';
export const AUDIENCES: readonly Audience[] = ['staff', 'caller', 'viewer'];

export function audienceOf(p: Principal): Audience {
  // A pre-tap credential joins no channel; were it ever to, it would get no more than the caller.
  return p.typ === 'staff' ? 'staff' : p.typ === 'pretap' ? 'caller' : p.typ;
}

export type PushName = keyof ServerToClientEvents;
export type PushPayload<E extends PushName> = Parameters<ServerToClientEvents[E]>[0];
/** One push: a server-to-client event's name with its payload (shared/src/signalling/messages.ts). */
export type Push<N extends PushName = PushName> = { [E in N]: { name: E; payload: PushPayload<E> } }[N];
/**
 * What the domain may tell a session's clients (SessionService.record's `push`, SessionService.tell).
 * `session:event` and `session:ended` are made from the log itself (signalling/sessionEvents.ts), and
 * `auth:signed-out` goes to a staff login's sockets, not to a session.
 */
export type SessionPush = Push<Exclude<PushName, 'session:event' | 'session:ended' | 'auth:signed-out' | 'session:created'>>;
/** Everything that goes out to a session's clients: the pushes, and the answer to `session:join`. */
export type Outgoing = Push | { name: 'session:join'; payload: JoinResult };
type Rules = { [E in PushName]: (p: PushPayload<E>) => PushPayload<E> | undefined } & { 'session:join': (p: JoinResult) => JoinResult };

/**
 * Session events a caller's or viewer's page may see: where the session stands, and whether it is
 * recorded (the caller is told; client/src/caller/main.ts, `recordingAfter`). Not chat (it comes as
 * `chat:message`), locations, stills, invites, codes, SMS, supervisor access or control details.
 */
const CALLER_EVENTS: ReadonlySet<SessionEventType> = new Set([
  ...SESSION_STATUSES,
  'recording_started',
  'recording_ended',
  'recording_failed',
  'media_paused',
  'media_resumed',
]);
const VIEWER_EVENTS = CALLER_EVENTS;

/** An event reduced to what happened and when, by which role: no details, no username. */
function bare(e: SessionEvent): SessionEvent {
  return { seq: e.seq, type: e.type, at: e.at, actor: roleLabel(e.actor) };
}

/** `dispatcher:alice` → `dispatcher`; `viewer:ab12cd34` → `viewer`; `caller`, `system` stay. */
export function roleLabel(actor: string): string {
  return actor.split(':')[0] ?? 'system';
}

function chat(message: ChatMessage): ChatMessage {
  return { id: message.id, from: message.from, text: message.text, ...(message.presetId && { presetId: message.presetId }), at: message.at };
}

const never = () => undefined;
const same = <T>(p: T) => p;

function restricted(allowed: ReadonlySet<SessionEventType>, extra: Partial<Rules>): Rules {
  const base: Rules = {
    'session:event': ({ sessionId, status, event }) => (allowed.has(event.type) ? { sessionId, status, event: bare(event) } : undefined),
    'session:join': (j) => ({
      sessionId: j.sessionId,
      status: j.status,
      role: j.role,
      routerRtpCapabilities: j.routerRtpCapabilities,
      producers: j.producers,
      events: j.events.filter((e) => allowed.has(e.type)).map(bare),
      ...(j.showMe && { showMe: { producerId: j.showMe.producerId, source: j.showMe.source } }),
    }),
    'session:ended': ({ sessionId, reason }) => ({ sessionId, reason }),
    'session:media-reset': ({ sessionId, reason }) => ({ sessionId, reason }),
    'chat:message': ({ sessionId, message }) => ({ sessionId, message: chat(message) }),
    'media:producer-added': never,
    'media:producer-closed': never,
    'media:video-codecs': never,
    'control:request': never,
    'control:reply': never,
    'caller:location': never,
    'caller:media': never,
    'snapshot:added': never,
    // The spoken code is for the dispatcher to read out on the phone, not for a screen in the session.
    'code:replaced': never,
    // Not a session push: sent to one staff login's own sockets (signalling/socketAuth.ts).
    'auth:signed-out': never,
    'cpr:metronome': never,
    // Not a session push: sent to its dispatcher's own sockets (signalling/sessionEvents.ts).
    'session:created': never,
    // What the dispatcher shows the caller (issue #15 §1): the caller receives it, a viewer sees it too.
    'show-me:changed': ({ sessionId, showMe }) => ({ sessionId, showMe: showMe && { producerId: showMe.producerId, source: showMe.source } }),
  };
  return { ...base, ...extra } as Rules;
}

/**
 * A supervisor's looks at a session (views, playbacks, exports): on its record for the audit, not
 * in the timeline a dispatcher works from during the call (issue #14, part 5). A legal hold is an
 * act on the session, not a look, and stays.
 */
const SUPERVISOR_ACCESS: ReadonlySet<SessionEventType> = new Set(['supervisor_viewed', 'recording_played', 'session_exported']);

const STAFF: Rules = {
  'session:event': (p) => (SUPERVISOR_ACCESS.has(p.event.type) ? undefined : p),
  'session:join': (j) => ({ ...j, events: j.events.filter((e) => !SUPERVISOR_ACCESS.has(e.type)) }),
  'session:ended': same,
  'session:media-reset': same,
  'chat:message': same,
  'media:producer-added': same,
  'media:producer-closed': same,
  'media:video-codecs': same,
  'control:request': same,
  'control:reply': same,
  'caller:location': same,
  'caller:media': same,
  'snapshot:added': same,
  'code:replaced': same,
  'auth:signed-out': same,
  'cpr:metronome': same,
  'session:created': same,
  'show-me:changed': same,
};

const callerBase = restricted(CALLER_EVENTS, {});

/**
 * The caller's page: its status and recording, chat, the dispatcher's camera requests, the codecs to
 * send, the CPR metronome (in the join answer too while it runs, so a reload gets it back).
 */
const CALLER = restricted(CALLER_EVENTS, {
  'control:request': ({ sessionId, action }) => ({ sessionId, action }),
  'media:video-codecs': ({ sessionId, codecs }) => ({ sessionId, codecs }),
  'cpr:metronome': ({ sessionId, on, bpm }) => ({ sessionId, on, bpm }),
  'session:join': (j) => {
    const { on, bpm } = metronomeState(j.events);
    return { ...callerBase['session:join'](j), ...(on && j.status !== 'ended' && { metronome: { on, bpm } }) };
  },
});

/** The caller's last shared location in a session's events, if any. */
function lastLocation(events: readonly SessionEvent[]): CallerLocation | undefined {
  const e = [...events].reverse().find((x) => x.type === 'location' && typeof x.details?.['lat'] === 'number' && typeof x.details?.['lng'] === 'number');
  const d = e?.details;
  return e && d ? { lat: Number(d['lat']), lng: Number(d['lng']), accuracy: Number(d['accuracy'] ?? 0), at: e.at } : undefined;
}

/** The chat in a session's events, oldest first, as the `chat:message` pushes carry it. */
function chatOf(events: readonly SessionEvent[]): ChatMessage[] {
  return events
    .filter((e) => e.type === 'chat' && typeof e.details?.['text'] === 'string')
    .map((e) => {
      const d = e.details!;
      const from = (['dispatcher', 'caller', 'viewer'] as const).find((f) => f === d['from']) ?? 'dispatcher';
      // Logged from a `chat:send` the gate checked, so a preset id in the log is one of the list.
      const presetId = typeof d['presetId'] === 'string' ? (d['presetId'] as ChatMessage['presetId']) : undefined;
      return chat({ id: String(d['id'] ?? `${e.seq}`), from, text: String(d['text']), ...(presetId && { presetId }), at: e.at });
    });
}

const viewerBase = restricted(VIEWER_EVENTS, {});

/**
 * The viewer's page: the video it watches (producers come and go), chat with its history, the CAD
 * reference and the caller's location (with a map link on the page).
 */
const VIEWER = restricted(VIEWER_EVENTS, {
  'media:producer-added': ({ sessionId, producerId, kind, source }) => ({ sessionId, producerId, kind, source }),
  'media:producer-closed': ({ sessionId, producerId }) => ({ sessionId, producerId }),
  'caller:location': ({ sessionId, location: { lat, lng, accuracy, at } }) => ({ sessionId, location: { lat, lng, accuracy, at } }),
  'session:join': (j) => {
    const location = lastLocation(j.events);
    return {
      ...viewerBase['session:join'](j),
      ...(j.incidentRef && { incidentRef: j.incidentRef }),
      ...(location && { location }),
      chat: chatOf(j.events),
    };
  },
});

function project(rules: Rules, m: Outgoing): Outgoing | undefined {
  const payload = (rules[m.name] as (p: unknown) => unknown)(m.payload);
  return payload === undefined ? undefined : ({ name: m.name, payload } as Outgoing);
}

/** What staff get: everything. */
export const forStaff = (m: Outgoing): Outgoing | undefined => project(STAFF, m);
/** What a caller gets; `undefined`: not sent. */
export const forCaller = (m: Outgoing): Outgoing | undefined => project(CALLER, m);
/** What a viewer gets; `undefined`: not sent. */
export const forViewer = (m: Outgoing): Outgoing | undefined => project(VIEWER, m);

export const PROJECTIONS: Record<Audience, (m: Outgoing) => Outgoing | undefined> = { staff: forStaff, caller: forCaller, viewer: forViewer };

/** The join answer for this principal's role. */
export function joinAnswerFor(p: Principal, answer: JoinResult): JoinResult {
  return PROJECTIONS[audienceOf(p)]({ name: 'session:join', payload: answer })!.payload as JoinResult;
}
