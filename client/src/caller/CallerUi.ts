import type { ChatMessage, Language } from '@sightline/shared';
import { h } from '../common/dom.js';
import { DEFAULT_TEXT, LANGUAGE_NAMES, loadText, RTL, type CallerText } from './i18n/index.js';
import { DispatcherNotice, type NoticeKind, type NoticeWords } from './DispatcherNotice.js';
import { Metronome } from './Metronome.js';
import type { Platform } from './platform.js';
import { statusWords, type CallerState, type Words } from './status.js';

/**
 * Where the page stands, as `data-phase` on `main` (caller.css hides what does not belong):
 * `start` before the tap, `blocked` with the camera guide, `live` with the preview and its controls,
 * `stopped` after the caller's own stop (chat, location and photo stay), `ended` (only the end words).
 */
export type Phase = 'start' | 'blocked' | 'live' | 'stopped' | 'ended';

/** The caller page's DOM: texts in the chosen language, status line, help, chat log. */
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class CallerUi {
  #lang: Language = 'nb';
  #text: CallerText = DEFAULT_TEXT;
  #status: CallerState = 'loading';
  #statusWords: Words | undefined;
  #recording: keyof CallerText['recording'] = 'on-demand';
  #recordingActive = false;
  #weak = false;
  #note: Words | undefined;
  #help: Words | undefined;
  #paused = false;
  #messages: ChatMessage[] = [];
  #guide: Platform | undefined;
  readonly #notice = new DispatcherNotice($('notice'));
  /** The CPR metronome the dispatcher starts and stops (`cpr:metronome`); it stops when the call ends. */
  readonly metronome = new Metronome($('metronome'), $('metronome-beat'), $('metronome-words'), $('metronome-note'), $<HTMLButtonElement>('metronome-sound'));

  get text(): CallerText {
    return this.#text;
  }

  /** Fills the language switcher; choosing a language re-renders every text at once. */
  initLanguages(initial: Language): void {
    const select = $<HTMLSelectElement>('lang');
    for (const [code, name] of Object.entries(LANGUAGE_NAMES)) select.append(h('option', { value: code, lang: code }, name));
    select.addEventListener('change', () => void this.setLanguage(select.value as Language));
    void this.setLanguage(initial);
  }

  /** Switches every text at once, when the language's texts have arrived (the last choice wins). */
  async setLanguage(lang: Language): Promise<void> {
    this.#lang = lang;
    $<HTMLSelectElement>('lang').value = lang;
    const text = await loadText(lang).catch(() => undefined);
    if (!text || this.#lang !== lang) return;
    this.#text = text;
    document.documentElement.lang = lang;
    document.documentElement.dir = RTL.has(lang) ? 'rtl' : 'ltr';
    const t = this.text as unknown as Record<string, string>;
    document.querySelectorAll<HTMLElement>('[data-t]').forEach((el) => {
      const v = t[el.dataset['t']!];
      if (typeof v === 'string') el.textContent = v;
    });
    $('start').textContent = this.text.start;
    $('chat-send').setAttribute('aria-label', this.text.send);
    this.setRecording(this.#recording);
    this.setStatus(this.#status, this.#statusWords);
    this.setRecordingActive(this.#recordingActive);
    this.setWeakNetwork(this.#weak);
    if (this.#note) this.note(this.#note);
    if (this.#help) this.showHelp(this.#help);
    this.setPaused(this.#paused);
    if (this.#guide) this.showGuide(this.#guide);
    this.#notice.render(this.text);
    this.metronome.render(this.text);
    this.#renderChat();
  }

  /** Who is asking to see: the centre's name from the server's configuration (CENTRE_NAME). */
  setCentre(name: string): void {
    $('centre').textContent = name;
    $('asker').hidden = !name;
  }

  setPhase(phase: Phase): void {
    $('caller').dataset['phase'] = phase;
    if (phase !== 'blocked') {
      this.#guide = undefined;
      $('guide').hidden = true;
    }
    if (phase === 'ended') {
      this.#notice.hide();
      this.metronome.stop();
    }
  }

  /** The camera was blocked: the numbered steps for `platform`, "try again" and "send a photo instead". */
  showGuide(platform: Platform): void {
    this.setPhase('blocked');
    this.#guide = platform;
    $('guide-title').textContent = this.text.guide.title;
    $('guide-steps').replaceChildren(...this.text.guide[platform].map((step) => h('li', {}, step)));
    $('guide').hidden = false;
  }

  /** The dispatcher's action or message, over the preview, in the caller's language. */
  notify(kind: NoticeKind, words: NoticeWords): void {
    this.#notice.show(kind, words, this.text);
  }

  setRecording(policy: keyof CallerText['recording']): void {
    this.#recording = policy;
    $('recording').textContent = this.text.recording[policy];
  }

  /**
   * The state goes to `data-state` (machine-readable, CONTRACT.md); the text is for the caller, in
   * their language only: the state's own words, or `words` when there is more to say (what went
   * wrong). `reason` is for support staff and tests (`data-reason`), never shown.
   */
  setStatus(state: CallerState, words?: Words, reason?: string): void {
    this.#status = state;
    this.#statusWords = words;
    const el = $('status');
    el.dataset['state'] = state;
    if (reason !== undefined) el.dataset['reason'] = reason;
    else if (words === undefined) delete el.dataset['reason'];
    el.textContent = words ? words(this.text) : statusWords(this.text, state);
  }

  /** The pause button says what a tap will do (pause, or resume), in the language of the moment. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    const pause = $('pause');
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? this.text.resume : this.text.pause;
  }

  get recordingActive(): boolean {
    return this.#recordingActive;
  }

  setRecordingActive(active: boolean): void {
    this.#recordingActive = active;
    const el = $('rec');
    el.hidden = !active;
    el.textContent = active ? `● REC — ${this.text.recording.always}` : '';
  }

  showHelp(words: Words): void {
    this.#help = words;
    const help = $('help');
    help.textContent = words(this.text);
    help.hidden = false;
  }

  setWeakNetwork(weak: boolean): void {
    this.#weak = weak;
    const q = $('quality');
    q.hidden = !weak;
    q.textContent = weak ? this.text.status.weak : '';
    q.dataset['quality'] = weak ? 'weak' : 'good';
  }

  /** A chat message into the log; one from someone else is also shown over the preview. */
  addChat(message: ChatMessage): void {
    this.#messages.push(message);
    $('chat').hidden = false;
    this.#renderChat();
    if (message.from !== 'caller') this.notify('message', (t) => ({ from: t.from[message.from], text: this.#chatText(message, t) }));
  }

  /** A short line under the extras (location sent, photo not sent, ...), kept in the language of the moment. */
  note(words: Words): void {
    this.#note = words;
    $('extras-note').textContent = words(this.text);
  }

  #chatText(m: ChatMessage, t: CallerText): string {
    return m.presetId ? t.presets[m.presetId] : m.text;
  }

  #renderChat(): void {
    const log = $('chat-log');
    log.replaceChildren(
      ...this.#messages.map((m) =>
        h(
          'li',
          { 'data-from': m.from, 'data-preset': m.presetId },
          h('span', { class: 'chat-from' }, this.text.from[m.from]),
          // An isolate: a message written right-to-left (or with bidi controls) cannot run into the label.
          h('bdi', { class: 'chat-text' }, this.#chatText(m, this.text)),
        ),
      ),
    );
  }
}
