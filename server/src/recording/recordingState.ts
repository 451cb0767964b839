import type { ClusterMedia } from '../cluster/ClusterMedia.js';
import type { SessionRecord } from '../store/Store.js';
import type { RecordingService } from './RecordingService.js';
import type { RecordingPolicy } from './types.js';

/**
 * The recording state a session's page shows: the deployment's policy, and whether the session
 * records right now (asked of the node its media runs on; false once it ended or has no media yet).
 */
export function recordingState(recordings: RecordingService, media: ClusterMedia) {
  return async (s: SessionRecord): Promise<{ policy: RecordingPolicy; active: boolean }> => ({
    policy: recordings.policy,
    // An unreachable owner must not fail the page: the timeline still shows recording events.
    active: s.status !== 'ended' && s.mediaNode !== undefined && (await media.run(s, 'isRecording', s.id).catch(() => false)),
  });
}
