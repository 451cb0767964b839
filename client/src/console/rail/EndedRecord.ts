import { t, type TextKey } from '../../staff-i18n/index.js';
import type { SessionEvent, SnapshotInfo } from '@sightline/shared';

/**
 * What the dispatcher keeps of an ended session for the rest of the shift (issue #14 §4): where the
 * caller was, what was written, which stills exist, and why it ended. Plain data, so it survives the
 * card and a reload (sessionStorage).
 */
export interface EndedRecord {
  sessionId: string;
  label: string;
  /** ISO 8601 of the `ended` event (or of the moment this console learnt it). */
  endedAt: string;
  /** The server's end reason in the dispatcher's words. */
  reason: string;
  location?: { lat: number; lng: number; accuracy: number; at: string };
  chat: { from: string; text: string; at: string }[];
  stills: SnapshotInfo[];
}

/** The server's end reasons the console has words for (server/src/sessions: who or which timer ended it). */
const REASONS: ReadonlySet<string> = new Set(['dispatcher', 'invite_expired', 'idle', 'max_lifetime', 'caller']);

export function reasonWords(reason: string | undefined): string {
  if (!reason) return t('console.ended.reason.none');
  return REASONS.has(reason) ? t(`console.ended.reason.${reason}` as TextKey) : reason.replaceAll('_', ' ');
}

/**
 * The record of a session from its staff events (which carry the details: chat text, location, end
 * reason; server/src/sessions/projections.ts gives staff everything). `reason`: the `session:ended`
 * push's, when the events do not (yet) hold the `ended` event.
 */
export function endedRecordOf(sessionId: string, label: string, events: readonly SessionEvent[], stills: SnapshotInfo[], reason?: string): EndedRecord {
  const ended = lastOf(events, (e) => e.type === 'ended');
  const located = lastOf(events, (e) => e.type === 'location' && typeof e.details?.['lat'] === 'number');
  const chat = events
    .filter((e) => e.type === 'chat' && typeof e.details?.['text'] === 'string')
    .map((e) => ({ from: String(e.details?.['from'] ?? roleOf(e.actor)), text: String(e.details!['text']), at: e.at }));
  const endReason = typeof ended?.details?.['reason'] === 'string' ? ended.details['reason'] : reason;
  return {
    sessionId,
    label,
    endedAt: ended?.at ?? new Date().toISOString(),
    reason: reasonWords(endReason),
    ...(located && {
      location: {
        lat: Number(located.details!['lat']),
        lng: Number(located.details!['lng']),
        accuracy: Number(located.details!['accuracy'] ?? 0),
        at: located.at,
      },
    }),
    chat,
    stills,
  };
}

function lastOf(events: readonly SessionEvent[], test: (e: SessionEvent) => boolean): SessionEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (test(events[i]!)) return events[i];
  return undefined;
}

function roleOf(actor: string): string {
  return actor.split(':')[0] ?? actor;
}
