import type { ControlAction } from '@sightline/shared';
import { h } from '../common/dom.js';
import type { CallerText } from './i18n/types.js';

/** What the dispatcher (or a recording) just did that the caller should see: CONTRACT.md `dispatcher-notice`. */
export type NoticeKind = 'flip' | 'torch_on' | 'torch_off' | 'torch_failed' | 'message' | 'recording_on' | 'recording_off';

/** A notice's words in a language: a sender's label (a chat message) and the text. */
export type NoticeWords = (t: CallerText) => { from?: string; text: string };

/** How long a notice stays over the preview, in ms: long enough to read twice; the chat log keeps messages. */
export const NOTICE_MS = 10_000;

/**
 * The banner over the preview (issue #14, part 3): every dispatcher action that changes the
 * caller's phone (a flip, a torch, a recording starting or stopping) and every message is said in
 * the caller's language, so nothing happens to the phone unexplained. The newest notice replaces the
 * one before; `data-kind` says which it is (for tests and styles). A language switch re-renders it.
 */
export class DispatcherNotice {
  #words: NoticeWords | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly el: HTMLElement) {}

  show(kind: NoticeKind, words: NoticeWords, text: CallerText): void {
    this.#words = words;
    this.el.dataset['kind'] = kind;
    this.render(text);
    // Over the preview while there is one (the caller is looking at it); else across the top of the screen.
    const stage = document.getElementById('stage');
    const over = Boolean(stage && !stage.hidden);
    if (over && this.el.parentElement !== stage) stage!.prepend(this.el);
    else if (!over && stage && this.el.parentElement === stage) stage.before(this.el);
    this.el.classList.toggle('over-preview', over);
    this.el.hidden = false;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.hide(), NOTICE_MS);
  }

  render(text: CallerText): void {
    if (!this.#words) return;
    const { from, text: said } = this.#words(text);
    // The sender is a word ("AMK", "Du"), never a colour alone; the message is isolated (bidi).
    this.el.replaceChildren(...(from ? [h('strong', { class: 'notice-from' }, from), ' '] : []), h('bdi', {}, said));
  }

  hide(): void {
    clearTimeout(this.#timer);
    this.#words = undefined;
    this.el.hidden = true;
    this.el.replaceChildren();
  }
}

/** A notice as `CallerUi.notify` takes it: its kind and its words. */
export type Notice = [kind: NoticeKind, words: NoticeWords];

/**
 * The notice for a dispatcher's camera request and how it went: a flip is said whatever happened
 * (the preview changed or flickered); a torch that did not come on is said as such, so the caller
 * is not left wondering why the dispatcher asks again.
 */
export function controlNotice(action: ControlAction, outcome: 'done' | 'unsupported' | 'failed'): Notice {
  if (action === 'flip') return ['flip', (t) => ({ text: t.notice.flip })];
  if (outcome !== 'done') return ['torch_failed', (t) => ({ text: t.notice.torchFailed })];
  if (action === 'torch_on') return ['torch_on', (t) => ({ text: t.notice.torchOn })];
  return ['torch_off', (t) => ({ text: t.notice.torchOff })];
}

/** The notice for a recording starting or stopping. */
export function recordingNotice(active: boolean): Notice {
  return active ? ['recording_on', (t) => ({ text: t.notice.recordingOn })] : ['recording_off', (t) => ({ text: t.notice.recordingOff })];
}
