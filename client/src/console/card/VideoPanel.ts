import type { SessionStatus } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { VideoState, type VideoStateSnapshot } from '../../common/VideoState.js';
import { VideoStateView } from '../../common/VideoStateView.js';
import { blankStats, formatStats, readStats } from './mediaStats.js';
import { ZoomPan } from './ZoomPan.js';
import { t } from '../../staff-i18n/index.js';
import { staffVideoWords } from './videoWords.js';

/**
 * The caller's live video: its state on this screen (VideoState: connecting, live, paused, lost,
 * ended, with a timer and an alarm), fullscreen with the tools kept in an overlay, zoom at the
 * pointer with pan, blur (view on demand, to spare the dispatcher traumatic images), snapshot, and
 * the live media figures, blanked whenever the picture is not live.
 */
export class VideoPanel {
  readonly el: HTMLElement;
  readonly video: HTMLVideoElement;
  /** This screen's video state; observe it with `state.onChange` (the card and the rail do). */
  readonly state = new VideoState(performance.now());
  readonly zoom: ZoomPan;
  #stats = h('p', { class: 'stats muted', testid: 'media-stats', 'aria-live': 'off' }, t('console.video.noVideoYet'));
  #problem = h('p', { class: 'video-problem', testid: 'video-problem', role: 'status', hidden: true });
  #view: VideoStateView;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sample: { bytes: number; at: number } | undefined;
  #hadStats = false;
  #blurred: boolean;
  /** Observers of the blur: the stills of the session follow it (SnapshotList). */
  readonly blurChanged = new Set<(blurred: boolean) => void>();

  /** Whether the picture is blurred now. */
  get blurred(): boolean {
    return this.#blurred;
  }

  /**
   * `overlayExtras`: more controls the fullscreen overlay carries (the chat presets), lent to it while
   * fullscreen and given back after.
   */
  constructor(
    private readonly getStats: () => Promise<RTCStatsReport | undefined>,
    onSnapshot: (video: HTMLVideoElement) => Promise<void>,
    blurByDefault: boolean,
    overlayExtras: () => HTMLElement[] = () => [],
  ) {
    this.video = h('video', { testid: 'remote-video', autoplay: true, muted: true, playsinline: true, 'aria-label': t('console.video.callerVideo') });
    this.video.muted = true;
    const frame = h('div', { class: 'video-frame' }, this.video);
    this.#view = new VideoStateView(frame, this.state, staffVideoWords());
    this.zoom = new ZoomPan(frame, this.video);
    const overlay = h('div', { class: 'fullscreen-overlay', role: 'group', 'aria-label': t('console.video.fullscreenTools') });
    frame.append(
      h('div', { class: 'video-overlay-top' }, this.#view.badge, h('span', { class: 'zoom-badge' }, this.zoom.badge, this.zoom.resetButton)),
      this.#view.banner,
      this.#problem,
      overlay,
    );
    if (blurByDefault) frame.classList.add('blurred');
    this.#blurred = blurByDefault;
    const blur = tool(
      t('console.video.blur'),
      () => {
        this.#blurred = frame.classList.toggle('blurred');
        blur.setAttribute('aria-pressed', String(this.#blurred));
        for (const listener of [...this.blurChanged]) listener(this.#blurred);
      },
      'blur-toggle',
    );
    blur.setAttribute('aria-pressed', String(blurByDefault));
    const snapshot = tool(
      t('console.video.snapshot'),
      () => {
        snapshot.disabled = true;
        void onSnapshot(this.video).finally(() => (snapshot.disabled = false));
      },
      'snapshot-button',
    );
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': t('console.video.tools') },
      snapshot,
      blur,
      tool(t('console.video.zoomIn'), () => this.zoom.zoomBy(ZoomPan.STEP), 'zoom-in'),
      tool(t('console.video.zoomOut'), () => this.zoom.zoomBy(1 / ZoomPan.STEP), 'zoom-out'),
      tool(t('console.video.fullscreen'), () => void this.#toggleFullscreen(frame), 'fullscreen'),
    );
    this.el = h('div', { class: 'video-panel' }, frame, toolbar, this.#stats);
    lendWhileFullscreen(frame, overlay, () => [toolbar, ...overlayExtras()]);
    this.state.onChange((s) => this.#changed(s));
    this.#timer = setInterval(() => void this.#poll(), 1000);
  }

  show(track: MediaStreamTrack): void {
    this.setProblem(undefined);
    this.video.srcObject = new MediaStream([track]);
    void this.video.play().catch(() => undefined);
  }

  /** Why this browser cannot show the caller's video (the server's words), or undefined to clear it. */
  setProblem(reason: string | undefined): void {
    this.#problem.hidden = reason === undefined;
    this.#problem.textContent = reason === undefined ? '' : t('console.video.noVideoHere', { reason });
  }

  /** The server's session status (the card's). */
  session(status: SessionStatus): void {
    this.state.session(status, performance.now());
  }

  /** The caller paused or resumed their video (caller:media, media_paused / media_resumed). */
  callerPaused(paused: boolean): void {
    this.state.callerPaused(paused, performance.now());
  }

  /** Whether a video stream of the caller is consumed on this screen. */
  producer(present: boolean): void {
    this.state.producer(present, performance.now());
  }

  /** Stops watching: no more polling, no picture. The state stays as it is (ended, or as the console left it). */
  clear(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.video.srcObject = null;
    if (this.state.current.state !== 'live') this.#blank();
  }

  /** The sound is the alarm strip's (SessionCard routes the alarm there): one sound source for the console. */
  #changed(s: VideoStateSnapshot): void {
    this.el.classList.toggle('lost', s.alarm !== undefined);
    this.el.dataset['videoState'] = s.state;
    if (s.state !== 'live') this.#blank();
  }

  /** Figures of a picture that is not live are not shown: a frozen frame's bitrate would mislead. */
  #blank(): void {
    if (!this.#hadStats) return;
    this.#stats.textContent = blankStats();
    this.#stats.dataset['blank'] = 'true';
  }

  async #toggleFullscreen(frame: HTMLElement): Promise<void> {
    if (document.fullscreenElement === frame) await document.exitFullscreen().catch(() => undefined);
    else await frame.requestFullscreen?.().catch(() => undefined);
  }

  async #poll(): Promise<void> {
    const report = await this.getStats().catch(() => undefined);
    const read = report && readStats(report, this.#sample);
    const now = performance.now();
    if (read) this.state.frames(read.stats.framesDecoded, now);
    else this.state.tick(now);
    this.#view.render(now);
    if (!read) return;
    this.#sample = read.sample;
    this.#hadStats ||= read.stats.framesDecoded > 0;
    if (this.state.current.state === 'live') {
      this.#stats.textContent = formatStats(read.stats);
      delete this.#stats.dataset['blank'];
    } else this.#blank();
  }
}

/**
 * Moves `controls()` into `overlay` while `frame` is fullscreen and puts each back where it was after:
 * the same buttons (their test ids, their state) serve in and out of fullscreen.
 */
function lendWhileFullscreen(frame: HTMLElement, overlay: HTMLElement, controls: () => HTMLElement[]): void {
  let lent: { el: HTMLElement; mark: Comment }[] = [];
  // Fired at the element that enters or leaves fullscreen.
  frame.addEventListener('fullscreenchange', () => {
    if (document.fullscreenElement === frame && lent.length === 0) {
      lent = controls()
        .filter((el) => el.parentNode)
        .map((el) => {
          const mark = document.createComment('lent to the fullscreen overlay');
          el.replaceWith(mark);
          overlay.append(el);
          return { el, mark };
        });
    } else if (document.fullscreenElement !== frame) {
      for (const { el, mark } of lent) mark.replaceWith(el);
      lent = [];
    }
  });
}

function tool(label: string, onClick: () => void, testid?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'small', testid }, label);
  b.addEventListener('click', onClick);
  return b;
}
