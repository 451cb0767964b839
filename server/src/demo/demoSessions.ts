import type { FailureCause, Language, SessionEventType } from '@sightline/shared';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { maskPhone } from '../logging.js';

/**
 * Synthetic sessions for `npx sightline demo-data` (issue #16 §1): what a centre's log would hold
 * after some weeks of video triage, so the /audit analytics view can be seen and tested without real
 * calls. Pure: the same options give the same sessions (a seeded xoroshiro128+ from pure-rand).
 *
 * Where the figures come from:
 * - **Sourced**: video was established in 82.2 % of attempts (838 of 1,019) when Copenhagen EMS sent
 *   callers an SMS link for live video, June 2019 – February 2020 (Linderoth et al., "Live video from
 *   bystanders' smartphones to medical dispatchers in real emergencies", BMC Emergency Medicine 21:101,
 *   2021). That is the share of `video` below.
 * - **Invented** (no published source found; the issue notes that no system publishes time to first
 *   frame): how the other 17.8 % split over the failure causes, every stage time (SMS delivered ~4 s
 *   after sending, link opened ~16 s after delivery, consent ~7 s later, camera and first frame within
 *   a few seconds, so most video arrives 20–90 s after the SMS), the dispatchers and their shares,
 *   calls by hour of day, uptake growing over the weeks, call lengths and media figures.
 *
 * Every session is marked synthetic in its `created` record (`details.synthetic: true`, the generator
 * and the seed), its incident reference starts with `DEMO-`, its dispatchers are `demo-…` users that
 * need not exist, and its caller number comes from Ofcom's range reserved for drama (+44 7700 900000 to
 * 900999, never allocated to a real phone), masked as the server masks every number it logs.
 */
export interface DemoOptions {
  /** How many sessions (≥ 1). */
  sessions: number;
  /** PRNG seed (an integer): the same seed and `now` give the same sessions. */
  seed: number;
  /** The end of the period: sessions are created in the `weeks` before it and all end before it. */
  now: Date;
  /** Length of the period in weeks (default 10). */
  weeks?: number;
}

/** What a synthetic session was made to be: video, or the failure cause its log must be classed as. */
export type DemoOutcome = 'video' | Exclude<FailureCause, 'other'>;

/** One log record before it is chained (as the server hands it to AuditLogs.appendSession). */
export interface DemoEvent {
  type: SessionEventType;
  /** ISO 8601 UTC. */
  at: string;
  actor: string;
  details?: Record<string, unknown>;
}

export interface DemoSession {
  id: string;
  dispatcher: string;
  /** ISO 8601 UTC, the `created` record's time. */
  createdAt: string;
  outcome: DemoOutcome;
  /** `created` first, `ended` last, in time order. */
  events: DemoEvent[];
}

/** Shares of the outcomes (sum 1). `video` is Linderoth et al. 2021's 82.2 %; the split of the rest is invented. */
export const DEMO_OUTCOME_SHARES: Readonly<Record<DemoOutcome, number>> = {
  video: 0.822,
  sms_failed: 0.03,
  never_opened: 0.05,
  consent_declined: 0.025,
  camera_denied: 0.03,
  browser_unsupported: 0.015,
  network_failure: 0.013,
  ended_before_video: 0.015,
};

/** The synthetic dispatchers (invented), busiest first, with their shares of the sessions. */
export const DEMO_DISPATCHERS = ['demo-kari', 'demo-ola', 'demo-ingrid', 'demo-lars', 'demo-nora'] as const;
const DISPATCHER_SHARES = [0.3, 0.25, 0.2, 0.15, 0.1];

/** Relative call volume per UTC hour (invented: quiet nights, busy days and evenings). */
const HOUR_WEIGHTS = [2, 1.5, 1.2, 1, 1, 1.3, 2, 3.5, 5, 6, 6.5, 6.5, 6.5, 6.2, 6, 6, 6.2, 6.5, 6.3, 6, 5.5, 4.8, 4, 3];
const LANGUAGE_SHARES: [Language, number][] = [
  ['nb', 0.86],
  ['en', 0.05],
  ['pl', 0.03],
  ['ar', 0.02],
  ['so', 0.015],
  ['uk', 0.015],
  ['sv', 0.01],
];
const VIDEO_BROWSERS: [string, number][] = [
  ['safari', 0.45],
  ['chrome', 0.4],
  ['samsung', 0.1],
  ['firefox', 0.05],
];
/** In-app browsers, the usual reason a page cannot stream (shared/src/sessions/browser.ts). */
const IN_APP_BROWSERS = ['facebook', 'instagram', 'android-webview', 'snapchat', 'ios-webview'];
/** Twilio's delivery error codes for an unreachable or unknown handset and an unreachable carrier. */
const SMS_ERROR_CODES = ['30003', '30005', '30006'];
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
/** INVITE_TTL_MINUTES' and SESSION_IDLE_MINUTES' defaults: when the server ends an unused or idle session. */
const INVITE_TTL = 15 * MINUTE;
const IDLE = 10 * MINUTE;

export function demoSessions(opts: DemoOptions): DemoSession[] {
  const rng = new Rng(opts.seed);
  const period = (opts.weeks ?? 10) * 7 * DAY;
  const starts = Array.from({ length: opts.sessions }, () => createdAt(rng, opts.now.getTime(), period)).sort((a, b) => a - b);
  return starts.map((t0, i) => oneSession(rng, t0, i, opts.seed));
}

/**
 * A creation time in the period: uptake grows linearly from 60 % to 140 % of the mean over it
 * (invented), hours weighted by HOUR_WEIGHTS; at least three hours before `now`, so every session
 * has ended (the longest lasts two).
 */
function createdAt(rng: Rng, now: number, period: number): number {
  const start = now - period;
  for (;;) {
    const x = rng.float();
    if (rng.float() * 1.4 > 0.6 + 0.8 * x) continue;
    const day = Math.floor(start / DAY) * DAY + Math.floor(x * (period / DAY)) * DAY;
    const t = day + rng.weighted(HOUR_WEIGHTS.map((w, h) => [h, w] as [number, number])) * 60 * MINUTE + rng.float() * 60 * MINUTE;
    if (t >= start && t <= now - 3 * 60 * MINUTE) return Math.round(t);
  }
}

function oneSession(rng: Rng, t0: number, index: number, seed: number): DemoSession {
  const id = `s_${Buffer.from(Array.from({ length: 9 }, () => rng.int(0, 255))).toString('base64url')}`;
  const dispatcher = rng.weighted(DEMO_DISPATCHERS.map((d, i) => [d, DISPATCHER_SHARES[i]!] as [string, number]));
  const outcome = rng.weighted(Object.entries(DEMO_OUTCOME_SHARES) as [DemoOutcome, number][]);
  const log = new LogWriter(t0, `dispatcher:${dispatcher}`);
  const day = new Date(t0).toISOString().slice(5, 10).replace('-', '');
  log.add(0, 'created', log.dispatcher, {
    phone: maskPhone(`+447700900${String(rng.int(0, 999)).padStart(3, '0')}`),
    incidentRef: `DEMO-${new Date(t0).getUTCFullYear()}-${day}-${String(index + 1).padStart(4, '0')}`,
    language: rng.weighted(LANGUAGE_SHARES),
    synthetic: true,
    generator: 'sightline demo-data',
    seed,
  });
  const sms = { provider: 'demo', providerMessageId: `demo_${id.slice(2)}` };
  log.add(rng.uniform(0.4, 1.8) * SECOND, 'sms_sent', log.dispatcher, sms);
  if (outcome === 'sms_failed') {
    const failed = { ...sms, providerStatus: 'undelivered', errorCode: rng.pick(SMS_ERROR_CODES) };
    log.add(rng.logNormal(6, 0.5) * SECOND, 'sms_status', 'system', { ...failed, newest: true, applied: true });
    log.add(20, 'sms_failed', 'system', failed);
    return done(log.endBy('dispatcher', rng.uniform(40, 240) * SECOND));
  }
  const delivered = { ...sms, providerStatus: 'delivered' };
  log.add(rng.logNormal(4, 0.5) * SECOND, 'sms_status', 'system', { ...delivered, newest: true, applied: true });
  log.add(20, 'sms_delivered', 'system', delivered);
  if (outcome === 'never_opened') return done(rng.chance(0.5) ? log.expire() : log.endBy('dispatcher', rng.uniform(60, 600) * SECOND));

  const unsupported = outcome === 'browser_unsupported';
  const browser = unsupported ? rng.pick(IN_APP_BROWSERS) : rng.weighted(VIDEO_BROWSERS);
  log.add(rng.logNormal(16, 0.6) * SECOND, 'link_opened', 'caller', { browser });
  if (unsupported) {
    log.add(300, 'browser_unsupported', 'caller', { reason: 'no_get_user_media', browser });
    return done(log.endBy('dispatcher', rng.uniform(60, 300) * SECOND));
  }
  if (outcome === 'consent_declined') return done(rng.chance(0.6) ? log.expire() : log.endBy('dispatcher', rng.uniform(60, 400) * SECOND));
  log.add(rng.logNormal(7, 0.6) * SECOND, 'consent_given', 'caller');
  if (outcome === 'ended_before_video') return done(log.endBy('dispatcher', rng.uniform(3, 20) * SECOND));
  const platform = browser === 'safari' ? 'ios' : 'android';
  if (outcome === 'camera_denied') {
    log.add(rng.uniform(1, 5) * SECOND, 'camera_denied', 'caller', { reason: 'denied', platform, browser });
    return done(log.endBy('dispatcher', rng.uniform(30, 240) * SECOND));
  }
  // The caller page reports a granted camera without details (client/src/caller/main.ts).
  log.add(rng.logNormal(1.8, 0.4) * SECOND, 'camera_granted', 'caller');
  const media = { kind: 'video', source: 'camera' };
  if (outcome === 'network_failure') {
    if (rng.chance(0.5)) return done(log.endBy('system', IDLE, 'idle'));
    log.add(rng.logNormal(1.5, 0.4) * SECOND, 'live', 'system', media);
    log.add(5, 'media_started', 'system', { ...media, producerId: rng.uuid() });
    log.add(rng.uniform(2, 8) * SECOND, 'reconnecting', 'system', { reason: 'caller network lost' });
    return done(log.endBy('dispatcher', rng.uniform(30, 180) * SECOND));
  }
  video(rng, log, media, browser);
  return done(log.endBy('dispatcher', 500));

  function done(events: DemoEvent[]): DemoSession {
    return { id, dispatcher, createdAt: events[0]!.at, outcome, events };
  }
}

/** Live, the console's first frame (details as server/src/analytics/FirstFrames.ts logs them), a call of a few minutes (one in ten with a reconnection), the media's summary. */
function video(rng: Rng, log: LogWriter, media: Record<string, string>, browser: string): void {
  const producerId = rng.uuid();
  log.add(rng.logNormal(1.5, 0.4) * SECOND, 'live', 'system', media);
  log.add(5, 'media_started', 'system', { ...media, producerId });
  const msSinceMediaStarted = Math.max(1, Math.round(rng.logNormal(600, 0.5)));
  log.add(msSinceMediaStarted, 'first_frame', log.dispatcher, { producerId, msSinceMediaStarted, msSinceSmsSent: log.since('sms_sent') + msSinceMediaStarted });
  const seconds = Math.min(1800, Math.max(40, rng.logNormal(240, 0.6)));
  if (rng.chance(0.1)) {
    log.add((seconds / 2) * SECOND, 'reconnecting', 'system', { reason: 'caller network lost' });
    log.add(rng.uniform(2, 12) * SECOND, 'live', 'system');
    log.add((seconds / 2) * SECOND, 'media_ended', 'system', mediaSummary(rng, browser, seconds));
  } else {
    log.add(seconds * SECOND, 'media_ended', 'system', mediaSummary(rng, browser, seconds));
  }
}

/** MediaQuality's summary of the caller's stream (server/src/sfu/MediaQuality.ts); Safari sends H264. */
function mediaSummary(rng: Rng, browser: string, seconds: number): Record<string, unknown> {
  return {
    kind: 'video',
    codec: browser === 'safari' ? 'H264' : 'VP8',
    durationSec: Math.round(seconds),
    avgKbps: rng.int(600, 1800),
    minScore: rng.int(5, 10),
  };
}

/** Builds one session's records on a running clock. */
class LogWriter {
  readonly events: DemoEvent[] = [];
  #t: number;

  constructor(
    readonly t0: number,
    readonly dispatcher: string,
  ) {
    this.#t = t0;
  }

  /** A record `afterMs` after the previous one (whole milliseconds, as the server's clock gives them). */
  add(afterMs: number, type: SessionEventType, actor: string, details?: Record<string, unknown>): void {
    this.#t += Math.max(1, Math.round(afterMs));
    this.events.push({ type, at: new Date(this.#t).toISOString(), actor, ...(details && { details }) });
  }

  /** Milliseconds from the first record of `type` to the last record so far. */
  since(type: SessionEventType): number {
    return this.#t - Date.parse(this.events.find((e) => e.type === type)!.at);
  }

  /** Ended by the dispatcher (`actor` dispatcher) or by the server (`system`, with its reason) `afterMs` later. */
  endBy(actor: 'dispatcher' | 'system', afterMs: number, reason = 'dispatcher'): DemoEvent[] {
    this.add(afterMs, 'ended', actor === 'dispatcher' ? this.dispatcher : 'system', { reason });
    return this.events;
  }

  /** Ended by the server when the invite ran out unused (SessionTimers: INVITE_TTL after creation). */
  expire(): DemoEvent[] {
    return this.endBy('system', Math.max(1, this.t0 + INVITE_TTL + 2 * SECOND - this.#t), 'invite_expired');
  }
}

/** The seeded generator and the few distributions the sessions need. */
class Rng {
  readonly #g;

  constructor(seed: number) {
    this.#g = xoroshiro128plus(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.#g);
  }

  int(min: number, max: number): number {
    return uniformInt(this.#g, min, max);
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let x = this.float() * items.reduce((sum, [, w]) => sum + w, 0);
    for (const [item, w] of items) if ((x -= w) < 0) return item;
    return items.at(-1)![0];
  }

  /** Log-normal with this median and σ of the log (Box–Muller): positive, with a long tail. */
  logNormal(median: number, sigma: number): number {
    const z = Math.sqrt(-2 * Math.log(1 - this.float())) * Math.cos(2 * Math.PI * this.float());
    return median * Math.exp(sigma * z);
  }

  /** A UUID v4 as mediasoup gives producers. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16));
    hex[12] = '4';
    hex[16] = ((this.int(0, 3) & 0x3) | 0x8).toString(16);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}
