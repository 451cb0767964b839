import {
  recordingAfter,
  type CallerLocation,
  type ChatMessage,
  type ControlAction,
  type JoinResult,
  type SessionEvent,
  type SessionStatus,
  type SnapshotInfo,
} from '@sightline/shared';
import { api } from '../common/api.js';
import type { Device } from '../common/device.js';
import { h } from '../common/dom.js';
import { request, type SignallingSocket } from '../common/signalling.js';
import { Subscriber } from '../common/Subscriber.js';
import { BrowserNotice } from './card/BrowserNotice.js';
import { CallerPanel } from './card/CallerPanel.js';
import { ChatPanel } from './card/ChatPanel.js';
import type { CardContext } from './card/context.js';
import { InvitePanel } from './card/InvitePanel.js';
import { RecordButton } from './card/RecordButton.js';
import { SnapshotList } from './card/SnapshotList.js';
import { Timeline } from './card/Timeline.js';
import { VideoPanel } from './card/VideoPanel.js';
import { routeVideoAlarms } from './card/videoAlarms.js';
import type { VideoStateSnapshot } from '../common/VideoState.js';
import { alarmStore } from './alarms/AlarmStore.js';

const STATUS_HINT: Partial<Record<SessionStatus, string>> = {
  created: 'preparing the link',
  sms_sent: 'link sent — waiting for the caller to open it',
  sms_delivered: 'SMS delivered — waiting for the caller to open it',
  sms_failed: 'SMS failed — read the spoken code out, or resend',
  link_opened: 'caller opened the link',
  consent_given: 'caller tapped Start video',
  camera_denied: 'caller blocked the camera — talk them through allowing it, or ask for a photo',
  camera_granted: 'camera allowed — connecting',
  live: 'live',
  reconnecting: 'video lost — reconnecting',
  ended: 'ended',
};

/**
 * One session on the dispatcher's screen, composed of panels. The console routes socket pushes to
 * it by session id; it owns the Subscriber that receives the caller's video.
 */
export class SessionCard {
  readonly el: HTMLElement;
  #status = h('span', { testid: 'session-status', class: 'status' }, 'created');
  #hint = h('p', { class: 'hint muted' });
  #browser = new BrowserNotice();
  #title = h('h3', { class: 'title' });
  #timeline = new Timeline();
  #invite: InvitePanel;
  #video: VideoPanel;
  #chat: ChatPanel;
  #caller: CallerPanel;
  #snapshots: SnapshotList;
  #subscriber: Subscriber;
  #record: RecordButton;
  /** The caller's video producers consumed here (a codec switch briefly has two). */
  #videoProducers = new Set<string>();

  constructor(
    readonly sessionId: string,
    private readonly socket: SignallingSocket,
    private readonly device: Device,
    private readonly tokenOf: () => string,
    private readonly onEnded: (card: SessionCard) => void,
  ) {
    // A getter: staff tokens are refreshed while the console is open.
    const ctx: CardContext = {
      sessionId,
      socket,
      get token() {
        return tokenOf();
      },
    };
    this.#title.textContent = sessionId;
    this.#invite = new InvitePanel(ctx);
    this.#snapshots = new SnapshotList(ctx);
    this.#subscriber = new Subscriber(socket, device, sessionId, (track, info) => {
      this.#video.show(track);
      if (info.kind !== 'video') return;
      this.#videoProducers.add(info.producerId);
      this.#video.producer(true);
    });
    this.#chat = new ChatPanel(ctx);
    this.#video = new VideoPanel(
      () => this.#subscriber.videoStats(),
      (v) => this.#snapshots.capture(v),
      localStorage.getItem('sightline.blur') === '1',
      () => [this.#chat.presets],
    );
    this.#subscriber.unplayable.add((reason) => this.#video.setProblem(reason));
    // Lost video and a screen without frames go to the strip and the rail, which chime for them.
    routeVideoAlarms(sessionId, this.#video.state, alarmStore);
    this.#caller = new CallerPanel(ctx);
    this.#record = new RecordButton(ctx);
    const end = h('button', { type: 'button', testid: 'end-session-button', class: 'danger' }, 'End session');
    end.addEventListener('click', () => void this.end());
    this.el = h(
      'article',
      { testid: 'session-card', 'data-session-id': sessionId, class: 'card', 'aria-label': `Session ${sessionId}` },
      h('header', {}, this.#title, this.#status),
      this.#hint,
      this.#browser.el,
      this.#invite.el,
      h(
        'div',
        { class: 'card-body' },
        h('div', { class: 'card-main' }, this.#video.el, this.#caller.el),
        h('div', { class: 'card-side' }, this.#chat.el, this.#timeline.el, this.#snapshots.el),
      ),
      h('footer', {}, this.#record.el, end),
    );
  }

  /** The session's name for the dispatcher: incident ref and masked phone once known, else its id. */
  get label(): string {
    return this.#title.textContent || this.sessionId;
  }

  /** Loads details, joins the session's channel and prepares to receive media. Safe to call again after a reconnect. */
  async attach(): Promise<void> {
    const detail = await api('GET /api/sessions/:id', { token: this.tokenOf(), params: { id: this.sessionId } });
    this.#title.textContent = [detail.incidentRef, maskedPhone(detail.phone)].filter(Boolean).join(' · ') || this.sessionId;
    if (detail.inviteUrl) this.#invite.setLink(detail.inviteUrl);
    if (detail.recording) this.#record.setPolicy(detail.recording.policy, detail.recording.active);
    this.#subscriber.close();
    this.#videoProducers.clear();
    this.#video.producer(false);
    // What this browser plays goes with the join: the caller is asked for a codec every receiver plays.
    const rtpCapabilities = this.device.rtpCapabilities as never;
    const joined: JoinResult = await request(this.socket, 'session:join', { sessionId: this.sessionId, rtpCapabilities });
    for (const e of joined.events) this.addEvent(e);
    this.setStatus(joined.status);
    void this.#snapshots.load().catch(() => undefined);
    // An ended session has no media any more (the server answers 410): its timeline is all there is.
    if (joined.status === 'ended') return;
    await this.#subscriber.prepare();
    for (const p of joined.producers) void this.#subscriber.consume(p);
  }

  /** The server replaced this session's spoken code (the guessing budget was spent): show the new one. */
  codeReplaced(code: string, expiresAt: string, closedUntil?: string): void {
    this.#invite.codeReplaced(code, expiresAt, closedUntil);
  }

  setInviteUrl(url: string): void {
    this.#invite.setLink(url);
  }

  setStatus(status: SessionStatus): void {
    this.#status.textContent = status;
    this.#status.dataset['status'] = status;
    this.#hint.textContent = STATUS_HINT[status] ?? '';
    this.el.dataset['status'] = status;
    this.#browser.status(status);
    this.#video.session(status);
  }

  /** This screen's video state now (connecting, live, paused, lost, ended; its alarm and since when). */
  get videoState(): VideoStateSnapshot {
    return this.#video.state.current;
  }

  /** Observes this screen's video state (the rail, the alarm strip); returns the unsubscribe. */
  onVideoState(listener: (state: VideoStateSnapshot, previous: VideoStateSnapshot) => void): () => void {
    return this.#video.state.onChange(listener);
  }

  addEvent(e: SessionEvent): void {
    this.#timeline.add(e);
    // The log says whether the caller's video is paused: a console (re)loaded mid-pause learns it here.
    if (e.type === 'media_paused' || e.type === 'media_resumed') this.#video.callerPaused(e.type === 'media_paused');
    this.#browser.event(e);
    const recording = recordingAfter(e.type);
    if (recording !== undefined) this.#record.setActive(recording);
  }

  chat(m: ChatMessage): void {
    this.#chat.add(m);
  }

  controlReply(action: ControlAction, outcome: string, detail?: string): void {
    this.#caller.reply(action, outcome, detail);
  }

  location(loc: CallerLocation): void {
    this.#caller.location(loc);
  }

  callerMedia(paused: boolean, facing: string): void {
    this.#caller.media(paused, facing);
    this.#video.callerPaused(paused);
  }

  snapshot(s: SnapshotInfo): void {
    this.#snapshots.add(s);
  }

  videoStats(): Promise<RTCStatsReport | undefined> {
    return this.#subscriber.videoStats();
  }

  producerAdded(producerId: string): void {
    void this.#subscriber.consume({ producerId });
  }

  producerClosed(producerId: string): void {
    this.#subscriber.producerClosed(producerId);
    if (this.#videoProducers.delete(producerId)) this.#video.producer(this.#videoProducers.size > 0);
  }

  ended(): void {
    this.setStatus('ended');
    this.#subscriber.close();
    this.#video.clear();
    this.onEnded(this);
  }

  /** Stops receiving and clears the picture, without ending anything (the console signed out). */
  close(): void {
    this.#subscriber.close();
    this.#video.clear();
    for (const kind of ['video-lost', 'no-video'] as const) alarmStore.clear(this.sessionId, kind);
  }

  async end(): Promise<void> {
    await api('POST /api/sessions/:id/end', { token: this.tokenOf(), params: { id: this.sessionId } });
    this.ended();
  }
}

function maskedPhone(phone: string): string {
  return phone.length > 6 ? `${phone.slice(0, 3)}…${phone.slice(-3)}` : phone;
}
