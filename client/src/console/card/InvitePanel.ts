import './InvitePanel.css';
import { phoneDisplay, type SessionStatus } from '@sightline/shared';
import { api } from '../../common/api.js';
import { PhoneField } from '../PhoneField.js';
import { qrSvg } from './qrSvg.js';
import { h } from '../../common/dom.js';
import type { CardContext } from './context.js';

/**
 * The ways to get the caller (and helpers) in: the link (copy, resend by SMS), the spoken code for
 * when the SMS is late, and a view-only link for a doctor or the ambulance crew.
 */
export class InvitePanel {
  readonly el: HTMLElement;
  #link = h('code', { testid: 'invite-url', class: 'invite' });
  #code = h('strong', { testid: 'spoken-code', class: 'spoken-code' });
  #codeInfo = h('span', { class: 'muted' });
  /** Shown when the server replaced the code (guessing under way): read out the new one. */
  #codeAlert = h('p', { testid: 'spoken-code-replaced', class: 'code-replaced', role: 'alert', hidden: true });
  #viewer = h('code', { testid: 'viewer-url', class: 'invite' });
  #viewerQr = h('div', { testid: 'viewer-qr', class: 'viewer-qr', hidden: true });
  #viewerCopy = button(
    'Copy',
    () => void navigator.clipboard?.writeText(this.#viewer.textContent ?? '').then(() => this.#say('viewer link copied')),
    'viewer-copy',
  );
  #viewerPhone = new PhoneField(
    h('input', { type: 'tel', testid: 'viewer-phone', autocomplete: 'off', placeholder: '912 34 567', 'aria-label': 'Viewer mobile number' }),
    h('p', { class: 'phone-hint', 'aria-live': 'polite' }),
  );
  #note = h('span', { class: 'muted', testid: 'invite-note', 'aria-live': 'polite' });
  /**
   * The number the link went to, read back large so the dispatcher can check it with the caller. Its
   * line is kept (empty, invisible) until the number is known: appearing later, it pushed the buttons
   * below it down under a pointer already on its way (a click meant for "Spoken code" hit the link row).
   */
  #readback = h('p', { testid: 'sms-readback', class: 'sms-readback pending', role: 'status' }, '\u00a0');
  #phone: string | undefined;
  #smsWords = 'SMS to';

  constructor(private readonly ctx: CardContext) {
    const copy = button('Copy link', () => void navigator.clipboard?.writeText(this.#link.textContent ?? '').then(() => this.#say('copied')));
    const resend = button(
      'Resend SMS',
      () =>
        void api('POST /api/sessions/:id/sms', this.#session()).then(
          () => {
            this.#say('SMS sent again');
            this.#readBack('SMS sent again to');
          },
          (e: Error) => this.#say(e.message),
        ),
      'resend-sms',
    );
    const code = button('Spoken code', () => void this.#spokenCode(), 'spoken-code-button');
    const viewer = button('Invite viewer', () => void this.#inviteViewer(), 'invite-viewer');
    this.el = h(
      'div',
      { class: 'invite-panel' },
      this.#readback,
      h('div', { class: 'row' }, h('span', { class: 'muted' }, 'Link: '), this.#link, copy, resend),
      h('div', { class: 'row' }, code, this.#code, this.#codeInfo),
      this.#viewerBox(viewer),
      this.#codeAlert,
      this.#note,
    );
  }

  setLink(url: string): void {
    this.#link.textContent = url;
  }

  /** The caller's number (E.164, from the session's detail), for the read-back. */
  setPhone(e164: string): void {
    this.#phone = e164;
    this.#readBack(this.#smsWords);
  }

  /** The session's status: the read-back says what became of the SMS (later statuses leave it as it was). */
  status(status: SessionStatus): void {
    const words = SMS_WORDS[status];
    if (words) this.#readBack(words);
  }

  #readBack(words: string): void {
    this.#smsWords = words;
    if (!this.#phone) return;
    this.#readback.classList.remove('pending');
    this.#readback.dataset['words'] = words;
    this.#readback.textContent = `${words} ${phoneDisplay(this.#phone)}`;
  }

  /**
   * The server replaced the spoken code (wrong guesses from elsewhere spent the budget): the old one
   * no longer works, so the new one is shown large with a call to read it out. `closedUntil`: code
   * entry is closed till then (guessing goes on); the link is the way in meanwhile.
   */
  codeReplaced(code: string, expiresAt: string, closedUntil?: string): void {
    this.#showCode(code, expiresAt);
    this.#code.classList.add('replaced');
    this.#codeAlert.hidden = false;
    this.#codeAlert.textContent = closedUntil
      ? `New spoken code: ${code}. The old one no longer works. Code entry is paused until ${new Date(closedUntil).toLocaleTimeString()} (someone is guessing codes): send the link, or read out the new code after that.`
      : `New spoken code: ${code}. The old one no longer works (someone was guessing codes): read out the new one.`;
  }

  async #spokenCode(): Promise<void> {
    try {
      const r = await api('POST /api/sessions/:id/code', this.#session());
      this.#showCode(r.code, r.expiresAt);
      this.#code.classList.remove('replaced');
      this.#codeAlert.hidden = true;
    } catch (e) {
      this.#say((e as Error).message);
    }
  }

  #showCode(code: string, expiresAt: string): void {
    this.#code.textContent = code;
    this.#codeInfo.textContent = ` at ${location.host}/c until ${new Date(expiresAt).toLocaleTimeString()}`;
  }

  /** A viewer (a doctor, the ambulance crew): a link to copy or scan, or sent by SMS to their mobile. */
  #viewerBox(invite: HTMLButtonElement): HTMLElement {
    this.#viewerCopy.hidden = true;
    const sms = h(
      'form',
      { class: 'row viewer-sms' },
      this.#viewerPhone.input,
      h('button', { type: 'submit', class: 'small', testid: 'viewer-sms-send' }, 'Send by SMS'),
    );
    sms.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.#smsViewer();
    });
    return h(
      'div',
      { class: 'viewer-invite' },
      h('div', { class: 'row' }, invite, this.#viewer, this.#viewerCopy),
      this.#viewerQr,
      sms,
      this.#viewerPhone.hint,
    );
  }

  async #smsViewer(): Promise<void> {
    const number = this.#viewerPhone.check();
    if (!number.ok) return;
    try {
      const r = await api('POST /api/sessions/:id/viewers/sms', { ...this.#session(), body: { phone: number.e164 } });
      this.#say(r.sent ? `Viewer link sent by SMS to ${phoneDisplay(r.to)}` : `SMS to ${phoneDisplay(r.to)} failed: ${r.reason ?? 'refused'}`);
      if (r.sent) this.#viewerPhone.reset();
    } catch (e) {
      this.#say((e as Error).message);
    }
  }

  async #inviteViewer(): Promise<void> {
    try {
      const r = await api('POST /api/sessions/:id/viewers', { ...this.#session(), body: {} });
      this.#viewer.textContent = r.inviteUrl;
      this.#viewerCopy.hidden = false;
      this.#viewerQr.replaceChildren(qrSvg(r.inviteUrl, 'QR code of the viewer link'));
      this.#viewerQr.hidden = false;
    } catch (e) {
      this.#say((e as Error).message);
    }
  }

  /** A request on this card's session, as its dispatcher. */
  #session() {
    return { token: this.ctx.token, params: { id: this.ctx.sessionId } };
  }

  #say(text: string): void {
    this.#note.textContent = text;
  }
}

/** What the read-back says, by the session's status while the SMS is what matters. */
const SMS_WORDS: Partial<Record<SessionStatus, string>> = {
  created: 'Sending SMS to',
  sms_sent: 'SMS sent to',
  sms_delivered: 'SMS delivered to',
  sms_failed: 'SMS failed to',
};

function button(label: string, onClick: () => void, testid?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'small', testid }, label);
  b.addEventListener('click', onClick);
  return b;
}
