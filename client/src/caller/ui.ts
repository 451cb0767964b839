import type { ChatMessage, Language } from '@sightline/shared';
import { h } from '../common/dom.js';
import { DEFAULT_TEXT, LANGUAGE_NAMES, loadText, RTL, type CallerText } from './i18n/index.js';

/** The caller page's DOM: texts in the chosen language, status line, help, chat log. */
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export type StatusKey = keyof CallerText['status'] | 'camera_denied' | 'error';

export class CallerUi {
  #lang: Language = 'nb';
  #text: CallerText = DEFAULT_TEXT;
  #status: StatusKey = 'ready';
  #recording: keyof CallerText['recording'] = 'on-demand';
  #messages: ChatMessage[] = [];

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
    this.setRecording(this.#recording);
    this.setStatus(this.#status);
    this.#renderChat();
  }

  setRecording(policy: keyof CallerText['recording']): void {
    this.#recording = policy;
    $('recording').textContent = this.text.recording[policy];
  }

  /** The status line always starts with the machine-readable state (tests and support staff read it). */
  setStatus(state: StatusKey, detail?: string): void {
    this.#status = state;
    const el = $('status');
    el.dataset['state'] = state;
    const words = detail ?? (state in this.text.status ? this.text.status[state as keyof CallerText['status']] : '');
    el.textContent = words ? `${state} — ${words}` : state;
  }

  setRecordingActive(active: boolean): void {
    const el = $('rec');
    el.hidden = !active;
    el.textContent = active ? `● REC — ${this.text.recording.always}` : '';
  }

  showHelp(message: string): void {
    const help = $('help');
    help.textContent = message;
    help.hidden = false;
  }

  setWeakNetwork(weak: boolean): void {
    const q = $('quality');
    q.hidden = !weak;
    q.textContent = weak ? this.text.status.weak : '';
    q.dataset['quality'] = weak ? 'weak' : 'good';
  }

  addChat(message: ChatMessage): void {
    this.#messages.push(message);
    $('chat').hidden = false;
    this.#renderChat();
  }

  note(message: string): void {
    $('extras-note').textContent = message;
  }

  #renderChat(): void {
    const log = $('chat-log');
    log.replaceChildren(
      ...this.#messages.map((m) =>
        h('li', { 'data-from': m.from, 'data-preset': m.presetId }, m.presetId ? this.text.presets[m.presetId] : m.text),
      ),
    );
  }
}
