import { CHAT_PRESET_IDS, type ChatMessage, type ChatPresetId } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { request } from '../../common/signalling.js';
import type { CardContext } from './context.js';
import { t, type TextKey } from '../../staff-i18n/index.js';

/** The dispatcher's label of a preset, in the dispatcher's language; the caller sees each preset in their own language. */
const presetLabel = (id: ChatPresetId) => t(`console.chat.preset.${id}` as TextKey);

export class ChatPanel {
  readonly el: HTMLElement;
  /** The preset buttons (the fullscreen video overlay borrows them). */
  readonly presets: HTMLElement;
  #log = h('ol', { class: 'chat-log', 'aria-live': 'polite', 'aria-label': t('console.chat.title'), tabindex: '0' });

  constructor(private readonly ctx: CardContext) {
    const input = h('input', {
      testid: 'chat-input',
      maxlength: '500',
      placeholder: t('console.chat.placeholder'),
      'aria-label': t('console.chat.placeholder'),
    });
    const send = h('button', { type: 'submit', testid: 'chat-send' }, t('console.chat.send'));
    const form = h('form', { class: 'chat-form' }, input, send);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (text) void this.#send(text).then(() => (input.value = ''));
    });
    const presets = (this.presets = h('div', { class: 'presets', role: 'group', 'aria-label': t('console.chat.presets') }));
    for (const id of CHAT_PRESET_IDS) {
      const b = h('button', { type: 'button', class: 'small', 'data-preset': id }, presetLabel(id));
      b.addEventListener('click', () => void this.#send(presetLabel(id), id));
      presets.append(b);
    }
    this.el = h('details', { class: 'chat', open: true }, h('summary', {}, t('console.chat.title')), this.#log, presets, form);
  }

  add(m: ChatMessage): void {
    const label = m.presetId ? t('console.chat.presetSent', { label: presetLabel(m.presetId) }) : m.text;
    this.#log.append(h('li', { 'data-from': m.from }, h('strong', {}, `${t(`common.role.${m.from}`)}: `), label));
    this.#log.scrollTop = this.#log.scrollHeight;
  }

  async #send(text: string, presetId?: ChatPresetId): Promise<void> {
    await request(this.ctx.socket, 'chat:send', { sessionId: this.ctx.sessionId, text, ...(presetId && { presetId }) });
  }
}
