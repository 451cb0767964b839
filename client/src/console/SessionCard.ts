import type { JoinResult, SessionDetail, SessionEvent, SessionStatus } from '@sightline/shared';
import { api } from '../common/api.js';
import type { Device } from '../common/device.js';
import { h } from '../common/dom.js';
import { request, type SignallingSocket } from '../common/signalling.js';
import { Subscriber } from './subscriber.js';

const STATUS_HINT: Partial<Record<SessionStatus, string>> = {
  created: 'preparing the link',
  sms_sent: 'link sent — waiting for the caller to open it',
  sms_failed: 'SMS failed — read the link or code out, or resend',
  link_opened: 'caller opened the link',
  consent_given: 'caller tapped Start video',
  camera_denied: 'caller blocked the camera — talk them through allowing it',
  camera_granted: 'camera allowed — connecting',
  live: 'live',
  reconnecting: 'video lost — reconnecting',
  ended: 'ended',
};

/**
 * One session on the dispatcher's screen: status and timeline, the invite link, live video, end.
 * It owns its Subscriber; the console routes socket pushes to it by session id.
 */
export class SessionCard {
  readonly el: HTMLElement;
  #status: HTMLElement;
  #timeline: HTMLOListElement;
  #video: HTMLVideoElement;
  #invite: HTMLElement;
  #subscriber: Subscriber;
  #seen = new Set<number>();

  constructor(
    readonly sessionId: string,
    private readonly socket: SignallingSocket,
    device: Device,
    private readonly token: string,
    private readonly onEnded: (card: SessionCard) => void,
  ) {
    this.#status = h('span', { testid: 'session-status', class: 'status' }, 'created');
    this.#invite = h('code', { testid: 'invite-url', class: 'invite' });
    this.#timeline = h('ol', { class: 'timeline', 'aria-label': 'Session timeline' });
    this.#video = h('video', { testid: 'remote-video', autoplay: true, muted: true, playsinline: true, 'aria-label': 'Caller video' });
    this.#video.muted = true;
    const copy = h('button', { type: 'button', class: 'small' }, 'Copy link');
    copy.addEventListener('click', () => void navigator.clipboard?.writeText(this.#invite.textContent ?? ''));
    const end = h('button', { type: 'button', testid: 'end-session-button', class: 'danger' }, 'End session');
    end.addEventListener('click', () => void this.end());
    this.el = h(
      'article',
      { testid: 'session-card', 'data-session-id': sessionId, class: 'card' },
      h('header', {}, h('h3', { class: 'title' }, sessionId), this.#status),
      h('div', { class: 'invite-row' }, h('span', { class: 'muted' }, 'Link: '), this.#invite, copy),
      h('div', { class: 'video-wrap' }, this.#video),
      h('details', { open: true }, h('summary', {}, 'Timeline'), this.#timeline),
      h('footer', {}, end),
    );
    this.#subscriber = new Subscriber(socket, device, sessionId, (track) => {
      this.#video.srcObject = new MediaStream([track]);
      void this.#video.play().catch(() => undefined);
    });
  }

  /** Loads details, joins the session's channel and prepares to receive media. Safe to call again after a reconnect. */
  async attach(): Promise<void> {
    const detail = await api<SessionDetail>('GET', `/api/sessions/${this.sessionId}`, { token: this.token });
    const title = this.el.querySelector('.title');
    if (title) title.textContent = [detail.incidentRef, maskedPhone(detail.phone)].filter(Boolean).join(' · ') || this.sessionId;
    if (detail.inviteUrl) this.#invite.textContent = detail.inviteUrl;
    this.#subscriber.close();
    const joined: JoinResult = await request(this.socket, 'session:join', { sessionId: this.sessionId });
    for (const e of joined.events) this.addEvent(e);
    this.setStatus(joined.status);
    await this.#subscriber.prepare();
    for (const p of joined.producers) void this.#subscriber.consume(p);
  }

  videoStats(): Promise<RTCStatsReport | undefined> {
    return this.#subscriber.videoStats();
  }

  setInviteUrl(url: string): void {
    this.#invite.textContent = url;
  }

  setStatus(status: SessionStatus): void {
    this.#status.textContent = status;
    this.#status.dataset['status'] = status;
    this.#status.title = STATUS_HINT[status] ?? '';
    this.el.dataset['status'] = status;
  }

  addEvent(e: SessionEvent): void {
    if (this.#seen.has(e.seq)) return;
    this.#seen.add(e.seq);
    const time = new Date(e.at).toLocaleTimeString();
    this.#timeline.append(h('li', { 'data-type': e.type }, h('time', { datetime: e.at }, time), ` ${e.type} `, h('span', { class: 'muted' }, e.actor)));
  }

  producerAdded(producerId: string): void {
    void this.#subscriber.consume({ producerId });
  }

  producerClosed(producerId: string): void {
    this.#subscriber.producerClosed(producerId);
  }

  ended(): void {
    this.setStatus('ended');
    this.#subscriber.close();
    this.#video.srcObject = null;
    this.onEnded(this);
  }

  async end(): Promise<void> {
    await api('POST', `/api/sessions/${this.sessionId}/end`, { token: this.token });
    this.ended();
  }
}

function maskedPhone(phone: string): string {
  return phone.length > 6 ? `${phone.slice(0, 3)}…${phone.slice(-3)}` : phone;
}
