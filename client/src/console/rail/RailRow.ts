import type { SessionStatus } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { t, type TextKey } from '../../staff-i18n/index.js';
import type { RailGroup } from './urgency.js';

/** The status chip: icon + word (never colour alone); the colour comes from `data-tone` in console.css. */
export const CHIP: Record<SessionStatus, { icon: string; tone: 'neutral' | 'ok' | 'warn' | 'bad' | 'off' }> = {
  created: { icon: '…', tone: 'neutral' },
  sms_sent: { icon: '✉', tone: 'neutral' },
  sms_delivered: { icon: '✉', tone: 'neutral' },
  sms_failed: { icon: '✗', tone: 'warn' },
  link_opened: { icon: '↗', tone: 'neutral' },
  consent_given: { icon: '▶', tone: 'neutral' },
  camera_granted: { icon: '◌', tone: 'neutral' },
  camera_denied: { icon: '✗', tone: 'warn' },
  live: { icon: '●', tone: 'ok' },
  reconnecting: { icon: '⚠', tone: 'bad' },
  ended: { icon: '■', tone: 'off' },
};

/** The chip's word for a status, in the dispatcher's language (upper case: it is read at a glance). */
export const chipWord = (status: SessionStatus) => t(`console.chip.${status}` as TextKey);

export interface RowState {
  sessionId: string;
  label: string;
  status: SessionStatus;
  /** ms since the epoch the session entered `status`. */
  since: number;
  group: RailGroup;
  unread: number;
  alarm: boolean;
}

/** "4:07", "1:02:09": how long a session has been in its state. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return hms[0] ? `${hms[0]}:${pad(hms[1]!)}:${pad(hms[2]!)}` : `${hms[1]}:${pad(hms[2]!)}`;
}

/** One session on the rail (`session-row`): a button, so a click or Enter focuses the session. */
export class RailRow {
  readonly el: HTMLButtonElement;
  #chip = h('span', { class: 'chip' });
  #label = h('span', { class: 'row-label' });
  #time = h('span', { class: 'row-time' });
  #unread = h('span', { class: 'row-unread', hidden: true });
  #alarm = h('span', { class: 'row-alarm', hidden: true }, t('console.rail.alarm'));
  #state: RowState | undefined;

  constructor(sessionId: string) {
    this.el = h(
      'button',
      { type: 'button', testid: 'session-row', class: 'session-row', 'data-session-id': sessionId },
      h('span', { class: 'row-top' }, this.#chip, this.#alarm),
      h('span', { class: 'row-bottom' }, this.#label, this.#unread, this.#time),
    );
  }

  get state(): RowState | undefined {
    return this.#state;
  }

  update(state: RowState): void {
    this.#state = state;
    const chip = CHIP[state.status];
    this.el.dataset['state'] = state.status;
    this.el.dataset['group'] = state.group;
    this.#chip.dataset['tone'] = chip.tone;
    this.#chip.textContent = `${chip.icon} ${chipWord(state.status)}`;
    this.#label.textContent = state.label;
    this.#alarm.hidden = !state.alarm;
    this.#unread.hidden = state.unread === 0;
    this.#unread.replaceChildren(`✉ ${state.unread}`, h('span', { class: 'sr-only' }, ` ${t('console.rail.unread', { count: state.unread })}`));
    this.tick();
  }

  /** Refreshes the time in state (called every second by the rail). */
  tick(now = Date.now()): void {
    if (!this.#state) return;
    this.#time.textContent = formatElapsed(now - this.#state.since);
  }

  setFocused(focused: boolean): void {
    if (focused) this.el.setAttribute('aria-current', 'true');
    else this.el.removeAttribute('aria-current');
  }
}
