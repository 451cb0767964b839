import type { SessionStatus } from '@sightline/shared';

/**
 * Where a session stands for the dispatcher, in the order the rail lists them (issue #14 §1): an
 * alarm first (something is wrong now), then live video, then sessions waiting for the caller, then
 * the shift's recently ended ones.
 */
export type RailGroup = 'alarm' | 'live' | 'waiting' | 'ended';

const RANK: Record<RailGroup, number> = { alarm: 0, live: 1, waiting: 2, ended: 3 };

/** Statuses in which video flows or is about to (the camera is allowed): the card shows a picture. */
const LIVE: ReadonlySet<SessionStatus> = new Set(['camera_granted', 'live', 'reconnecting']);

/** The phase of a status alone (no alarm considered): `live`, `waiting` (no video yet) or `ended`. */
export function phaseOf(status: SessionStatus): Exclude<RailGroup, 'alarm'> {
  if (status === 'ended') return 'ended';
  return LIVE.has(status) ? 'live' : 'waiting';
}

/** The rail group of a session: an alarm outranks its phase, unless the session has ended (nothing left to act on). */
export function groupOf(status: SessionStatus, hasAlarm: boolean): RailGroup {
  const phase = phaseOf(status);
  return hasAlarm && phase !== 'ended' ? 'alarm' : phase;
}

export interface Ranked {
  sessionId: string;
  group: RailGroup;
  /** ms since the epoch the session entered its current status. */
  since: number;
}

/**
 * Rail order: by group; within alarm, live and waiting the one longest in its state first (it has
 * waited longest for attention); ended ones newest first (the one just ended is the one asked about).
 * Ties by id, so the order never flickers.
 */
export function compareUrgency(a: Ranked, b: Ranked): number {
  const byGroup = RANK[a.group] - RANK[b.group];
  if (byGroup) return byGroup;
  const bySince = a.group === 'ended' ? b.since - a.since : a.since - b.since;
  return bySince || a.sessionId.localeCompare(b.sessionId);
}
