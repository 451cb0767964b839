export type { RecordingInfo, RecordingPolicy } from '@sightline/shared';

export type RecordingEventType = 'recording_started' | 'recording_ended' | 'recording_failed';

/** Where recording events are logged; SessionService satisfies it. */
export interface RecordingEventSink {
  record(sessionId: string, type: RecordingEventType, actor: string, details?: Record<string, unknown>): Promise<void>;
}
