import { errorText, t, type TextKey } from '../../staff-i18n/index.js';
import { SHOW_ME_MAX_BITRATE, type SessionEvent, type ShowMeSource } from '@sightline/shared';
import { api } from '../../common/api.js';
import type { Device } from '../../common/device.js';
import { h } from '../../common/dom.js';
import type { CardContext } from './context.js';
import { ShowMeSender } from './ShowMeSender.js';

/** What the dispatcher reads when a showing ended without their Stop (`show_me_ended` reason). */
const ENDED: ReadonlySet<string> = new Set(['caller_closed', 'console_left', 'media_lost']);

/**
 * "Show me" on a session card (issue #15 §1): the dispatcher shows the caller their camera or one
 * of the centre's clips (`show-me-source`), started and stopped with `show-me-button`. A small
 * preview shows what the caller is sent; changing the source while showing switches at once.
 * The card tells the dispatcher when the caller closed it.
 */
export class ShowMePanel {
  readonly el: HTMLElement;
  #button = h('button', { type: 'button', class: 'small', testid: 'show-me-button', 'aria-pressed': 'false' }, t('console.showMe.show'));
  #source = h('select', { testid: 'show-me-source', 'aria-label': t('console.showMe.source') }, h('option', { value: 'camera' }, t('console.showMe.myCamera')));
  #preview = h('video', { class: 'show-me-preview', muted: '', playsinline: '', autoplay: '', hidden: '', 'aria-label': t('console.showMe.preview') });
  #note = h('p', { class: 'muted show-me-note', role: 'status' });
  #sender: ShowMeSender;
  #busy = false;

  constructor(
    private readonly ctx: CardContext,
    device: Device,
  ) {
    this.#sender = new ShowMeSender(ctx, device);
    this.#preview.muted = true;
    this.el = h(
      'section',
      { class: 'show-me', 'aria-label': t('console.showMe.label') },
      h('div', { class: 'show-me-row' }, this.#source, this.#button),
      this.#preview,
      this.#note,
    );
    this.#button.addEventListener('click', () => void (this.#sender.showing ? this.#stop() : this.#start()));
    // A new source while showing replaces the picture at once (the server logs the switch).
    this.#source.addEventListener('change', () => void (this.#sender.showing && this.#start()));
    void this.loadClips();
  }

  /** Fills the source picker with the centre's clips (GET /api/clips); the camera is always there. */
  async loadClips(): Promise<void> {
    const { clips } = await api('GET /api/clips', { token: this.ctx.token }).catch(() => ({ clips: [] }));
    const select = this.#source;
    for (const c of clips) {
      if ([...select.options].some((o) => o.value === c.name)) continue;
      select.append(h('option', { value: c.name }, t('console.showMe.clip', { name: c.name.replace(/-/g, ' ') })));
    }
  }

  /** The session's log: a showing that ended other than by this card's Stop lets go of the picture here. */
  event(e: SessionEvent): void {
    if (e.type !== 'show_me_ended') return;
    const reason = String(e.details?.['reason'] ?? '');
    if (reason === 'replaced' || reason === 'stopped' || !this.#sender.showing) return;
    this.#sender.release();
    this.#render(ENDED.has(reason) ? t(`console.showMe.ended.${reason}` as TextKey) : t('console.showMe.ended.other'));
  }

  /**
   * Nothing is shown any more: the server forgot this console's transports (a reconnect: the note
   * says the showing dropped), or the session ended or the console signed out (`note` given).
   */
  reset(note?: string): void {
    const was = this.#sender.showing;
    this.#sender.close();
    this.#render(note ?? (was ? t('console.showMe.ended.console_left') : ''));
  }

  async #start(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const source = this.#source.value as ShowMeSource;
    this.#render(t('console.showMe.starting'));
    try {
      const stream = await this.#sender.start(source);
      this.#preview.srcObject = stream;
      const what = source === 'camera' ? t('console.showMe.yourCamera') : t('console.showMe.theClip', { name: source });
      this.#render(t('console.showMe.showing', { what, kbps: SHOW_ME_MAX_BITRATE / 1000 }));
    } catch (err) {
      this.#sender.release();
      this.#render(t('console.showMe.failed', { reason: errorText(err as Error) }));
    } finally {
      this.#busy = false;
      this.#render();
    }
  }

  async #stop(): Promise<void> {
    await this.#sender.stop();
    this.#render('');
  }

  /** The button, the preview and (when given) the note, as the sender stands. */
  #render(note?: string): void {
    const on = this.#sender.showing;
    this.#button.textContent = on ? t('console.showMe.stop') : t('console.showMe.show');
    this.#button.setAttribute('aria-pressed', String(on));
    this.#button.classList.toggle('active', on);
    this.#button.disabled = this.#busy;
    this.#preview.hidden = !on;
    if (!on) this.#preview.srcObject = null;
    if (note !== undefined) this.#note.textContent = note;
  }
}
