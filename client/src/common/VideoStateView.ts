import { h } from './dom.js';
import type { VideoAlarm, VideoState, VideoStateName, VideoStateSnapshot } from './VideoState.js';

/** The words of one screen's video state, in the language of that screen. */
export interface VideoStateWords {
  state: Record<VideoStateName, string>;
  /** `connecting` while the server does not say live yet: the caller has not started their video. */
  waiting: string;
  /** The alarm banner, by cause. */
  alarm: Record<VideoAlarm, string>;
}

export const ENGLISH_VIDEO_WORDS: VideoStateWords = {
  state: { connecting: 'Connecting video', live: 'Live', paused: 'Paused by caller', lost: 'Video lost', ended: 'Video ended' },
  waiting: 'Waiting for video',
  alarm: {
    'no-frame': 'NO VIDEO on this screen — nothing received',
    stalled: 'VIDEO LOST — reconnecting',
    'caller-gone': 'VIDEO LOST — reconnecting',
  },
};

/** An icon beside every word: the state never rests on colour alone (WCAG 1.4.1). */
const ICON: Record<VideoStateName | 'waiting', string> = { waiting: '…', connecting: '⟳', live: '●', paused: '⏸', lost: '⚠', ended: '■' };
/** States whose badge counts the time spent in them (how long the dispatcher has been without a picture). */
const TIMED: ReadonlySet<VideoStateName> = new Set(['connecting', 'paused', 'lost']);

/** `m:ss` of a duration in ms (never negative). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Shows a VideoState on the element that holds the video (`video-state`, CONTRACT.md): its
 * `data-state`, a badge with icon, word and timer (`video-state-label`), and an alarm banner
 * (`video-lost`, role alert) while the state alarms. `render(now)` refreshes the timer (call it each
 * second); a change of state renders at once.
 */
export class VideoStateView {
  #icon = h('span', { class: 'icon', 'aria-hidden': 'true' });
  #word = h('span', { class: 'word' });
  // The ticking timer is hidden from assistive technology: a live region must not speak every second.
  #timer = h('span', { class: 'timer', 'aria-hidden': 'true' });
  readonly badge = h('p', { class: 'video-state-badge', testid: 'video-state-label', role: 'status' }, this.#icon, this.#word, this.#timer);
  readonly banner = h('p', { class: 'video-alert', testid: 'video-lost', role: 'alert', hidden: true });

  constructor(
    private readonly container: HTMLElement,
    private readonly state: VideoState,
    private readonly words: VideoStateWords = ENGLISH_VIDEO_WORDS,
    private readonly now: () => number = () => performance.now(),
  ) {
    container.dataset['testid'] = 'video-state';
    state.onChange(() => this.render());
    this.render();
  }

  render(at = this.now()): void {
    const s: VideoStateSnapshot = this.state.current;
    const key = s.state === 'connecting' && s.waiting ? 'waiting' : s.state;
    this.container.dataset['state'] = s.state;
    this.container.dataset['alarm'] = s.alarm ?? '';
    const word = key === 'waiting' ? this.words.waiting : this.words.state[s.state];
    const timer = TIMED.has(s.state) && !s.waiting ? ` ${clock(at - s.since)}` : '';
    this.badge.dataset['state'] = s.state;
    // Only what changed is written, so the live region speaks a new state and nothing else.
    if (this.#icon.textContent !== ICON[key]) this.#icon.textContent = ICON[key];
    if (this.#word.textContent !== word) this.#word.textContent = word;
    this.#timer.textContent = timer;
    this.banner.hidden = s.alarm === undefined;
    const alarm = s.alarm ? this.words.alarm[s.alarm] : '';
    if (this.banner.textContent !== alarm) this.banner.textContent = alarm;
  }
}
