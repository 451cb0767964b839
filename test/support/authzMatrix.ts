import type { RequestName } from '@sightline/shared';

/**
 * Who may do what: the documented rules (README, docs/security.md), written by hand, one entry per
 * mounted route and per signalling message. The tests generate their cases from the server's real
 * route table and the shared message list and fail on any route or message without an entry here,
 * so nothing new can be left out; and since these expectations are not read from the server, a
 * loosened check on the server shows as a mismatch.
 */
export type Who =
  | 'dispatcher'
  | 'other dispatcher'
  | 'supervisor'
  | 'caller'
  | 'caller of another'
  | 'viewer'
  | 'no token'
  | 'expired'
  | 'tampered'
  | 'alg none'
  | 'RS256 (confusion)';

export const INVALID: readonly Who[] = ['no token', 'expired', 'tampered', 'alg none', 'RS256 (confusion)'];
export const VALID: readonly Who[] = ['dispatcher', 'other dispatcher', 'supervisor', 'caller', 'caller of another', 'viewer'];
export const EVERYONE: readonly Who[] = [...VALID, ...INVALID];
const STAFF: readonly Who[] = ['dispatcher', 'other dispatcher', 'supervisor'];

export function tokenKind(who: Who): 'staff' | 'caller' | 'viewer' | 'invalid' {
  if (INVALID.includes(who)) return 'invalid';
  if (STAFF.includes(who)) return 'staff';
  return who === 'viewer' ? 'viewer' : 'caller';
}

/** What the fixture made for the requests: the session under test (the dispatcher's) and its parts. */
export interface Fixture {
  sessionId: string;
  /** Another dispatcher's session. */
  otherSessionId: string;
  callerInviteCode: string;
  snapshotName: string;
  recordingName: string;
  /** A demonstration clip in the data directory (show me, issue #15 §1). */
  clipName: string;
  /** A viewer invite nobody redeemed yet (one-time), made on demand. */
  freshViewerInvite(): Promise<string>;
  /** A spoken code for a new session whose invite is still unused, made on demand. */
  freshSpokenCode(): Promise<string>;
  /** The caller invite of a new session of the dispatcher's, not yet redeemed. */
  freshCallerInvite(): Promise<string>;
  /** A new session of the dispatcher's (to end, to record). */
  freshSession(): Promise<string>;
}

export interface RestCase {
  /** Who gets the documented success status; everyone else is refused. */
  allowed: readonly Who[];
  success: number;
  /**
   * The credential the route takes. Invalid tokens, and tokens of another kind, get 401; the right
   * kind without the role or the session gets 403. `signature`: a provider webhook, 403 to any token.
   */
  takes: 'staff' | 'caller' | 'public' | 'signature';
  /** Path parameters, made once for the whole row (everyone tries the same target). */
  target?(fx: Fixture): Promise<Record<string, string>>;
  /** Path parameters, made for each request (one-time things). */
  params?(fx: Fixture): Promise<Record<string, string>> | Record<string, string>;
  body?(fx: Fixture): Promise<unknown> | unknown;
  /** A binary upload instead of JSON. */
  image?: true;
  /** The call spends the staff token it carries (logout): each staff member makes it with a login of its own. */
  ownLogin?: true;
}

const session = (fx: Fixture) => ({ id: fx.sessionId });
const ownerOnly: readonly Who[] = ['dispatcher'];
const lookers: readonly Who[] = ['dispatcher', 'supervisor'];
const supervisorOnly: readonly Who[] = ['supervisor'];
const staff = { takes: 'staff' } as const;

/** Keyed by `METHOD path` as the router has it. */
export const REST: Record<string, RestCase> = {
  'POST /api/auth/login': { allowed: EVERYONE, success: 200, takes: 'public', body: () => ({ username: 'supervisor', password: MATRIX_PASSWORD }) },
  'POST /api/auth/refresh': { ...staff, allowed: STAFF, success: 200 },
  'POST /api/auth/logout': { ...staff, allowed: STAFF, success: 204, ownLogin: true },
  'GET /api/rtp-capabilities': { allowed: EVERYONE, success: 200, takes: 'public' },
  'GET /api/recording-policy': { allowed: EVERYONE, success: 200, takes: 'public' },
  'GET /api/invites/:code': { allowed: EVERYONE, success: 200, takes: 'public', params: (fx) => ({ code: fx.callerInviteCode }) },
  // The page's report that it loaded: anyone holding the link (a previewer does not run the page); spends nothing.
  // An unspent invite each time: a spent one's report is refused (410, test/e2e/invite-refusals.test.ts).
  'POST /api/invites/:code/opened': {
    allowed: EVERYONE,
    success: 204,
    takes: 'public',
    params: async (fx) => ({ code: await fx.freshViewerInvite() }),
    body: () => ({ browser: 'chrome' }),
  },
  'POST /api/invites/:code/redeem': { allowed: EVERYONE, success: 200, takes: 'public', params: async (fx) => ({ code: await fx.freshViewerInvite() }) },
  'POST /api/codes/redeem': { allowed: EVERYONE, success: 200, takes: 'public', body: async (fx) => ({ code: await fx.freshSpokenCode() }) },
  'POST /api/sms/status': { allowed: [], success: 204, takes: 'signature' },
  'POST /api/sessions': { ...staff, allowed: ['dispatcher', 'other dispatcher'], success: 201, body: () => ({ phone: '+4791234567' }) },
  'GET /api/sessions': { ...staff, allowed: STAFF, success: 200 },
  'GET /api/sessions/:id': { ...staff, allowed: lookers, success: 200, params: session },
  'POST /api/sessions/:id/end': { ...staff, allowed: ownerOnly, success: 200, target: async (fx) => ({ id: await fx.freshSession() }) },
  'POST /api/sessions/:id/sms': { ...staff, allowed: ownerOnly, success: 202, params: session },
  'POST /api/sessions/:id/viewers': { ...staff, allowed: ownerOnly, success: 201, params: session, body: () => ({}) },
  'POST /api/sessions/:id/viewers/sms': { ...staff, allowed: ownerOnly, success: 201, params: session, body: () => ({ phone: '+4791234568' }) },
  'GET /api/settings': { ...staff, allowed: STAFF, success: 200 },
  'POST /api/sessions/:id/code': { ...staff, allowed: ownerOnly, success: 201, params: session },
  'POST /api/sessions/:id/snapshots': { ...staff, allowed: ownerOnly, success: 201, params: session, image: true },
  'GET /api/sessions/:id/snapshots': { ...staff, allowed: lookers, success: 200, params: session },
  'GET /api/sessions/:id/snapshots/:name': { ...staff, allowed: lookers, success: 200, params: (fx) => ({ id: fx.sessionId, name: fx.snapshotName }) },
  // Before the tap, on the strength of an unspent caller invite (a browser that cannot stream); spends nothing.
  'POST /api/invites/:code/photos': {
    allowed: EVERYONE,
    success: 201,
    takes: 'public',
    target: async (fx) => ({ code: await fx.freshCallerInvite() }),
    image: true,
  },
  'POST /api/sessions/:id/photos': { allowed: ['caller'], success: 201, takes: 'caller', params: session, image: true },
  // A session of its own: recording is started once per session (a second start is a 409).
  'POST /api/sessions/:id/recording': {
    ...staff,
    allowed: ownerOnly,
    success: 200,
    target: async (fx) => ({ id: await fx.freshSession() }),
    body: () => ({ action: 'start' }),
  },
  'GET /api/sessions/:id/recordings': { ...staff, allowed: lookers, success: 200, params: session },
  'GET /api/sessions/:id/recordings/:name': { ...staff, allowed: supervisorOnly, success: 200, params: (fx) => ({ id: fx.sessionId, name: fx.recordingName }) },
  'POST /api/sessions/:id/recordings/:name/played': {
    ...staff,
    allowed: supervisorOnly,
    success: 204,
    params: (fx) => ({ id: fx.sessionId, name: fx.recordingName }),
  },
  // While live it mints (or reuses) a view-only invite: a side effect, like POST /viewers, but a look, not control.
  'GET /api/sessions/:id/eido': { ...staff, allowed: lookers, success: 200, params: session },
  'GET /api/sessions/:id/verify': { ...staff, allowed: supervisorOnly, success: 200, params: session },
  'GET /api/sessions/:id/export': { ...staff, allowed: supervisorOnly, success: 200, params: session },
  'POST /api/sessions/:id/hold': { ...staff, allowed: supervisorOnly, success: 200, params: session, body: () => ({ hold: false }) },
  'GET /api/audit/access': { ...staff, allowed: supervisorOnly, success: 200 },
  // Show me (issue #15 §1): the centre's clips, for the console's picker and player; no caller data in them.
  'GET /api/clips': { ...staff, allowed: STAFF, success: 200 },
  'GET /api/clips/:name': { ...staff, allowed: STAFF, success: 200, params: (fx) => ({ name: fx.clipName }) },
  // Time-to-video analytics (issue #16 §1): the whole centre's figures, for supervisors only.
  'GET /api/analytics/funnel': { ...staff, allowed: supervisorOnly, success: 200 },
  'GET /api/analytics/sessions.csv': { ...staff, allowed: supervisorOnly, success: 200 },
};

/** Routes outside /api: pages and operations, open to anyone by design (/metrics: loopback only). */
export const OUTSIDE_API: readonly string[] = ['GET /healthz', 'GET /metrics', 'GET /', 'GET /console', 'GET /audit', 'GET /j/:code', 'GET /c'];

export const MATRIX_PASSWORD = 'matrix-password-123';

/** The status a refused request must get: never a 500, never a success. */
export function refusal(c: RestCase, who: Who): number {
  if (c.takes === 'signature') return 403;
  const kind = tokenKind(who);
  if (kind === 'invalid') return 401;
  if (c.takes === 'staff' ? kind !== 'staff' : kind !== c.takes) return 401;
  return 403;
}

/**
 * The pre-tap credential (issue #12: what `POST /api/invites/:code/opened` gives a caller's page that can
 * stream) may send these and nothing else: every other message gets a `forbidden` ack and is a
 * `pretap_refused` security event; `transport:create` only for one send transport (test/e2e/pretap.test.ts).
 */
export const PRETAP_SOCKET: readonly RequestName[] = ['transport:create', 'transport:connect', 'transport:restart-ice', 'transport:close', 'invite:redeem'];

/** Socket messages: who may send each for the session under test. Everyone else gets a `forbidden` ack. */
export const SOCKET: Record<RequestName, readonly Who[]> = {
  'session:join': ['dispatcher', 'supervisor', 'caller', 'viewer'],
  // Only a pre-tap credential (the caller's page before the tap), which none of these hold: PRETAP_SOCKET.
  'invite:redeem': [],
  'transport:create': ['dispatcher', 'supervisor', 'caller', 'viewer'],
  'transport:connect': ['dispatcher', 'supervisor', 'caller', 'viewer'],
  'transport:restart-ice': ['dispatcher', 'supervisor', 'caller', 'viewer'],
  'transport:close': ['dispatcher', 'supervisor', 'caller', 'viewer'],
  'media:produce': ['caller'],
  'media:consume': ['dispatcher', 'supervisor', 'viewer'],
  'media:resume': ['dispatcher', 'supervisor', 'viewer'],
  'media:key-frame': ['dispatcher', 'supervisor', 'viewer'],
  // The console's first-frame report (issue #16 §1): the session's dispatcher only.
  'media:first-frame': ['dispatcher'],
  'caller:camera': ['caller'],
  'caller:media': ['caller'],
  'caller:location': ['caller'],
  'chat:send': ['dispatcher', 'caller', 'viewer'],
  'control:request': ['dispatcher'],
  'control:reply': ['caller'],
  'cpr:mode': ['dispatcher'],
  'cpr:window': ['dispatcher'],
  'cpr:pause': ['dispatcher'],
  'cpr:metronome': ['dispatcher'],
  // Show me (issue #15 §1): only the dispatcher produces the picture (a caller's token is refused at the gate), only the caller receives it.
  'show-me:produce': ['dispatcher'],
  'show-me:receive': ['caller'],
  'show-me:resume': ['caller'],
  'show-me:stop': ['dispatcher'],
  'show-me:close': ['caller'],
  // Last: allowed, it closes the fixture caller's media for good.
  'caller:stop-video': ['caller'],
};
