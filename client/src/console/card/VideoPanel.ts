import { h } from '../../common/dom.js';
import { beep } from './SoundAlerts.js';
import { formatStats, readStats } from './mediaStats.js';

/**
 * The caller's live video: fullscreen, zoom, blur (view on demand, to spare the dispatcher
 * traumatic images), snapshot, live media figures, and a visible and audible alert when the
 * picture stops.
 */
export class VideoPanel {
  readonly el: HTMLElement;
  readonly video: HTMLVideoElement;
  #stats = h('p', { class: 'stats muted', testid: 'media-stats', 'aria-live': 'off' }, 'no video yet');
  #alert = h('p', { class: 'video-alert', testid: 'video-lost', role: 'alert', hidden: true }, 'VIDEO LOST — reconnecting');
  #problem = h('p', { class: 'video-problem', testid: 'video-problem', role: 'status', hidden: true });
  #zoom = 1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastFrames = 0;
  #stalledSince: number | undefined;
  #hadVideo = false;
  #alerting = false;

  constructor(
    private readonly getStats: () => Promise<RTCStatsReport | undefined>,
    onSnapshot: (video: HTMLVideoElement) => Promise<void>,
    blurByDefault: boolean,
  ) {
    this.video = h('video', { testid: 'remote-video', autoplay: true, muted: true, playsinline: true, 'aria-label': 'Caller video' });
    this.video.muted = true;
    const frame = h('div', { class: 'video-frame' }, this.video, this.#alert, this.#problem);
    if (blurByDefault) frame.classList.add('blurred');
    const blur = tool('Blur', () => blur.setAttribute('aria-pressed', String(frame.classList.toggle('blurred'))), 'blur-toggle');
    blur.setAttribute('aria-pressed', String(blurByDefault));
    const snapshot = tool(
      'Snapshot',
      () => {
        snapshot.disabled = true;
        void onSnapshot(this.video).finally(() => (snapshot.disabled = false));
      },
      'snapshot-button',
    );
    this.el = h(
      'div',
      { class: 'video-panel' },
      frame,
      h(
        'div',
        { class: 'toolbar', role: 'toolbar', 'aria-label': 'Video tools' },
        snapshot,
        blur,
        tool('Zoom +', () => this.#setZoom(this.#zoom * 1.25)),
        tool('Zoom −', () => this.#setZoom(this.#zoom / 1.25)),
        tool('Fullscreen', () => void frame.requestFullscreen?.().catch(() => undefined), 'fullscreen'),
      ),
      this.#stats,
    );
  }

  show(track: MediaStreamTrack): void {
    this.setProblem(undefined);
    this.video.srcObject = new MediaStream([track]);
    void this.video.play().catch(() => undefined);
    this.#timer ??= setInterval(() => void this.#poll(), 1000);
  }

  /** Why this browser cannot show the caller's video (the server's words), or undefined to clear it. */
  setProblem(reason: string | undefined): void {
    this.#problem.hidden = reason === undefined;
    this.#problem.textContent = reason === undefined ? '' : `No video here: ${reason}`;
  }

  /** Raised by the card when the session itself says the caller's media is gone. */
  setLost(lost: boolean): void {
    if (lost === this.#alerting) return;
    this.#alerting = lost;
    this.#alert.hidden = !lost;
    this.el.classList.toggle('lost', lost);
    if (lost) beep();
  }

  clear(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.video.srcObject = null;
    this.setLost(false);
  }

  #setZoom(z: number): void {
    this.#zoom = Math.min(4, Math.max(1, z));
    this.video.style.transform = `scale(${this.#zoom})`;
  }

  #sample: { bytes: number; at: number } | undefined;

  async #poll(): Promise<void> {
    const report = await this.getStats().catch(() => undefined);
    const read = report && readStats(report, this.#sample);
    if (!read) return;
    this.#sample = read.sample;
    this.#stats.textContent = formatStats(read.stats);
    // Frames that stop for 3 s while we expect video count as lost video.
    const now = Date.now();
    if (read.stats.framesDecoded > this.#lastFrames) {
      this.#hadVideo = true;
      this.#stalledSince = undefined;
      this.setLost(false);
    } else if (this.#hadVideo) {
      this.#stalledSince ??= now;
      if (now - this.#stalledSince > 3000) this.setLost(true);
    }
    this.#lastFrames = read.stats.framesDecoded;
  }
}

function tool(label: string, onClick: () => void, testid?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'small', testid }, label);
  b.addEventListener('click', onClick);
  return b;
}
