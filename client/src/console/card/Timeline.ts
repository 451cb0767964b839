import type { SessionEvent } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { t, timeElement } from '../../staff-i18n/index.js';

/** The session's events as they happen: how the dispatcher knows why there is no video yet. */
export class Timeline {
  readonly el: HTMLElement;
  #list = h('ol', { class: 'timeline', 'aria-label': t('console.timeline.label'), tabindex: '0' });
  #seen = new Set<number>();

  constructor() {
    this.el = h('details', { open: true }, h('summary', {}, t('console.timeline.title')), this.#list);
  }

  add(e: SessionEvent): void {
    if (this.#seen.has(e.seq)) return;
    this.#seen.add(e.seq);
    const reason = typeof e.details?.['reason'] === 'string' ? ` (${e.details['reason']})` : '';
    this.#list.append(h('li', { 'data-type': e.type }, timeElement(e.at), ` ${e.type}${reason} `, h('span', { class: 'muted' }, e.actor)));
    this.#list.scrollTop = this.#list.scrollHeight;
  }
}
