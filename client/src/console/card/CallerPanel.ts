import type { CallerLocation, ControlAction } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { locationLink } from '../../common/mapLink.js';
import { request } from '../../common/signalling.js';
import type { CardContext } from './context.js';
import { errorText, formatTime, t, type TextKey } from '../../staff-i18n/index.js';

const ACTIONS: readonly ControlAction[] = ['flip', 'torch_on', 'torch_off'];
const actionLabel = (a: ControlAction) => t(`console.caller.action.${a}` as TextKey);
/** The action as the subject of "… failed: <reason>". */
const actionNoun = (a: ControlAction) => t(`console.caller.noun.${a}` as TextKey);

/** What the dispatcher can ask of the caller's phone, its answers, and where the caller is. */
export class CallerPanel {
  readonly el: HTMLElement;
  #reply = h('span', { class: 'muted', testid: 'control-reply', 'aria-live': 'polite' });
  #location = h('span', { testid: 'caller-location' }, t('console.caller.notShared'));
  #media = h('span', { class: 'muted', testid: 'caller-media' });

  constructor(private readonly ctx: CardContext) {
    const buttons = ACTIONS.map((action) => {
      const b = h('button', { type: 'button', class: 'small', testid: `request-${action.replace('_', '-')}` }, actionLabel(action));
      b.addEventListener('click', () => {
        this.#reply.textContent = t('console.caller.asked', { action: actionLabel(action) });
        void request(ctx.socket, 'control:request', { sessionId: ctx.sessionId, action }).catch((e: Error) => (this.#reply.textContent = errorText(e)));
      });
      return b;
    });
    this.el = h(
      'div',
      { class: 'caller-panel' },
      h('div', { class: 'row', role: 'group', 'aria-label': t('console.caller.ask') }, ...buttons, this.#reply),
      h('div', { class: 'row' }, h('span', { class: 'muted' }, t('console.caller.location')), this.#location, this.#media),
    );
  }

  /**
   * The phone's answer to a request, or its report of the caller's own flip or torch tap that failed
   * ("flip failed: NotReadableError": the caller's camera stays the one shown beside, under "camera").
   */
  reply(action: ControlAction, outcome: string, detail?: string): void {
    const words =
      outcome === 'done'
        ? t('console.caller.done')
        : outcome === 'unsupported'
          ? t('console.caller.unsupported')
          : t('console.caller.failed', { action: actionNoun(action), reason: detail ?? t('console.caller.noReason') });
    this.#reply.textContent = `${actionLabel(action)}: ${words}`;
    this.#reply.dataset['outcome'] = outcome;
  }

  location(loc: CallerLocation): void {
    this.#location.replaceChildren(...locationLink(loc, (at) => formatTime(at)));
  }

  media(paused: boolean, facing: string): void {
    const camera = t('console.caller.camera', { facing: FACING.has(facing) ? t(`console.caller.facing.${facing}` as TextKey) : facing });
    this.#media.textContent = ` · ${camera}${paused ? ` · ${t('console.caller.paused')}` : ''}`;
  }
}

/** The camera names the caller's page reports (getUserMedia facingMode). */
const FACING: ReadonlySet<string> = new Set(['environment', 'user']);
