/**
 * A page's audible alert (the console's, the viewer's): two short tones, made locally (no sound file to fetch).
 *
 * Browsers keep an AudioContext `suspended` until the page has had a user gesture (the autoplay
 * policy: https://developer.chrome.com/blog/autoplay/ and the HTML "sticky activation" rule), and a
 * reload of the console starts a new page without one. So the context is made at load, resumed at the
 * first gesture anywhere on the page (a click, a key, a tap: the dispatcher's first action of the
 * shift), and until then the header shows a control that says sound is off and turns it on.
 */
export type SoundState = 'on' | 'blocked' | 'unavailable';

const GESTURES = ['pointerdown', 'keydown', 'touchend', 'click'] as const;

export class SoundAlerts {
  #ctx: AudioContext | undefined;
  #listeners = new Set<(state: SoundState) => void>();

  constructor() {
    try {
      this.#ctx = new AudioContext();
    } catch {
      // No Web Audio (or no output device): the visible alerts still stand.
      return;
    }
    this.#ctx.addEventListener('statechange', () => this.#changed());
    const unlock = () => void this.unlock();
    // Capture phase: a handler deeper in the page that stops propagation must not keep sound off.
    for (const g of GESTURES) window.addEventListener(g, unlock, { capture: true });
    this.onChange((s) => {
      if (s === 'on') for (const g of GESTURES) window.removeEventListener(g, unlock, { capture: true });
    });
  }

  /** `on` once the context runs; `blocked` while the browser holds it suspended; `unavailable` without Web Audio. */
  get state(): SoundState {
    if (!this.#ctx || this.#ctx.state === 'closed') return 'unavailable';
    return this.#ctx.state === 'running' ? 'on' : 'blocked';
  }

  /** Observes state changes; returns the unsubscribe. */
  onChange(listener: (state: SoundState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resumes the context. Only works inside a user gesture's handler (else it stays `blocked`). */
  async unlock(): Promise<void> {
    if (this.#ctx?.state !== 'suspended') return;
    await this.#ctx.resume().catch(() => undefined);
  }

  beep(): void {
    const ctx = this.#ctx;
    if (!ctx || ctx.state !== 'running') return;
    try {
      const now = ctx.currentTime;
      for (const [i, freq] of [880, 660].entries()) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.2, now + i * 0.25);
        gain.gain.exponentialRampToValueAtTime(0.001, now + i * 0.25 + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(now + i * 0.25);
        osc.stop(now + i * 0.25 + 0.22);
      }
    } catch {
      // No audio output: the visible alert still stands.
    }
  }

  #changed(): void {
    const state = this.state;
    for (const l of this.#listeners) {
      try {
        l(state);
      } catch {
        // One broken observer must not silence the others.
      }
    }
  }
}

/** The page's one sound source (one AudioContext a page: browsers limit how many may exist). */
export const soundAlerts = new SoundAlerts();

export function beep(): void {
  soundAlerts.beep();
}

/**
 * The header's "enable sound alerts" control: visible while sound is blocked, with the state in
 * `data-state` (`on`, `blocked`, `unavailable`); a click on it is itself the gesture that unlocks.
 */
export function wireSoundControl(button: HTMLButtonElement, alerts: SoundAlerts = soundAlerts): void {
  const show = (state: SoundState) => {
    button.dataset['state'] = state;
    button.hidden = state !== 'blocked';
  };
  button.addEventListener('click', () => void alerts.unlock());
  alerts.onChange(show);
  show(alerts.state);
}
