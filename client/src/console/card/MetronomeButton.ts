import { t } from '../../staff-i18n/index.js';
import { CPR_METRONOME_BPM, metronomeState, type SessionEvent } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { request } from '../../common/signalling.js';
import type { CardContext } from './context.js';

/**
 * Asks the caller's page to run or stop the CPR metronome (`cpr:metronome`, issue #15 §2). The
 * button shows what the session's log says (`cpr_metronome`, pushed to every console on the session
 * as a `session:event`), not what this console last asked: a second console, or this one reloaded,
 * agrees with it.
 */
export class MetronomeButton {
  readonly el: HTMLButtonElement;
  readonly #events: SessionEvent[] = [];
  #on = false;

  constructor(private readonly ctx: CardContext) {
    this.el = h('button', { type: 'button', class: 'small', testid: 'metronome-button', 'aria-pressed': 'false' });
    this.el.addEventListener('click', () => void this.#toggle());
    this.#render();
  }

  /** One event of the session (from the join answer or a push); only `cpr_metronome` and `ended` matter. */
  event(e: SessionEvent): void {
    if (e.type !== 'cpr_metronome' && e.type !== 'ended') return;
    if (this.#events.some((known) => known.seq === e.seq)) return;
    this.#events.push(e);
    this.#events.sort((a, b) => a.seq - b.seq);
    this.#on = metronomeState(this.#events).on;
    this.#render();
  }

  #render(): void {
    this.el.setAttribute('aria-pressed', String(this.#on));
    this.el.classList.toggle('active', this.#on);
    this.el.textContent = this.#on ? t('console.metronome.stop') : t('console.metronome.start', { bpm: CPR_METRONOME_BPM });
    this.el.title = this.#on ? t('console.metronome.onTitle', { bpm: CPR_METRONOME_BPM }) : t('console.metronome.offTitle', { bpm: CPR_METRONOME_BPM });
  }

  async #toggle(): Promise<void> {
    this.el.disabled = true;
    try {
      await request(this.ctx.socket, 'cpr:metronome', { sessionId: this.ctx.sessionId, on: !this.#on });
    } catch (err) {
      console.warn('metronome:', err);
    } finally {
      this.el.disabled = false;
    }
  }
}
