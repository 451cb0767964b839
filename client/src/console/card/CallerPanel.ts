import type { CallerLocation, ControlAction } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { locationLink } from '../../common/mapLink.js';
import { request } from '../../common/signalling.js';
import type { CardContext } from './context.js';

const ACTION_LABEL: Record<ControlAction, string> = { flip: 'Flip camera', torch_on: 'Torch on', torch_off: 'Torch off' };
/** The action as the subject of "… failed: <reason>". */
const ACTION_NOUN: Record<ControlAction, string> = { flip: 'flip', torch_on: 'torch on', torch_off: 'torch off' };

/** What the dispatcher can ask of the caller's phone, its answers, and where the caller is. */
export class CallerPanel {
  readonly el: HTMLElement;
  #reply = h('span', { class: 'muted', testid: 'control-reply', 'aria-live': 'polite' });
  #location = h('span', { testid: 'caller-location' }, 'not shared');
  #media = h('span', { class: 'muted', testid: 'caller-media' });

  constructor(private readonly ctx: CardContext) {
    const buttons = (Object.keys(ACTION_LABEL) as ControlAction[]).map((action) => {
      const b = h('button', { type: 'button', class: 'small', testid: `request-${action.replace('_', '-')}` }, ACTION_LABEL[action]);
      b.addEventListener('click', () => {
        this.#reply.textContent = `${ACTION_LABEL[action]}: asked…`;
        void request(ctx.socket, 'control:request', { sessionId: ctx.sessionId, action }).catch((e: Error) => (this.#reply.textContent = e.message));
      });
      return b;
    });
    this.el = h(
      'div',
      { class: 'caller-panel' },
      h('div', { class: 'row', role: 'group', 'aria-label': 'Ask the caller' }, ...buttons, this.#reply),
      h('div', { class: 'row' }, h('span', { class: 'muted' }, 'Location: '), this.#location, this.#media),
    );
  }

  /**
   * The phone's answer to a request, or its report of the caller's own flip or torch tap that failed
   * ("flip failed: NotReadableError": the caller's camera stays the one shown beside, under "camera").
   */
  reply(action: ControlAction, outcome: string, detail?: string): void {
    const words =
      outcome === 'done' ? 'done' : outcome === 'unsupported' ? 'not possible on this phone' : `${ACTION_NOUN[action]} failed: ${detail ?? 'no reason given'}`;
    this.#reply.textContent = `${ACTION_LABEL[action]}: ${words}`;
    this.#reply.dataset['outcome'] = outcome;
  }

  location(loc: CallerLocation): void {
    this.#location.replaceChildren(...locationLink(loc, (at) => at.toLocaleTimeString()));
  }

  media(paused: boolean, facing: string): void {
    this.#media.textContent = ` · camera: ${facing}${paused ? ' · PAUSED by caller' : ''}`;
  }
}
