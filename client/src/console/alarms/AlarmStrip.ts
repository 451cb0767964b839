import { t } from '../../staff-i18n/index.js';
import { h } from '../../common/dom.js';
import type { Alarm, AlarmChange, AlarmSeverity, AlarmStore } from './AlarmStore.js';

/** Icon and word per severity: the strip never tells by colour alone. */
const mark = (severity: AlarmSeverity) => t(`console.alarms.mark.${severity}`);

export interface AlarmStripOptions {
  /** The session's name as the rail shows it (incident ref, masked phone). */
  labelOf: (sessionId: string) => string;
  /** Plays the chime (the console's one sound source). */
  chime: () => void;
}

/**
 * The fixed strip at the top of the console (`alarm-strip`): every pending item of the store, from
 * any session, whether or not its card is in view. A new item or a repeat chimes and is read out by
 * screen readers (an assertive live region: these are the moments a dispatcher must not miss).
 * Clicking an item tells the `picked` observers (the console focuses that session); its OK button
 * acknowledges it.
 */
export class AlarmStrip {
  readonly el: HTMLElement;
  /** Told the session id of an item the dispatcher clicked. */
  readonly picked = new Set<(sessionId: string) => void>();
  #list = h('ul', { class: 'alarm-items' });
  #empty = h('p', { class: 'alarm-empty muted' }, t('console.alarms.empty'));
  #announce = h('p', { class: 'sr-only', 'aria-live': 'assertive', role: 'status' });
  #unobserve: () => void;

  constructor(
    private readonly store: AlarmStore,
    private readonly opts: AlarmStripOptions,
  ) {
    this.el = h('section', { testid: 'alarm-strip', class: 'alarm-strip', 'aria-label': t('console.alarms.label') }, this.#empty, this.#list, this.#announce);
    this.#unobserve = store.observe((change) => this.#changed(change));
    this.#render();
  }

  /** Stops following the store (the console signed out). */
  close(): void {
    this.#unobserve();
  }

  #changed(change: AlarmChange): void {
    this.#render();
    if (change.type !== 'raised') return;
    const a = change.alarm;
    this.#announce.textContent = `${mark(a.severity)}, ${this.opts.labelOf(a.sessionId)}: ${a.text}`;
    this.opts.chime();
  }

  #render(): void {
    const items = this.store.pending();
    this.#empty.hidden = items.length > 0;
    this.el.dataset['count'] = String(items.length);
    this.el.classList.toggle(
      'has-alarm',
      items.some((a) => a.severity === 'alarm'),
    );
    this.#list.replaceChildren(...items.map((a) => this.#item(a)));
  }

  #item(a: Alarm): HTMLElement {
    const label = this.opts.labelOf(a.sessionId);
    const more = a.count > 1 ? ` ${t('console.alarms.more', { count: a.count })}` : '';
    const open = h(
      'button',
      { type: 'button', class: 'alarm-open', title: t('console.alarms.show') },
      h('span', { class: 'alarm-mark' }, mark(a.severity)),
      h('span', { class: 'alarm-session' }, label),
      h('span', { class: 'alarm-text' }, `${a.text}${more}`),
    );
    open.addEventListener('click', () => {
      for (const o of [...this.picked]) o(a.sessionId);
    });
    const ack = h(
      'button',
      { type: 'button', class: 'small alarm-ack', 'aria-label': t('console.alarms.acknowledge', { label, text: a.text }) },
      t('console.alarms.ok'),
    );
    ack.addEventListener('click', () => this.store.acknowledge(a.sessionId, a.kind));
    return h('li', { class: `alarm-item ${a.severity}`, 'data-session-id': a.sessionId, 'data-kind': a.kind }, open, ack);
  }
}
