import type { SessionEvent } from './lifecycle.js';

/**
 * The CPR coach's shared rules (issue #15 §2). The dispatcher's console measures the compression
 * rate from the caller's video; the server logs what it reports; /audit draws it. A coaching aid,
 * not a medical device measurement.
 */

/**
 * The metronome's beat, per minute. ERC Guidelines 2021 (Basic Life Support) and the AHA 2020
 * Guidelines both ask for 100–120 compressions per minute; 110 is the middle of that range.
 */
export const CPR_METRONOME_BPM = 110;

/** The guidelines' target range (same sources), per minute: the console colours a reading inside it. */
export const CPR_TARGET_RATE = { min: 100, max: 120 } as const;

/** Length of one logged measurement window, in seconds (issue #15: "the rate per 10 s window"). */
export const CPR_WINDOW_SECONDS = 10;

/**
 * Rates the coach can report, per minute: outside this no reading (a person cannot compress faster,
 * and slower is not CPR). The console's estimator searches this range; the server refuses others.
 */
export const CPR_RATE_RANGE = { min: 40, max: 200 } as const;

/**
 * How much earlier than its length a window may arrive after the one before (or after CPR mode
 * started), seconds: the network and the console's event loop delay reports by up to this much.
 */
export const CPR_WINDOW_SLACK_SECONDS = 2;

/** No compressions for at least this long (seconds) is a pause (issue #15: "no compressions for ≥ 2 s"). */
export const CPR_PAUSE_MIN_SECONDS = 2;

/** `ok`: a clear periodic motion, so a rate; `none`: "no reading" (a wrong number is worse than none). */
export const CPR_QUALITIES = ['ok', 'none'] as const;
export type CprQuality = (typeof CPR_QUALITIES)[number];

export interface CprWindow {
  /** When the window was logged (its end), ISO 8601. */
  at: string;
  /** Compressions per minute, or null for no reading. */
  rate: number | null;
  quality: CprQuality;
  seconds: number;
  handsOffSeconds: number;
}

export interface CprPause {
  /** When the pause was logged (its end), ISO 8601. */
  at: string;
  seconds: number;
}

export interface CprEpisode {
  startedAt: string;
  /** Absent while the episode goes on. */
  endedAt?: string;
  windows: CprWindow[];
  pauses: CprPause[];
}

/**
 * The CPR episodes in a session's log, oldest first: each from `cpr_started` to `cpr_ended` (or to
 * the session's `ended`). Windows and pauses outside an episode (never logged by the server) are ignored.
 */
export function cprEpisodes(events: readonly SessionEvent[]): CprEpisode[] {
  const episodes: CprEpisode[] = [];
  let open: CprEpisode | undefined;
  for (const e of events) {
    if (e.type === 'cpr_started' && !open) {
      open = { startedAt: e.at, windows: [], pauses: [] };
      episodes.push(open);
    } else if (!open) continue;
    else if (e.type === 'cpr_ended' || e.type === 'ended') {
      open.endedAt = e.at;
      open = undefined;
    } else if (e.type === 'cpr_window') open.windows.push(windowOf(e));
    else if (e.type === 'cpr_pause') open.pauses.push({ at: e.at, seconds: Number(e.details?.['seconds'] ?? 0) });
  }
  return episodes;
}

/** Whether the log ends inside a CPR episode (the server accepts windows and pauses only then). */
export function inCprEpisode(events: readonly SessionEvent[]): boolean {
  const last = cprEpisodes(events).at(-1);
  return last !== undefined && last.endedAt === undefined;
}

/**
 * Whether a window of `seconds` reported at `at` fits in the open episode: at least `seconds` (less
 * CPR_WINDOW_SLACK_SECONDS) since the episode's last window, or since it started. Windows of one
 * episode then never overlap, so a second console that also measures, or a burst of windows
 * reported late, cannot count the same compressions twice. False outside an episode.
 */
export function cprWindowFits(events: readonly SessionEvent[], seconds: number, at: Date): boolean {
  const episode = cprEpisodes(events).at(-1);
  if (!episode || episode.endedAt !== undefined) return false;
  const since = Date.parse(episode.windows.at(-1)?.at ?? episode.startedAt);
  return (at.getTime() - since) / 1000 >= seconds - CPR_WINDOW_SLACK_SECONDS;
}

/** The caller's metronome as a session's log leaves it: on at `bpm` (per minute), or off. */
export interface MetronomeState {
  on: boolean;
  bpm: number;
}

/**
 * The metronome after the log's last `cpr_metronome` (details `{on, bpm}`); off when there is none,
 * and off once the session has ended (the caller page stops it then, and the log says nothing more).
 */
export function metronomeState(events: readonly SessionEvent[]): MetronomeState {
  let state: MetronomeState = { on: false, bpm: CPR_METRONOME_BPM };
  for (const e of events) {
    if (e.type === 'ended') state = { ...state, on: false };
    else if (e.type === 'cpr_metronome') state = { on: e.details?.['on'] === true, bpm: Number(e.details?.['bpm'] ?? CPR_METRONOME_BPM) };
  }
  return state;
}

function windowOf(e: SessionEvent): CprWindow {
  const d = e.details ?? {};
  const rate = typeof d['rate'] === 'number' ? d['rate'] : null;
  return {
    at: e.at,
    rate,
    quality: d['quality'] === 'ok' && rate !== null ? 'ok' : 'none',
    seconds: Number(d['seconds'] ?? CPR_WINDOW_SECONDS),
    handsOffSeconds: Number(d['handsOffSeconds'] ?? 0),
  };
}
