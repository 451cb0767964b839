import type { CallerLocation } from '@sightline/shared';
import { h } from '../common/dom.js';
import { locationLink } from '../common/mapLink.js';

export interface IncidentWords {
  incident: string;
  location: string;
  notShared: string;
  none: string;
}

/**
 * What an invited doctor or ambulance crew needs beside the picture (issue #14 §4): the dispatcher's
 * incident reference, to tie the video to their own job, and where the caller is, with a map link.
 * The server sends a viewer both (sessions/projections.ts); the location follows `caller:location`.
 */
export class IncidentPanel {
  readonly el: HTMLElement;
  #ref = h('bdi', { testid: 'incident-ref' });
  #location = h('span', { testid: 'caller-location' });

  constructor(
    private readonly words: IncidentWords,
    private readonly language: string,
  ) {
    this.#ref.textContent = words.none;
    this.#location.textContent = words.notShared;
    this.el = h(
      'dl',
      { class: 'incident', testid: 'viewer-incident' },
      h('dt', {}, words.incident),
      h('dd', {}, this.#ref),
      h('dt', {}, words.location),
      h('dd', {}, this.#location),
    );
  }

  incident(ref: string | undefined): void {
    this.#ref.textContent = ref || this.words.none;
  }

  location(loc: CallerLocation): void {
    const time = (at: Date) => at.toLocaleTimeString(this.language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    this.#location.replaceChildren(...locationLink(loc, time));
  }
}
