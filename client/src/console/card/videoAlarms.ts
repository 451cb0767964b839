import type { VideoAlarm, VideoState } from '../../common/VideoState.js';
import { staffVideoWords } from './videoWords.js';
import type { AlarmKind, AlarmStore } from '../alarms/AlarmStore.js';

/** The strip's kind for each cause: no frame yet is "no video"; a picture that stopped, or a caller gone, is "video lost". */
const KIND: Record<VideoAlarm, AlarmKind> = { 'no-frame': 'no-video', stalled: 'video-lost', 'caller-gone': 'video-lost' };

/**
 * Carries one card's video alarms into the console's alarm store (the fixed strip and the rail show
 * them, and the strip chimes: the card does not beep on its own). Raised once when an alarm of a kind
 * begins (a change of cause within the kind, frozen then caller gone, is not a second alarm), cleared
 * when it ends, whatever the state then (live, paused, ended). Returns the unsubscribe.
 */
export function routeVideoAlarms(sessionId: string, state: VideoState, store: AlarmStore): () => void {
  return state.onChange((s, prev) => {
    const was = prev.alarm && KIND[prev.alarm];
    const now = s.alarm && KIND[s.alarm];
    if (was === now) return;
    if (was) store.clear(sessionId, was);
    if (now && s.alarm) store.raise({ sessionId, kind: now, text: staffVideoWords().alarm[s.alarm] });
  });
}
