import { z } from '../zod.js';
import { freeText } from '../text.js';
import type { ErrorCode, GoneReason } from '../api/errors.js';
import type { SessionEvent, SessionStatus } from '../sessions/lifecycle.js';
import { BROWSER_FAMILIES, CALLER_PLATFORMS } from '../sessions/browser.js';
import { sessionIdSchema } from '../sessions/sessionId.js';
import { CPR_PAUSE_MIN_SECONDS, CPR_QUALITIES, CPR_RATE_RANGE } from '../sessions/cpr.js';
import { showMeSourceSchema, type ShowMe } from '../showMe.js';

/**
 * Every client-to-server signalling message, as one zod schema each. The server validates each payload
 * against its schema at one gate before any handler runs; the client imports the same names, so a
 * renamed message breaks the build on both ends.
 *
 * WebRTC parameter blobs (DTLS, RTP) are checked for shape and size here; mediasoup checks their meaning.
 */
const id = z.string().min(1).max(64);

/** What a dispatcher can ask of the caller's camera. */
export const CONTROL_ACTIONS = ['flip', 'torch_on', 'torch_off'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** Preset chat phrases: shown to the caller in their own language (the caller page translates by id). */
export const CHAT_PRESET_IDS = ['hold_steady', 'move_closer', 'show_face', 'show_chest', 'turn_on_light', 'help_coming', 'stay_on_phone'] as const;
export type ChatPresetId = (typeof CHAT_PRESET_IDS)[number];
const sessionId = sessionIdSchema;
const mediaKind = z.enum(['audio', 'video']);

const dtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.strictObject({ algorithm: z.string().max(16), value: z.string().max(256) }))
    .min(1)
    .max(8),
});

/**
 * Codec parameters and the CNAME travel on into SDP (the recorder's, issue #11 item 8): one token of
 * printable ASCII each, no space, no `;` (the fmtp separator), no line break. Browsers' own values
 * (`profile-level-id=42e01f`, a base64 CNAME, Firefox's `{uuid}`) all fit.
 */
const sdpToken = /^[!-:<-~]*$/;
const codecParameters = z
  .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/), z.union([z.number(), z.string().max(256).regex(sdpToken)]))
  .refine((p) => Object.keys(p).length <= 32, 'at most 32 codec parameters');

const rtpCodec = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/[A-Za-z0-9._-]{1,32}$/),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().positive().max(1_000_000),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: codecParameters.optional(),
});

const rtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(rtpCodec).min(1).max(32),
  headerExtensions: z
    .array(z.looseObject({ uri: z.string().max(256), id: z.number().int() }))
    .max(32)
    .optional(),
  encodings: z.array(z.looseObject({})).max(8).optional(),
  rtcp: z.looseObject({ cname: z.string().min(1).max(255).regex(sdpToken).optional() }).optional(),
});

const rtpCapabilities = z.looseObject({
  codecs: z
    .array(z.looseObject({ kind: mediaKind, mimeType: z.string().max(64) }))
    .max(64)
    .optional(),
  headerExtensions: z.array(z.looseObject({})).max(64).optional(),
});

export const requestSchemas = {
  /**
   * Attach this socket to a session: a dispatcher's console, or the caller once redeemed. Receivers
   * (console, viewer) send what their browser can receive, so the caller can be asked for a video
   * codec every receiver decodes (the caller's own capabilities are ignored).
   */
  'session:join': z.strictObject({ sessionId, rtpCapabilities: rtpCapabilities.optional() }),
  /**
   * The tap, over the socket the caller's page opened before it (issue #12): the invite is redeemed as by
   * `POST /api/invites/:code/redeem` (consent logged, invite spent), and this socket's pre-tap credential
   * becomes the caller's. Only a pre-tap credential may send it.
   */
  'invite:redeem': z.strictObject({ sessionId }),
  'transport:create': z.strictObject({ sessionId, direction: z.enum(['send', 'recv']) }),
  'transport:connect': z.strictObject({ sessionId, transportId: id, dtlsParameters }),
  'transport:restart-ice': z.strictObject({ sessionId, transportId: id }),
  /** A page lets go of one of its own transports (a receiver rebuilding a broken media path). */
  'transport:close': z.strictObject({ sessionId, transportId: id }),
  'media:produce': z.strictObject({
    sessionId,
    transportId: id,
    kind: mediaKind,
    rtpParameters,
    source: z.enum(['camera', 'microphone']).default('camera'),
  }),
  'media:consume': z.strictObject({ sessionId, transportId: id, producerId: id, rtpCapabilities }),
  'media:resume': z.strictObject({ sessionId, consumerId: id }),
  /**
   * A receiver's picture stopped although its media still arrives: ask the source for a key frame
   * now (the browser itself asks only after 3 s). The server sends at most two per consumer a second.
   */
  'media:key-frame': z.strictObject({ sessionId, consumerId: id }),
  /**
   * The dispatcher's console decoded the first frame of one of the caller's video producers (issue
   * #16 §1): logged as `first_frame` once per producer (media start), however many consoles report it.
   */
  'media:first-frame': z.strictObject({ sessionId, producerId: id }),
  /** The caller's page reports what happened to its camera request. */
  /** `platform` and `browser`: which steps the caller was shown to unblock the camera, for the console to read aloud. */
  'caller:camera': z.strictObject({
    sessionId,
    granted: z.boolean(),
    reason: freeText(200).optional(),
    platform: z.enum(CALLER_PLATFORMS).optional(),
    browser: z.enum(BROWSER_FAMILIES).optional(),
  }),
  /** The caller's page reports pause/black-out and which camera is in use. */
  'caller:media': z.strictObject({ sessionId, paused: z.boolean(), facing: z.enum(['user', 'environment', 'unknown']) }),
  'caller:location': z.strictObject({
    sessionId,
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    accuracy: z.number().min(0).max(1_000_000),
  }),
  'chat:send': z.strictObject({
    sessionId,
    // Free text is made plain at the gate: no control or bidi character reaches the log (text.ts).
    text: freeText(500, 1),
    presetId: z.enum(CHAT_PRESET_IDS).optional(),
  }),
  /** Dispatcher asks the caller's page to do something with the camera. */
  'control:request': z.strictObject({ sessionId, action: z.enum(CONTROL_ACTIONS) }),
  /** The caller's page answers a control request. */
  'control:reply': z.strictObject({
    sessionId,
    action: z.enum(CONTROL_ACTIONS),
    outcome: z.enum(['done', 'unsupported', 'failed']),
    detail: freeText(200).optional(),
  }),
  // CPR coach (issue #15 §2): the dispatcher's console measures, the server logs (shared/src/sessions/cpr.ts).
  /** The dispatcher switches the session's CPR mode on or off: `cpr_started` / `cpr_ended`. A repeat changes nothing. */
  'cpr:mode': z.strictObject({ sessionId, on: z.boolean() }),
  /**
   * One measured window of a CPR episode (`cpr_window`): `rate` in compressions per minute, or null
   * with `quality: 'none'` ("no reading": the motion was not clearly periodic); `seconds`: the
   * window's length; `handsOffSeconds`: how much of it had no compressions. Refused outside an
   * episode, and when it would overlap the episode's last window (`cprWindowFits`).
   */
  'cpr:window': z
    .strictObject({
      sessionId,
      rate: z.number().int().min(CPR_RATE_RANGE.min).max(CPR_RATE_RANGE.max).nullable(),
      quality: z.enum(CPR_QUALITIES),
      seconds: z.number().min(1).max(60),
      handsOffSeconds: z.number().min(0).max(60),
    })
    .refine((w) => (w.quality === 'ok') === (w.rate !== null), 'a rate exactly when quality is ok')
    .refine((w) => w.handsOffSeconds <= w.seconds, 'hands-off time within the window'),
  /** A pause in compressions (no compressions for ≥ 2 s) as the console measured it: `cpr_pause`. Refused outside an episode. */
  'cpr:pause': z.strictObject({ sessionId, seconds: z.number().min(CPR_PAUSE_MIN_SECONDS).max(3600) }),
  /** The dispatcher asks the caller's page to run or stop the metronome (CPR_METRONOME_BPM): `cpr_metronome`, pushed to the caller. */
  'cpr:metronome': z.strictObject({ sessionId, on: z.boolean() }),
  // Show me (issue #15 §1): the dispatcher's picture on the caller's phone.
  /**
   * The dispatcher's console shows the caller a picture: a video producer on its own send transport,
   * `source` says what it shows (`camera` or a clip name). Only the session's dispatcher may send it;
   * it is never the caller's video (its own source on the server, `show_me`). A newer one replaces it.
   */
  'show-me:produce': z.strictObject({ sessionId, transportId: id, rtpParameters, source: showMeSourceSchema }),
  /** The caller's page receives the showing on its receive transport (the consumer starts paused). */
  'show-me:receive': z.strictObject({ sessionId, transportId: id, rtpCapabilities }),
  /** The caller's page has wired the track: the consumer of `show-me:receive` may run. */
  'show-me:resume': z.strictObject({ sessionId, consumerId: id }),
  /** The dispatcher stops showing. */
  'show-me:stop': z.strictObject({ sessionId }),
  /** The caller closed the picture: the showing ends for everyone (the console sees why). */
  'show-me:close': z.strictObject({ sessionId }),
  // Last: the authorisation matrix (test/e2e/authz-matrix.test.ts) tries it after the others, on the caller it stops.
  /**
   * The caller stops the video for good (the page's stop button: consent to video withdrawn). The
   * server logs `video_stopped` and closes the caller's media; its loss is then no alarm.
   */
  'caller:stop-video': z.strictObject({ sessionId }),
} as const;

export type RequestName = keyof typeof requestSchemas;
export type RequestOf<K extends RequestName> = z.input<(typeof requestSchemas)[K]>;
export type ParsedRequestOf<K extends RequestName> = z.output<(typeof requestSchemas)[K]>;

export interface TransportOptions {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
  /** Time-limited TURN servers, for callers behind strict firewalls (when the deployment has TURN). */
  iceServers?: { urls: string[]; username: string; credential: string }[];
}

export interface ProducerInfo {
  producerId: string;
  kind: 'audio' | 'video';
  /** `show_me`: the dispatcher's picture for the caller (issue #15 §1), never the caller's media. */
  source: 'camera' | 'microphone' | 'show_me';
}

export interface ConsumerOptions {
  consumerId: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
}

export interface JoinResult {
  sessionId: string;
  status: SessionStatus;
  role: 'dispatcher' | 'caller' | 'viewer' | 'supervisor';
  routerRtpCapabilities: unknown;
  producers: ProducerInfo[];
  events: SessionEvent[];
  /**
   * The dispatcher's incident (CAD) reference: staff and invited viewers (a doctor or ambulance crew
   * needs it to tie the video to their job; issue #14 §4), never the caller.
   */
  incidentRef?: string;
  /** Viewers only: the caller's last shared location (staff read it from `events`). */
  location?: CallerLocation;
  /** Viewers only: the chat so far, oldest first (staff read it from `events`). */
  chat?: ChatMessage[];
  /**
   * Callers only, and only while it runs: the CPR metronome the dispatcher started (beats per minute),
   * so a caller page that reloads gets it back (staff read `cpr_metronome` from `events`).
   */
  metronome?: { on: true; bpm: number };
  /** What the dispatcher shows the caller right now (issue #15 §1), if anything. */
  showMe?: ShowMe;
}

/** What each request answers on success. */
export interface ResponseMap {
  'session:join': JoinResult;
  'invite:redeem': { token: string; sessionId: string; role: 'caller' | 'viewer' };
  'transport:create': TransportOptions;
  'transport:connect': Record<string, never>;
  'transport:restart-ice': { iceParameters: unknown };
  'transport:close': Record<string, never>;
  'media:produce': { producerId: string };
  'media:consume': ConsumerOptions;
  'media:resume': Record<string, never>;
  /** `requested`: false when the last request for this consumer was under 500 ms ago (ignored). */
  'media:key-frame': { requested: boolean };
  /** `logged`: false when this media start's first frame was on the log already (another console, a reload). */
  'media:first-frame': { logged: boolean };
  'caller:camera': Record<string, never>;
  'caller:media': Record<string, never>;
  'caller:location': Record<string, never>;
  'chat:send': { message: ChatMessage };
  'control:request': Record<string, never>;
  'control:reply': Record<string, never>;
  'caller:stop-video': Record<string, never>;
  'cpr:mode': Record<string, never>;
  'cpr:window': Record<string, never>;
  'cpr:pause': Record<string, never>;
  'cpr:metronome': Record<string, never>;
  'show-me:produce': { producerId: string };
  'show-me:stop': Record<string, never>;
  'show-me:receive': ConsumerOptions;
  'show-me:resume': Record<string, never>;
  'show-me:close': Record<string, never>;
}

export interface ChatMessage {
  id: string;
  from: 'dispatcher' | 'caller' | 'viewer';
  text: string;
  presetId?: ChatPresetId;
  at: string;
}

export interface CallerLocation {
  lat: number;
  lng: number;
  accuracy: number;
  at: string;
}

export interface SnapshotInfo {
  name: string;
  at: string;
  source: 'dispatcher' | 'caller';
  bytes: number;
}

/** A request's answer; a refusal carries the code and, for `gone`, the reason (`session:join` to an ended session: `ended`). */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string; reason?: GoneReason } };

/** Server-to-client pushes. */
export interface ServerToClientEvents {
  'session:event': (payload: { sessionId: string; status: SessionStatus; event: SessionEvent }) => void;
  'media:producer-added': (payload: { sessionId: string } & ProducerInfo) => void;
  'media:producer-closed': (payload: { sessionId: string; producerId: string }) => void;
  'session:ended': (payload: { sessionId: string; reason: string }) => void;
  /** The session's media server went away (a crashed worker): every client sets its media up again. */
  'session:media-reset': (payload: { sessionId: string; reason: string }) => void;
  /**
   * The video codecs (router mimeTypes such as `video/VP8`, best first) that every receiver of the
   * session decodes; sent to the caller as it joins and to the session whenever the set changes. The
   * caller publishes the first it can send, and switches when its current codec drops out.
   */
  'media:video-codecs': (payload: { sessionId: string; codecs: string[] }) => void;
  'chat:message': (payload: { sessionId: string; message: ChatMessage }) => void;
  'control:request': (payload: { sessionId: string; action: ControlAction }) => void;
  'control:reply': (payload: { sessionId: string; action: ControlAction; outcome: 'done' | 'unsupported' | 'failed'; detail?: string }) => void;
  'caller:location': (payload: { sessionId: string; location: CallerLocation }) => void;
  'caller:media': (payload: { sessionId: string; paused: boolean; facing: 'user' | 'environment' | 'unknown' }) => void;
  'snapshot:added': (payload: { sessionId: string; snapshot: SnapshotInfo }) => void;
  /**
   * To the session's staff only (never its caller or viewers): the spoken code was replaced, because
   * wrong guesses spent the deployment's budget; the dispatcher reads out `code`, the old one no
   * longer works. `closedUntil`: code entry is closed until then (too many replacements in a row).
   */
  'code:replaced': (payload: { sessionId: string; code: string; expiresAt: string; closedUntil?: string }) => void;
  /**
   * Sent just before the server cuts a staff socket whose login no longer holds: `logged_out` (its
   * logout), `revoked` (the user was removed or changed), `expired` (its newest token ran out),
   * `shift_over` (the absolute lifetime). The page shows it is signed out; reconnecting will not help.
   */
  'auth:signed-out': (payload: { reason: SignOutReason }) => void;
  /**
   * To one dispatcher's own sockets (every tab, every node): a session was made for them, by this
   * console or elsewhere (a CAD integration over REST, another tab). The console shows its card at once.
   */
  'session:created': (payload: { sessionId: string; status: SessionStatus }) => void;
  /** To the caller's page (and staff): run or stop the CPR metronome at `bpm` beats per minute (issue #15 §2). */
  'cpr:metronome': (payload: { sessionId: string; on: boolean; bpm: number }) => void;
  /** What the dispatcher shows the caller now (issue #15 §1): `null` once nothing is shown. */
  'show-me:changed': (payload: { sessionId: string; showMe: ShowMe | null }) => void;
}

export const SIGN_OUT_REASONS = ['logged_out', 'revoked', 'expired', 'shift_over'] as const;
export type SignOutReason = (typeof SIGN_OUT_REASONS)[number];

export type ClientToServerEvents = {
  [K in RequestName]: (payload: RequestOf<K>, ack: (result: Ack<ResponseMap[K]>) => void) => void;
};
