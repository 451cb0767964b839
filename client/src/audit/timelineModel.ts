import { SESSION_STATUSES, type RecordingInfo, type SessionEvent } from '@sightline/shared';
import { t as text, type TextKey } from '../staff-i18n/index.js';

/** The operational lanes, top to bottom, then the access lane (drawn apart, on its own time axis). */
export const LANES = ['progress', 'video', 'recording', 'dialogue', 'location'] as const;
export type Lane = (typeof LANES)[number] | 'access';
/** A lane's name on the chart, in the supervisor's language. */
export const laneLabel = (lane: Lane) => text(`audit.timeline.lane.${lane}`);

/**
 * One mark on the timeline: a moment (`end` absent) or a span, in ms since the epoch. `kind` picks
 * its look and says what it is (`sms`, `live`, `paused`, `playable`, `failed`, `chat`…); `label` is
 * what a person reads (tooltip, list, scrub bar); `seq` the log record it comes from.
 */
export interface Mark {
  lane: Lane;
  kind: string;
  at: number;
  end?: number;
  label: string;
  seq?: number;
  /** A recording segment's file name (recording lane). */
  recording?: string;
}

/** The line above the chart: how the call went, at a glance. Durations in ms; absent: never happened. */
export interface Summary {
  timeToVideoMs?: number;
  liveMs: number;
  pauses: number;
  reconnects: number;
  recordings: { playable: number; total: number };
}

export interface TimelineModel {
  /** The session's span: creation to end (or the last operational event, for one still going). */
  start: number;
  end: number;
  marks: Mark[];
  summary: Summary;
}

/**
 * Lifecycle statuses on the progress lane, with the word shown (PRODUCT.md's lifecycle, shortened):
 * all but `reconnecting`, which the video lane shows as the picture lost.
 */
const PROGRESS_TYPES: ReadonlySet<string> = new Set(SESSION_STATUSES.filter((s) => s !== 'reconnecting'));
const progressWord = (type: string) => (PROGRESS_TYPES.has(type) ? text(`audit.timeline.progress.${type}` as TextKey) : undefined);

/** A supervisor's look or act on the record, and retention's: the access lane. */
const ACCESS_TYPES: ReadonlySet<string> = new Set(['supervisor_viewed', 'recording_played', 'session_exported', 'legal_hold', 'media_deleted']);
const accessWord = (type: string) => (ACCESS_TYPES.has(type) ? text(`audit.timeline.access.${type}` as TextKey) : undefined);

/**
 * The session's timeline as lanes of marks, and its summary, from its log and its recording index.
 * Video states follow the log: `live` starts video, `media_paused`/`media_resumed` pause and resume
 * it, `reconnecting` loses it until the next `live`, `ended` closes whatever was open.
 */
export function timelineModel(events: SessionEvent[], recordings: RecordingInfo[], createdAt: string, endedAt?: string): TimelineModel {
  const at = (e: SessionEvent) => Date.parse(e.at);
  const start = Date.parse(createdAt);
  const operational = events.filter((e) => !ACCESS_TYPES.has(e.type));
  const lastOperational = Math.max(start, ...operational.map(at), ...recordings.map((r) => Date.parse(r.endedAt ?? r.startedAt)));
  const end = endedAt ? Math.max(Date.parse(endedAt), lastOperational) : lastOperational;
  const marks: Mark[] = [];
  for (const e of events) {
    const progress = progressWord(e.type);
    if (progress && e.type !== 'created') marks.push({ lane: 'progress', kind: e.type, at: at(e), label: withReason(progress, e), seq: e.seq });
    const access = accessWord(e.type);
    if (access)
      marks.push({ lane: 'access', kind: e.type, at: at(e), label: text('audit.timeline.accessBy', { access, actor: e.actor, what: what(e) }), seq: e.seq });
    if (e.type === 'chat') marks.push({ lane: 'dialogue', kind: 'chat', at: at(e), label: chatLabel(e), seq: e.seq });
    if (e.type === 'location') marks.push({ lane: 'location', kind: 'location', at: at(e), label: locationLabel(e), seq: e.seq });
  }
  const video = videoSpans(operational, end);
  marks.push(...video, ...recordingMarks(recordings, end));
  const live = video.filter((m) => m.kind === 'live');
  const firstLive = operational.find((e) => e.type === 'live');
  const playable = recordings.filter(isPlayable).length;
  return {
    start,
    end,
    marks,
    summary: {
      ...(firstLive && { timeToVideoMs: at(firstLive) - start }),
      liveMs: live.reduce((sum, m) => sum + (m.end! - m.at), 0),
      pauses: operational.filter((e) => e.type === 'media_paused').length,
      reconnects: operational.filter((e) => e.type === 'reconnecting').length,
      recordings: { playable, total: recordings.length },
    },
  };
}

/** A segment a player can play: finished, with bytes. */
export function isPlayable(r: RecordingInfo): boolean {
  return r.status === 'finished' && (r.bytes ?? 0) > 0;
}

/** A segment's span in ms since the epoch: its end, or its start plus its duration, or `fallbackEnd`. */
export function segmentSpan(r: RecordingInfo, fallbackEnd: number): { start: number; end: number } {
  const start = Date.parse(r.startedAt);
  const end = r.endedAt ? Date.parse(r.endedAt) : r.durationSec !== undefined ? start + r.durationSec * 1000 : fallbackEnd;
  return { start, end: Math.max(start, end) };
}

function videoSpans(events: SessionEvent[], end: number): Mark[] {
  const spans: Mark[] = [];
  let open: { kind: 'live' | 'paused' | 'reconnecting'; at: number } | undefined;
  let paused = false;
  const move = (kind: 'live' | 'paused' | 'reconnecting' | undefined, t: number) => {
    if (open?.kind === kind) return;
    if (open) spans.push({ lane: 'video', kind: open.kind, at: open.at, end: t, label: text(`audit.timeline.video.${open.kind}`) });
    open = kind && { kind, at: t };
  };
  for (const e of events) {
    const t = Date.parse(e.at);
    if (e.type === 'live') move(paused ? 'paused' : 'live', t);
    else if (e.type === 'reconnecting') move('reconnecting', t);
    else if (e.type === 'media_paused') {
      paused = true;
      if (open) move('paused', t);
    } else if (e.type === 'media_resumed') {
      paused = false;
      if (open?.kind === 'paused') move('live', t);
    } else if (e.type === 'ended') move(undefined, t);
  }
  move(undefined, end);
  return spans;
}

function recordingMarks(recordings: RecordingInfo[], end: number): Mark[] {
  return recordings.map((r) => {
    const span = segmentSpan(r, end);
    const kind = isPlayable(r) ? 'playable' : r.status === 'recording' ? 'recording' : 'failed';
    const word = text(`audit.timeline.segment.${kind}`);
    return {
      lane: 'recording',
      kind,
      at: span.start,
      end: span.end,
      label: text('audit.timeline.segment.label', { segment: r.segment, word }),
      recording: r.name,
    };
  });
}

function withReason(word: string, e: SessionEvent): string {
  const reason = e.details?.['reason'];
  return typeof reason === 'string' ? `${word}: ${reason}` : word;
}

function what(e: SessionEvent): string {
  const part = e.details?.['what'] ?? e.details?.['name'];
  return typeof part === 'string' ? ` (${part})` : '';
}

function chatLabel(e: SessionEvent): string {
  const from = String(e.details?.['from'] ?? e.actor);
  return `${from}: ${String(e.details?.['text'] ?? '')}`;
}

function locationLabel(e: SessionEvent): string {
  const lat = Number(e.details?.['lat']);
  const lng = Number(e.details?.['lng']);
  const accuracy = Math.round(Number(e.details?.['accuracy']));
  return text('audit.timeline.location', { lat: lat.toFixed(5), lng: lng.toFixed(5), accuracy });
}

/** `1:05:09`, `4:07`, `0:42`: a duration as a dispatcher reads one. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The summary line above the chart. */
export function summaryText(s: Summary): string {
  return [
    text('audit.timeline.summary.timeToVideo', { time: s.timeToVideoMs === undefined ? '—' : formatDuration(s.timeToVideoMs) }),
    text('audit.timeline.summary.live', { time: formatDuration(s.liveMs) }),
    text('audit.timeline.summary.pauses', { count: s.pauses }),
    text('audit.timeline.summary.reconnects', { count: s.reconnects }),
    text('audit.timeline.summary.recordings', { playable: s.recordings.playable, total: s.recordings.total }),
  ].join(' · ');
}
