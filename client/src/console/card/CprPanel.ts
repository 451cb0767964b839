import { formatTime, num, t, utcInstant, type TextKey } from '../../staff-i18n/index.js';
import { CPR_PAUSE_MIN_SECONDS, CPR_TARGET_RATE, CPR_WINDOW_SECONDS, type SessionEvent } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { request } from '../../common/signalling.js';
import type { CprReading } from '../cpr/CprEstimator.js';
import { CprMeasurement } from '../cpr/CprMeasurement.js';
import { FrameSampler } from '../cpr/FrameSampler.js';
import type { CardContext } from './context.js';

/** Why there is no rate now, in the dispatcher's words (the estimator's reasons). */
const NO_READING: ReadonlySet<string> = new Set(['too_short', 'too_still', 'not_periodic', 'inconsistent', 'no_video']);

/**
 * The CPR coach on a session card (issue #15 §2): the CPR mode button, the measured rate against the
 * 100–120 target, pauses and hands-off time, and the plain statement that this is a coaching aid.
 * While CPR mode is on (the session log says so: `cpr_started` … `cpr_ended`), it samples the card's
 * video into a CprMeasurement (the estimator, in a worker) and reports every window and pause to the server. `slot` holds the
 * caller's metronome button beside the CPR controls.
 */
export class CprPanel {
  readonly el: HTMLElement;
  /** Where the caller's metronome control sits, beside CPR mode. */
  readonly slot = h('span', { class: 'cpr-slot' });
  #button = h('button', { type: 'button', class: 'small', testid: 'cpr-mode-button', 'aria-pressed': 'false' }, t('console.cpr.mode'));
  #rate = h('output', { class: 'cpr-rate', testid: 'cpr-rate', 'data-quality': 'none' }, '—');
  #status = h('span', { class: 'cpr-status muted' });
  #handsOff = h('span', { class: 'cpr-hands-off' });
  #pauses = h('ol', { class: 'cpr-pauses', 'aria-label': t('console.cpr.pauses') });
  #readout: HTMLElement;
  #estimator: CprMeasurement | undefined;
  #sampler: FrameSampler | undefined;
  #clock: ReturnType<typeof setInterval> | undefined;
  /** Reports go out one after another, so the last window and pause reach the log before CPR mode ends. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: CardContext,
    private readonly video: HTMLVideoElement,
  ) {
    this.#button.addEventListener('click', () => void this.#toggle());
    this.#readout = h(
      'div',
      { class: 'cpr-readout', role: 'group', 'aria-label': t('console.cpr.rate'), hidden: true },
      h('span', { class: 'cpr-figure' }, this.#rate, h('span', { class: 'cpr-unit' }, ' /min')),
      h('span', { class: 'cpr-target' }, t('console.cpr.target', { min: CPR_TARGET_RATE.min, max: CPR_TARGET_RATE.max })),
      h('span', { 'aria-live': 'polite' }, this.#status),
      this.#handsOff,
      this.#pauses,
    );
    this.el = h(
      'section',
      { class: 'cpr-panel', 'aria-label': t('console.cpr.coach') },
      h('div', { class: 'cpr-controls' }, this.#button, this.slot),
      this.#readout,
      h('p', { class: 'cpr-disclaimer muted' }, t('console.cpr.disclaimer')),
    );
  }

  /**
   * Whether this tab reports what it measures to the log: the tab whose click turned CPR mode on (a
   * reload keeps it: sessionStorage is per tab). Another console with the card open measures and
   * shows the rate too, but reports nothing, so the log holds one window per 10 s, not one per screen.
   */
  get #reporter(): boolean {
    return sessionStorage.getItem(`sightline.cpr.reporter.${this.ctx.sessionId}`) === '1';
  }

  #setReporter(on: boolean): void {
    const key = `sightline.cpr.reporter.${this.ctx.sessionId}`;
    if (on) sessionStorage.setItem(key, '1');
    else sessionStorage.removeItem(key);
  }

  /** Whether CPR mode is on here (measuring). */
  get active(): boolean {
    return this.#estimator !== undefined;
  }

  /** The session log decides: an episode opened (here or by a reloaded console) starts measuring; its end stops it. */
  event(e: SessionEvent): void {
    if (e.type === 'cpr_started') this.#start();
    else if (e.type === 'cpr_ended' || e.type === 'ended') {
      this.#setReporter(false);
      void this.#stop(false);
    }
  }

  /** The session ended: its log closed the episode; nothing more to send. */
  ended(): void {
    void this.#stop(false);
  }

  /** The card goes away (signed out) while measuring: the last window, then CPR mode off, as far as the socket still carries them. */
  close(): void {
    // Only the reporting tab speaks for the episode: another console signing out leaves it on.
    if (this.active && this.#reporter) void this.#end();
    else void this.#stop(false);
  }

  async #toggle(): Promise<void> {
    this.#button.disabled = true;
    try {
      if (this.active) await this.#end();
      else {
        this.#setReporter(true);
        await request(this.ctx.socket, 'cpr:mode', { sessionId: this.ctx.sessionId, on: true }).catch((err: unknown) => {
          this.#setReporter(false);
          throw err;
        });
        this.#start();
      }
    } catch {
      // The server refused or is unreachable: the button shows the state as it is.
    } finally {
      this.#button.disabled = false;
    }
  }

  /** Ends CPR mode from this console: the last (partial) window and an open pause first, then `cpr:mode` off. */
  async #end(): Promise<void> {
    await this.#stop(true);
    this.#setReporter(false);
    await this.#send(() => request(this.ctx.socket, 'cpr:mode', { sessionId: this.ctx.sessionId, on: false }));
  }

  #start(): void {
    if (this.active) return;
    const estimator = new CprMeasurement({ windowSeconds: CPR_WINDOW_SECONDS, pauseMinSeconds: CPR_PAUSE_MIN_SECONDS });
    const { sessionId, socket } = this.ctx;
    estimator.readings.add((r) => this.#show(r));
    estimator.windows.add((w) => {
      this.#handsOff.textContent = t('console.cpr.handsOff', { handsOff: num(w.handsOffSeconds, 1), seconds: w.seconds });
      const { rate, quality, seconds, handsOffSeconds } = w;
      if (this.#reporter) void this.#send(() => request(socket, 'cpr:window', { sessionId, rate, quality, seconds, handsOffSeconds }));
    });
    estimator.pauses.add((p) => {
      const at = Date.now() - (performance.now() - p.end);
      this.#pauses.prepend(
        h('li', { class: 'cpr-pause', title: utcInstant(at) }, t('console.cpr.pause', { seconds: num(p.seconds, 1), time: formatTime(at) })),
      );
      while (this.#pauses.children.length > 5) this.#pauses.lastElementChild?.remove();
      if (this.#reporter) void this.#send(() => request(socket, 'cpr:pause', { sessionId, seconds: p.seconds }));
    });
    this.#estimator = estimator;
    this.#sampler = new FrameSampler(this.video, (f) => estimator.push(f));
    this.#sampler.start();
    // Readings fall due even when no frame comes (video lost): "no reading", not the last number.
    this.#clock = setInterval(() => {
      estimator.advance(performance.now());
      this.el.dataset['sampleMs'] = this.#sampler?.meanMs.toFixed(3);
      this.el.dataset['sampleMaxMs'] = this.#sampler?.cost.maxMs.toFixed(1);
      this.el.dataset['estimator'] = estimator.inWorker ? 'worker' : 'page';
    }, 500);
    this.#pauses.replaceChildren();
    this.#handsOff.textContent = '';
    this.#show({ at: 0, rate: null, reason: 'too_short' });
    this.#setPressed(true);
  }

  /** Stops measuring; `report`: the window so far and an open pause still go to the log (resolves once they are queued). */
  async #stop(report: boolean): Promise<void> {
    const estimator = this.#estimator;
    if (!estimator) return;
    clearInterval(this.#clock);
    this.#sampler?.stop();
    this.#estimator = undefined;
    // A reading still on its way from the worker must not overwrite "CPR mode off".
    estimator.readings.clear();
    const last = report ? estimator.stop(performance.now()) : Promise.resolve(estimator.discard());
    this.#sampler = undefined;
    this.#show({ at: 0, rate: null, reason: 'too_short' });
    this.#status.textContent = t('console.cpr.off');
    this.#setPressed(false);
    await last;
  }

  #send(job: () => Promise<unknown>): Promise<unknown> {
    this.#queue = this.#queue.then(job).catch(() => undefined);
    return this.#queue;
  }

  #setPressed(on: boolean): void {
    this.#button.setAttribute('aria-pressed', String(on));
    this.#button.textContent = on ? t('console.cpr.end') : t('console.cpr.mode');
    this.#readout.hidden = !on;
    this.el.classList.toggle('active', on);
  }

  #show(r: CprReading): void {
    const ok = r.rate !== null;
    this.#rate.textContent = ok ? String(r.rate) : '—';
    this.#rate.dataset['quality'] = ok ? 'ok' : 'none';
    const band = !ok ? '' : r.rate! < CPR_TARGET_RATE.min ? 'slow' : r.rate! > CPR_TARGET_RATE.max ? 'fast' : 'in';
    this.#rate.dataset['band'] = band;
    if (r.reason === 'paused') this.#status.textContent = t('console.cpr.paused', { seconds: Math.round(r.pausedFor ?? 0) });
    else if (ok) this.#status.textContent = t(band === 'in' ? 'console.cpr.inRange' : band === 'slow' ? 'console.cpr.tooSlow' : 'console.cpr.tooFast');
    else this.#status.textContent = r.reason && NO_READING.has(r.reason) ? t(`console.cpr.noReading.${r.reason}` as TextKey) : t('console.cpr.noReading.other');
  }
}
