import { CHAT_PRESET_IDS, type ChatMessage, type ChatPresetId } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { request } from '../../common/signalling.js';
import type { CardContext } from './context.js';

/** English labels for the dispatcher; the caller sees each preset in their own language. */
const PRESET_LABELS: Record<ChatPresetId, string> = {
  hold_steady: 'Hold steady',
  move_closer: 'Move closer',
  show_face: 'Show face',
  show_chest: 'Show chest/breathing',
  turn_on_light: 'Turn on a light',
  help_coming: 'Help is coming',
  stay_on_phone: 'Stay on the phone',
};

export class ChatPanel {
  readonly el: HTMLElement;
  /** The preset buttons (the fullscreen video overlay borrows them). */
  readonly presets: HTMLElement;
  #log = h('ol', { class: 'chat-log', 'aria-live': 'polite', 'aria-label': 'Chat', tabindex: '0' });

  constructor(private readonly ctx: CardContext) {
    const input = h('input', { testid: 'chat-input', maxlength: '500', placeholder: 'Message to caller', 'aria-label': 'Message to caller' });
    const send = h('button', { type: 'submit', testid: 'chat-send' }, 'Send');
    const form = h('form', { class: 'chat-form' }, input, send);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (text) void this.#send(text).then(() => (input.value = ''));
    });
    const presets = (this.presets = h('div', { class: 'presets', role: 'group', 'aria-label': 'Preset messages' }));
    for (const id of CHAT_PRESET_IDS) {
      const b = h('button', { type: 'button', class: 'small', 'data-preset': id }, PRESET_LABELS[id]);
      b.addEventListener('click', () => void this.#send(PRESET_LABELS[id], id));
      presets.append(b);
    }
    this.el = h('details', { class: 'chat', open: true }, h('summary', {}, 'Chat'), this.#log, presets, form);
  }

  add(m: ChatMessage): void {
    const label = m.presetId ? `${PRESET_LABELS[m.presetId]} [preset]` : m.text;
    this.#log.append(h('li', { 'data-from': m.from }, h('strong', {}, `${m.from}: `), label));
    this.#log.scrollTop = this.#log.scrollHeight;
  }

  async #send(text: string, presetId?: ChatPresetId): Promise<void> {
    await request(this.ctx.socket, 'chat:send', { sessionId: this.ctx.sessionId, text, ...(presetId && { presetId }) });
  }
}
