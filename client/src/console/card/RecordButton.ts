import { t } from '../../staff-i18n/index.js';
import type { RecordingPolicy } from '@sightline/shared';
import { api } from '../../common/api.js';
import { h } from '../../common/dom.js';
import type { CardContext } from './context.js';

/** Start/stop recording as the deployment's policy allows; the state follows the session's events. */
export class RecordButton {
  readonly el: HTMLButtonElement;
  #active = false;
  #policy: RecordingPolicy = 'on-demand';

  constructor(private readonly ctx: CardContext) {
    this.el = h('button', { type: 'button', class: 'small', testid: 'record-button', 'aria-pressed': 'false' }, t('console.record.start'));
    this.el.addEventListener('click', () => void this.#toggle());
  }

  setPolicy(policy: RecordingPolicy, active: boolean): void {
    this.#policy = policy;
    this.setActive(active);
  }

  setActive(active: boolean): void {
    this.#active = active;
    this.el.setAttribute('aria-pressed', String(active));
    this.el.classList.toggle('recording', active);
    this.el.textContent = active ? t('console.record.stop') : t('console.record.start');
    // Policy "always" records by itself and "off" never does: the dispatcher has nothing to decide.
    this.el.disabled = this.#policy !== 'on-demand';
    this.el.title = this.#policy === 'off' ? t('console.record.off') : this.#policy === 'always' ? t('console.record.everySession') : '';
    if (this.#policy === 'always') this.el.textContent = active ? t('console.record.alwaysActive') : t('console.record.always');
  }

  async #toggle(): Promise<void> {
    this.el.disabled = true;
    try {
      const r = await api('POST /api/sessions/:id/recording', {
        token: this.ctx.token,
        params: { id: this.ctx.sessionId },
        body: { action: this.#active ? 'stop' : 'start' },
      });
      this.setActive(r.active);
    } catch {
      this.setActive(this.#active);
    }
  }
}
