import type { VideoStateWords } from '../../common/VideoStateView.js';
import { t } from '../../staff-i18n/index.js';

/** The console's words for its video states (common/VideoStateView.ts), in the staff member's language. */
export function staffVideoWords(): VideoStateWords {
  return {
    state: {
      connecting: t('console.video.state.connecting'),
      live: t('console.video.state.live'),
      paused: t('console.video.state.paused'),
      lost: t('console.video.state.lost'),
      ended: t('console.video.state.ended'),
    },
    waiting: t('console.video.state.waiting'),
    alarm: { 'no-frame': t('console.video.alarm.noFrame'), stalled: t('console.video.alarm.lost'), 'caller-gone': t('console.video.alarm.lost') },
  };
}
