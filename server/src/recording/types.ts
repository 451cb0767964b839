/** Deployment-wide recording policy (PRODUCT.md, "Recording and retention"). */
export type RecordingPolicy = 'off' | 'on-demand' | 'always';

/** One recorded segment of a session, as kept in `$DATA_DIR/sessions/<id>/recordings/index.json`. */
export interface RecordingInfo {
  /** File name inside the session's recordings directory, e.g. `segment-0001.mkv`. */
  name: string;
  /** 1-based, increasing per session across restarts. */
  segment: number;
  /** ISO 8601 UTC. */
  startedAt: string;
  endedAt?: string;
  bytes?: number;
  durationSec?: number;
  /** Codec names as ffprobe spells them (`vp8`, `h264`, `opus`). */
  codecs: string[];
  status: 'recording' | 'finished' | 'failed';
}

export type RecordingEventType = 'recording_started' | 'recording_ended' | 'recording_failed';

/** Where recording events are logged; SessionService satisfies it. */
export interface RecordingEventSink {
  record(sessionId: string, type: RecordingEventType, actor: string, details?: Record<string, unknown>): Promise<void>;
}
