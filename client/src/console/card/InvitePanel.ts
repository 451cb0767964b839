import './InvitePanel.css';
import { phoneDisplay, type SessionStatus } from '@sightline/shared';
import { api } from '../../common/api.js';
import { PhoneField } from '../PhoneField.js';
import { qrSvg } from './qrSvg.js';
import { h } from '../../common/dom.js';
import type { CardContext } from './context.js';
import { errorText, formatTime, t, type TextKey } from '../../staff-i18n/index.js';

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
    t('console.invite.copy'),
    () => void navigator.clipboard?.writeText(this.#viewer.textContent ?? '').then(() => this.#say(t('console.invite.viewerCopied'))),
    'viewer-copy',
  );
  #viewerPhone = new PhoneField(
    h('input', { type: 'tel', testid: 'viewer-phone', autocomplete: 'off', placeholder: '912 34 567', 'aria-label': t('console.invite.viewerPhone') }),
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
  #smsWords: TextKey = 'console.invite.readback.to';

  constructor(private readonly ctx: CardContext) {
    const copy = button(
      t('console.invite.copyLink'),
      () => void navigator.clipboard?.writeText(this.#link.textContent ?? '').then(() => this.#say(t('console.invite.copied'))),
    );
    const resend = button(
      t('console.invite.resend'),
      () =>
        void api('POST /api/sessions/:id/sms', this.#session()).then(
          () => {
            this.#say(t('console.invite.resent'));
            this.#readBack('console.invite.readback.resent');
          },
          (e: Error) => this.#say(errorText(e)),
        ),
      'resend-sms',
    );
    const code = button(t('console.invite.spokenCode'), () => void this.#spokenCode(), 'spoken-code-button');
    const viewer = button(t('console.invite.inviteViewer'), () => void this.#inviteViewer(), 'invite-viewer');
    this.el = h(
      'div',
      { class: 'invite-panel' },
      this.#readback,
      h('div', { class: 'row' }, h('span', { class: 'muted' }, t('console.invite.link')), this.#link, copy, resend),
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

  #readBack(words: TextKey): void {
    this.#smsWords = words;
    if (!this.#phone) return;
    this.#readback.classList.remove('pending');
    this.#readback.dataset['words'] = t(words, { phone: '' }).trim();
    this.#readback.textContent = t(words, { phone: phoneDisplay(this.#phone) });
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
      ? t('console.invite.codeReplacedPaused', { code, time: formatTime(closedUntil) })
      : t('console.invite.codeReplaced', { code });
  }

  async #spokenCode(): Promise<void> {
    try {
      const r = await api('POST /api/sessions/:id/code', this.#session());
      this.#showCode(r.code, r.expiresAt);
      this.#code.classList.remove('replaced');
      this.#codeAlert.hidden = true;
    } catch (e) {
      this.#say(errorText(e as Error));
    }
  }

  #showCode(code: string, expiresAt: string): void {
    this.#code.textContent = code;
    this.#codeInfo.textContent = ` ${t('console.invite.codeAt', { address: `${location.host}/c`, time: formatTime(expiresAt) })}`;
    this.#codeInfo.title = new Date(expiresAt).toISOString();
  }

  /** A viewer (a doctor, the ambulance crew): a link to copy or scan, or sent by SMS to their mobile. */
  #viewerBox(invite: HTMLButtonElement): HTMLElement {
    this.#viewerCopy.hidden = true;
    const sms = h(
      'form',
      { class: 'row viewer-sms' },
      this.#viewerPhone.input,
      h('button', { type: 'submit', class: 'small', testid: 'viewer-sms-send' }, t('console.invite.sendBySms')),
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
      this.#say(
        r.sent
          ? t('console.invite.viewerSmsSent', { phone: phoneDisplay(r.to) })
          : t('console.invite.viewerSmsFailed', { phone: phoneDisplay(r.to), reason: r.reason ?? t('console.invite.refused') }),
      );
      if (r.sent) this.#viewerPhone.reset();
    } catch (e) {
      this.#say(errorText(e as Error));
    }
  }

  async #inviteViewer(): Promise<void> {
    try {
      const r = await api('POST /api/sessions/:id/viewers', { ...this.#session(), body: {} });
      this.#viewer.textContent = r.inviteUrl;
      this.#viewerCopy.hidden = false;
      this.#viewerQr.replaceChildren(qrSvg(r.inviteUrl, t('console.invite.viewerQr')));
      this.#viewerQr.hidden = false;
    } catch (e) {
      this.#say(errorText(e as Error));
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
const SMS_WORDS: Partial<Record<SessionStatus, TextKey>> = {
  created: 'console.invite.readback.sending',
  sms_sent: 'console.invite.readback.sent',
  sms_delivered: 'console.invite.readback.delivered',
  sms_failed: 'console.invite.readback.failed',
};

function button(label: string, onClick: () => void, testid?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'small', testid }, label);
  b.addEventListener('click', onClick);
  return b;
}
