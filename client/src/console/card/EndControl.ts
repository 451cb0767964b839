import { errorText, t } from '../../staff-i18n/index.js';
import { h } from '../../common/dom.js';

/**
 * Ending a session, made safe (issue #14 §4): `end-session-button` only asks; the session ends at
 * `end-session-confirm`. Cancel, or Escape anywhere in the question, backs out and gives the focus
 * back to the button. A confirmation, not an undo: an end reaches the caller's phone and closes the
 * media at once, and an ended session cannot be reopened (the server's lifecycle only moves forward).
 */
export class EndControl {
  readonly el: HTMLElement;
  #ask = h('button', { type: 'button', testid: 'end-session-button', class: 'danger', 'aria-expanded': 'false' }, t('console.end.ask'));
  #confirm = h('button', { type: 'button', testid: 'end-session-confirm', class: 'danger' }, t('console.end.confirm'));
  #question: HTMLElement;
  #error = h('span', { class: 'error', role: 'alert' });

  /** `end`: ends the session at the server; a rejection is shown beside the button. */
  constructor(private readonly end: () => Promise<void>) {
    const cancel = h('button', { type: 'button', testid: 'end-session-cancel' }, t('console.end.cancel'));
    this.#question = h(
      'span',
      { class: 'end-confirm', role: 'group', 'aria-label': t('console.end.label'), hidden: true },
      h('strong', {}, t('console.end.question')),
      this.#confirm,
      cancel,
    );
    this.#ask.addEventListener('click', () => this.#open(true));
    cancel.addEventListener('click', () => this.#open(false));
    this.#question.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape') return;
      ev.stopPropagation();
      this.#open(false);
    });
    this.#confirm.addEventListener('click', () => void this.#ended());
    this.el = h('span', { class: 'end-control' }, this.#ask, this.#question, this.#error);
  }

  /** The session has ended (here or elsewhere): the question goes; the card disables the button with its other actions. */
  ended(): void {
    this.#question.hidden = true;
    this.#ask.hidden = false;
    this.#ask.textContent = t('console.end.ended');
  }

  #open(asking: boolean): void {
    this.#question.hidden = !asking;
    this.#ask.hidden = asking;
    this.#ask.setAttribute('aria-expanded', String(asking));
    (asking ? this.#confirm : this.#ask).focus();
  }

  async #ended(): Promise<void> {
    this.#confirm.disabled = true;
    this.#error.textContent = '';
    try {
      await this.end();
      this.#question.hidden = true;
      this.#ask.hidden = false;
    } catch (err) {
      this.#error.textContent = t('console.end.failed', { reason: errorText(err as Error) });
    } finally {
      this.#confirm.disabled = false;
    }
  }
}
