import type { CallerText } from './i18n/index.js';

/** What the caller hears: `on`, `off` (the caller silenced it) or `blocked` (the browser will not play sound now). */
export type MetronomeSound = 'on' | 'off' | 'blocked';

/** How far ahead clicks are put on the audio clock (s), and how often the scheduler looks (ms). */
const LOOKAHEAD_S = 0.15;
const TICK_MS = 25;
/** One click: a short 1 kHz blip (s), loud enough over a phone's speaker in a noisy room. */
const CLICK_S = 0.05;
const MUTED_KEY = 'sightline.metronome.muted';

/**
 * The CPR metronome on the caller's page (issue #15 §2): a big visual pulse on every beat and, where
 * the browser allows sound, a click. The beat is one timeline, beat k at `t0 + k·period` on the page's
 * clock; clicks are put on the audio clock ahead of time (Chris Wilson, "A Tale of Two Clocks",
 * web.dev 2013), so a busy main thread or a late timer cannot make the rhythm stumble, and the pulse
 * is drawn on the animation frame its beat falls in. Playing sound needs a user gesture in most
 * browsers: every tap on the page is used to unlock it (the caller has tapped Start video); while it
 * stays blocked (or the phone's own call holds the audio, as on an iPhone), the pulse alone runs and
 * the page says so, with a button to try the sound again. It touches neither the camera nor the
 * connection. Test hooks on the element: `data-bpm`, `data-beat` (beats shown), `data-sound`.
 */
export class Metronome {
  #ctx: AudioContext | undefined;
  /** Audio clock minus page clock (s), taken when the audio clock last started running. */
  #offset = 0;
  #bpm = 0;
  #t0 = 0;
  #shown = -1;
  #scheduled = -1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;
  #muted = sessionStorage.getItem(MUTED_KEY) === '1';
  #text: CallerText['metronome'] | undefined;
  readonly #still = matchMedia('(prefers-reduced-motion: reduce)');

  constructor(
    private readonly el: HTMLElement,
    private readonly beat: HTMLElement,
    private readonly words: HTMLElement,
    private readonly note: HTMLElement,
    private readonly button: HTMLButtonElement,
  ) {
    // Any tap may unlock the sound (capture: before a handler can stop it).
    for (const type of ['pointerdown', 'keydown', 'touchend']) document.addEventListener(type, () => this.#unlock(), { capture: true });
    button.addEventListener('click', () => {
      // Unless the browser blocks the sound, the button silences it or brings it back; blocked, the tap itself is the retry.
      if (this.sound !== 'blocked') this.#muted = !this.#muted;
      sessionStorage.setItem(MUTED_KEY, this.#muted ? '1' : '0');
      this.#unlock();
      this.#render();
    });
  }

  get running(): boolean {
    return this.#bpm > 0;
  }

  get sound(): MetronomeSound {
    if (this.#muted) return 'off';
    return this.#ctx?.state === 'running' ? 'on' : 'blocked';
  }

  /** Runs at `bpm` (beats per minute) or stops; a repeat of the running tempo changes nothing. */
  set(on: boolean, bpm: number): void {
    if (!on || bpm <= 0) return this.stop();
    if (bpm === this.#bpm) return;
    this.#bpm = bpm;
    this.#t0 = performance.now() + 100;
    this.#shown = -1;
    this.#scheduled = -1;
    this.el.hidden = false;
    this.el.dataset['bpm'] = String(bpm);
    this.el.dataset['beat'] = '0';
    this.#unlock();
    this.#timer ??= setInterval(() => this.#schedule(), TICK_MS);
    this.#frame ||= requestAnimationFrame(this.#draw);
    this.#render();
  }

  stop(): void {
    this.#bpm = 0;
    this.el.hidden = true;
    delete this.el.dataset['bpm'];
    clearInterval(this.#timer);
    this.#timer = undefined;
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    // A silent context costs battery: suspended until the next start (it stays unlocked).
    void this.#ctx?.suspend().catch(() => undefined);
  }

  /** The words in the caller's language (the page calls this on every language switch). */
  render(text: CallerText): void {
    this.#text = text.metronome;
    this.#render();
  }

  #render(): void {
    const t = this.#text;
    const sound = this.sound;
    this.el.dataset['sound'] = sound;
    if (!t) return;
    this.words.textContent = t.push;
    this.note.textContent = sound === 'on' ? '' : sound === 'off' ? t.muted : t.blocked;
    this.note.hidden = sound === 'on';
    this.button.textContent = sound === 'on' ? t.soundOff : t.soundOn;
  }

  /**
   * Creates or resumes the audio context: on every tap (a user gesture, which Safari asks for) and when
   * the metronome starts. The first tap, the caller's Start video, unlocks it before any metronome
   * runs: it is then suspended again at once (a silent context costs battery) and stays allowed to
   * resume later without a tap. Nothing is created or resumed while the caller has turned the click off.
   */
  #unlock(): void {
    if (this.#muted || (this.#ctx && !this.running)) return;
    this.#ctx ??= this.#create();
    const ctx = this.#ctx;
    if (!ctx) return;
    if (ctx.state !== 'running')
      void ctx
        .resume()
        .then(() => (this.running ? undefined : ctx.suspend()))
        .catch(() => undefined);
    this.#sync();
  }

  #create(): AudioContext | undefined {
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return undefined;
    const ctx = new Ctor({ latencyHint: 'interactive' });
    ctx.addEventListener('statechange', () => {
      this.#sync();
      this.#render();
    });
    return ctx;
  }

  /** Takes the audio clock's offset from the page clock (changes only when the context stops and starts). */
  #sync(): void {
    const ctx = this.#ctx;
    if (ctx?.state !== 'running') return;
    if (!this.running) return;
    const stamp = ctx.getOutputTimestamp?.();
    this.#offset = stamp?.contextTime && stamp.performanceTime ? stamp.contextTime - stamp.performanceTime / 1000 : ctx.currentTime - performance.now() / 1000;
    // Beats already due are not played late.
    this.#scheduled = Math.max(this.#scheduled, Math.floor((performance.now() - this.#t0) / this.#period()));
  }

  #period(): number {
    return 60_000 / this.#bpm;
  }

  /** Puts every click due within the lookahead on the audio clock, once each. */
  #schedule(): void {
    const ctx = this.#ctx;
    if (!this.running || !ctx || ctx.state !== 'running') return;
    const period = this.#period();
    const horizon = performance.now() + LOOKAHEAD_S * 1000;
    for (let k = this.#scheduled + 1; this.#t0 + k * period < horizon; k++) {
      this.#scheduled = k;
      if (!this.#muted) this.#click(ctx, (this.#t0 + k * period) / 1000 + this.#offset);
    }
  }

  #click(ctx: AudioContext, at: number): void {
    if (at < ctx.currentTime) return;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 1000;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.9, at + 0.002);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + CLICK_S);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + CLICK_S + 0.01);
  }

  /** One animation frame: the pulse of the beat this frame falls in, drawn once. */
  #draw = (now: number): void => {
    if (!this.running) return;
    this.#frame = requestAnimationFrame(this.#draw);
    const k = Math.floor((now - this.#t0) / this.#period());
    if (k <= this.#shown || k < 0) return;
    this.#shown = k;
    this.el.dataset['beat'] = String(k + 1);
    // Reduced motion: the circle flips colour on each beat, nothing moves; otherwise it is pressed like a chest.
    this.beat.dataset['phase'] = k % 2 ? 'b' : 'a';
    if (!this.#still.matches)
      this.beat.animate([{ transform: 'scale(0.78)' }, { transform: 'scale(1)' }], { duration: Math.min(300, this.#period() * 0.6), easing: 'ease-out' });
  };
}
