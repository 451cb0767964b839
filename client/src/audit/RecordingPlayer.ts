import { num, t, timeElement } from '../staff-i18n/index.js';
import type { RecordingInfo } from '@sightline/shared';
import { api } from '../common/api.js';
import { h } from '../common/dom.js';
import { formatDuration, isPlayable, segmentSpan, type Mark } from './timelineModel.js';

/**
 * One recording segment for the supervisor: a player, and under it a scrub bar with the session's
 * marks that fall inside the segment (the same marks as the timeline chart) and a playhead; a click
 * on the bar or a mark seeks. Nothing is fetched until the supervisor plays or seeks
 * (`preload="none"`), and the first play of this player is logged as `recording_played` (POST
 * …/played); reads of the file are logged by the server as looks. Seeking and playback use HTTP Range
 * (cookie auth: a <video> cannot send a bearer header).
 */
export class RecordingPlayer {
  readonly el: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly start: number;
  readonly end: number;
  #played = false;
  #head: HTMLElement;

  constructor(
    private readonly sessionId: string,
    readonly info: RecordingInfo,
    marks: Mark[],
    sessionEnd: number,
    private readonly token: () => string,
  ) {
    ({ start: this.start, end: this.end } = segmentSpan(info, sessionEnd));
    this.video = h('video', {
      testid: 'recording-player',
      controls: true,
      preload: 'none',
      'data-recording': info.name,
      'aria-label': t('audit.recording.label', { segment: info.segment }),
      src: `/api/sessions/${sessionId}/recordings/${encodeURIComponent(info.name)}`,
    });
    this.video.addEventListener('play', () => this.#logPlay());
    this.#head = h('span', { class: 'scrub-head', 'aria-hidden': 'true' });
    const bar = this.#scrubBar(marks);
    this.video.addEventListener('timeupdate', () => this.#place(this.#head, this.start + this.video.currentTime * 1000));
    const times = [timeElement(info.startedAt), ...(info.endedAt ? ['–', timeElement(info.endedAt)] : [])];
    const rest = ` · ${info.durationSec === undefined ? '?' : num(info.durationSec, 1)} s · ${info.bytes ? `${Math.round(info.bytes / 1024)} KiB` : ''} · ${info.codecs.join(', ')} · ${isPlayable(info) ? t('audit.recording.playable') : info.status}`;
    this.el = h(
      'div',
      { class: 'recording' },
      this.video,
      bar,
      h('p', { class: 'muted' }, `${t('audit.recording.segment', { segment: info.segment })} · `, ...times, rest),
    );
  }

  /** Whether `at` (ms since the epoch) falls inside this segment. */
  covers(at: number): boolean {
    return at >= this.start && at <= this.end;
  }

  /** Seeks to `at` (clamped to the segment), loading the file's metadata first if nothing was fetched yet. */
  async seek(at: number): Promise<void> {
    const offset = Math.max(0, Math.min(at, this.end) - this.start) / 1000;
    if (this.video.readyState === HTMLMediaElement.HAVE_NOTHING) {
      const loaded = new Promise((r) => this.video.addEventListener('loadedmetadata', r, { once: true }));
      this.video.preload = 'metadata';
      this.video.load();
      await loaded;
    }
    this.video.currentTime = Math.min(offset, Number.isFinite(this.video.duration) ? this.video.duration : offset);
    this.#place(this.#head, this.start + offset * 1000);
    this.el.scrollIntoView({ block: 'nearest' });
  }

  #logPlay(): void {
    if (this.#played) return;
    this.#played = true;
    void api('POST /api/sessions/:id/recordings/:name/played', { token: this.token(), params: { id: this.sessionId, name: this.info.name } }).catch(() => {
      this.#played = false; // not on the record: the next play tries again
    });
  }

  #scrubBar(marks: Mark[]): HTMLElement {
    const bar = h('div', { class: 'scrub', testid: 'recording-scrub', 'data-recording': this.info.name });
    bar.addEventListener('click', (e) => {
      if (e.target !== bar) return;
      const box = bar.getBoundingClientRect();
      void this.seek(this.start + ((e.clientX - box.left) / box.width) * (this.end - this.start));
    });
    for (const m of marks.filter((m) => m.lane !== 'access' && m.lane !== 'recording' && this.covers(m.at))) {
      const when = formatDuration(m.at - this.start);
      const tick = h(
        'button',
        { type: 'button', class: `scrub-mark lane-${m.lane} kind-${m.kind}`, 'data-kind': m.kind, title: `${when} ${m.label}` },
        h('span', { class: 'sr-only' }, `${when} ${m.label}`),
      );
      tick.addEventListener('click', () => void this.seek(m.at));
      this.#place(tick, m.at);
      bar.append(tick);
    }
    bar.append(this.#head);
    return bar;
  }

  /** Positions an element on the bar at `at` (CSSOM, as the page's CSP allows no style attributes). */
  #place(el: HTMLElement, at: number): void {
    const span = Math.max(1, this.end - this.start);
    el.style.left = `${(Math.max(0, Math.min(1, (at - this.start) / span)) * 100).toFixed(2)}%`;
  }
}
