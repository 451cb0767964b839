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
import { alarmStore } from './alarms/AlarmStore.js';
import { BrowserNotice } from './card/BrowserNotice.js';
import { CallerPanel } from './card/CallerPanel.js';
import { ChatPanel } from './card/ChatPanel.js';
import { CprPanel } from './card/CprPanel.js';
import type { CardContext } from './card/context.js';
import { EndControl } from './card/EndControl.js';
import { ExpiryWatch } from './card/ExpiryWatch.js';
import { LifecycleStepper } from './card/LifecycleStepper.js';
import { MetronomeButton } from './card/MetronomeButton.js';
import { InvitePanel } from './card/InvitePanel.js';
import { RecordButton } from './card/RecordButton.js';
import { RecordingAlert } from './card/RecordingAlert.js';
import { ShowMePanel } from './card/ShowMePanel.js';
import { SnapshotList } from './card/SnapshotList.js';
import { Timeline } from './card/Timeline.js';
import { VideoPanel } from './card/VideoPanel.js';
import { watchFirstFrame } from './card/firstFrame.js';
import { routeVideoAlarms } from './card/videoAlarms.js';
import type { VideoStateSnapshot } from '../common/VideoState.js';
import { phaseOf } from './rail/urgency.js';
import { locale, t, type TextKey } from '../staff-i18n/index.js';

/** Why there is no video yet, per status (the catalogue's console.hint). */
const STATUS_HINT = (status: SessionStatus): string => t(`console.hint.${status}` as TextKey);

/**
 * One session on the dispatcher's screen, composed of panels. The console routes socket pushes to
 * it by session id; it owns the Subscriber that receives the caller's video.
 */
export class SessionCard {
  readonly el: HTMLElement;
  #status = h('span', { testid: 'session-status', class: 'status' }, 'created');
  /** The status in the staff's words beside its log name (which `session-status` holds, CONTRACT.md); English shows the name alone, as ever. */
  #statusWord = h('span', { class: 'status-word' });
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
  #metronome: MetronomeButton;
  /** The CPR coach (issue #15 §2): CPR mode, the measured rate, pauses. */
  #cpr: CprPanel;
  /** The caller's video producers consumed here (a codec switch briefly has two). */
  #videoProducers = new Set<string>();
  /** Caller video producers whose first frame this card has reported (issue #16 §1), and the watch of the newest. */
  #framesReported = new Set<string>();
  #cancelFrameWatch = () => {};
  #end = new EndControl(() => this.end());
  #stepper = new LifecycleStepper();
  #expiry: ExpiryWatch;
  /** Every control of the card: disabled as one when the session has ended. */
  #actions: HTMLFieldSetElement;
  #events: SessionEvent[] = [];
  #current: SessionStatus = 'created';
  #since = Date.now();
  #who = { phone: '', incidentRef: '' };
  /** Observers told when the card's status, name or events change (the rail, the recently-ended record). */
  readonly changed = new Set<(card: SessionCard) => void>();
  #recordingAlert: RecordingAlert;
  /** Show me (issue #15 §1): the dispatcher's picture on the caller's phone. */
  #showMe: ShowMePanel;

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
      this.#reportFirstFrame(info.producerId);
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
    this.#cpr = new CprPanel(ctx, this.#video.video);
    this.#record = new RecordButton(ctx);
    this.#recordingAlert = new RecordingAlert(ctx);
    this.#metronome = new MetronomeButton(ctx);
    // The caller's metronome sits beside CPR mode: one place for the CPR coach's controls.
    this.#cpr.slot.append(this.#metronome.el);
    this.#expiry = new ExpiryWatch(sessionId, alarmStore, {
      code: { label: t('console.expiry.newCode'), run: () => this.el.querySelector<HTMLButtonElement>('[data-testid="spoken-code-button"]')?.click() },
      link: { label: t('console.expiry.newLink'), run: () => this.#prefillNewSession() },
    });
    this.#showMe = new ShowMePanel(ctx, device);
    this.#actions = h(
      'fieldset',
      { class: 'card-actions' },
      h('legend', { class: 'sr-only' }, t('console.card.actions')),
      this.#hint,
      this.#stepper.el,
      this.#expiry.el,
      this.#browser.el,
      this.#recordingAlert.el,
      this.#invite.el,
      h(
        'div',
        { class: 'card-body' },
        h('div', { class: 'card-main' }, this.#video.el, this.#cpr.el, this.#caller.el, this.#showMe.el),
        h('div', { class: 'card-side' }, this.#chat.el, this.#timeline.el, this.#snapshots.el),
      ),
      h('footer', {}, this.#record.el, this.#end.el),
    );
    // The stills show what the picture shows: blurred with it, each with its own reveal.
    this.#snapshots.setBlur(this.#video.blurred);
    this.#video.blurChanged.add((blurred) => this.#snapshots.setBlur(blurred));
    this.el = h(
      'article',
      { testid: 'session-card', 'data-session-id': sessionId, class: 'card', 'aria-label': t('console.card.label', { id: sessionId }), tabindex: '-1' },
      h('header', {}, this.#title, this.#statusWord, this.#status),
      this.#actions,
    );
    this.#stepper.update([]);
  }

  /** The status as the server last said it, and since when (ms since the epoch) the session has been in it. */
  get status(): SessionStatus {
    return this.#current;
  }

  get since(): number {
    return this.#since;
  }

  /** The session's events as this console has them (staff events carry their details). */
  get events(): readonly SessionEvent[] {
    return this.#events;
  }

  /**
   * The focused session gets the large picture and everything open; the others are compact (a small
   * picture when live). Both stay in the page and usable: a click into a compact card focuses it.
   */
  setFocused(focused: boolean): void {
    this.el.classList.toggle('focused', focused);
    this.el.classList.toggle('compact', !focused);
    this.el.dataset['focused'] = String(focused);
  }

  /** The session's name for the dispatcher: incident ref and masked phone once known, else its id. */
  get label(): string {
    return this.#title.textContent || this.sessionId;
  }

  /** Loads details, joins the session's channel and prepares to receive media. Safe to call again after a reconnect. */
  async attach(): Promise<void> {
    const detail = await api('GET /api/sessions/:id', { token: this.tokenOf(), params: { id: this.sessionId } });
    this.#title.textContent = [detail.incidentRef, maskedPhone(detail.phone)].filter(Boolean).join(' · ') || this.sessionId;
    this.#who = { phone: detail.phone, incidentRef: detail.incidentRef ?? '' };
    this.#tell();
    if (detail.inviteUrl) this.#invite.setLink(detail.inviteUrl);
    // Until the caller taps Start (the invite is then spent), an unopened link ends the session at its expiry.
    if (detail.inviteExpiresAt && !detail.events.some((e) => e.type === 'consent_given')) this.#expiry.set('link', Date.parse(detail.inviteExpiresAt));
    this.#invite.setPhone(detail.phone);
    if (detail.recording) this.#record.setPolicy(detail.recording.policy, detail.recording.active);
    this.#subscriber.close();
    this.#showMe.reset();
    this.#videoProducers.clear();
    this.#video.producer(false);
    // What this browser plays goes with the join: the caller is asked for a codec every receiver plays.
    const rtpCapabilities = this.device.rtpCapabilities as never;
    const joined: JoinResult = await request(this.socket, 'session:join', { sessionId: this.sessionId, rtpCapabilities });
    for (const e of joined.events) this.addEvent(e);
    this.setStatus(joined.status);
    // The card has its details and timeline: what tests (and screenshots) wait for before they click in it.
    this.el.dataset['attached'] = 'true';
    void this.#snapshots.load().catch(() => undefined);
    // An ended session has no media any more (the server answers 410): its timeline is all there is.
    if (joined.status === 'ended') return;
    await this.#subscriber.prepare();
    for (const p of joined.producers) void this.#subscriber.consume(p);
  }

  /** The server replaced this session's spoken code (the guessing budget was spent): show the new one. */
  codeReplaced(code: string, expiresAt: string, closedUntil?: string): void {
    this.#invite.codeReplaced(code, expiresAt, closedUntil);
    this.#expiry.set('code', Date.parse(expiresAt));
  }

  setInviteUrl(url: string): void {
    this.#invite.setLink(url);
  }

  setStatus(status: SessionStatus): void {
    if (status !== this.#current) {
      // Since when: the event that brought it (the server's clock), else now; never in the future.
      const at = lastAt(this.#events, status);
      this.#since = Math.min(Date.now(), at ?? Date.now());
      this.#current = status;
    }
    this.el.dataset['phase'] = phaseOf(status);
    this.#expiry.setWaiting(phaseOf(status) === 'waiting');
    this.#status.textContent = status;
    this.#status.dataset['status'] = status;
    this.#statusWord.textContent = locale() === 'en' ? '' : t(`console.chip.${status}`);
    this.#hint.textContent = STATUS_HINT(status);
    this.el.dataset['status'] = status;
    this.#browser.status(status);
    this.#video.session(status);
    this.#invite.status(status);
    this.#tell();
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
    if (!this.#events.some((known) => known.seq === e.seq)) {
      this.#events.push(e);
      this.#stepper.update(this.#events);
      const codeUntil = e.details?.['expiresAt'];
      if ((e.type === 'code_issued' || e.type === 'code_replaced') && typeof codeUntil === 'string') this.#expiry.set('code', Date.parse(codeUntil));
      // The caller is in: neither the link nor the code can run out on them any more.
      if (e.type === 'consent_given') for (const kind of ['link', 'code'] as const) this.#expiry.set(kind, undefined);
    }
    this.#timeline.add(e);
    // The log says whether the caller's video is paused: a console (re)loaded mid-pause learns it here.
    if (e.type === 'media_paused' || e.type === 'media_resumed') this.#video.callerPaused(e.type === 'media_paused');
    this.#browser.event(e);
    // The button is the dispatcher's Stop while the server still wants a recording (it retries a failed segment).
    const recording = e.type === 'recording_failed' && e.details?.['wanted'] === true ? true : recordingAfter(e.type);
    if (recording !== undefined) this.#record.setActive(recording);
    this.#recordingAlert.event(e);
    this.#metronome.event(e);
    this.#cpr.event(e);
    this.#showMe.event(e);
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

  /**
   * Tells the server when the picture of this media start first shows here (`media:first-frame`):
   * once per producer from this card; the server logs one `first_frame` whoever else reports it.
   */
  #reportFirstFrame(producerId: string): void {
    this.#cancelFrameWatch();
    if (this.#framesReported.has(producerId)) return;
    this.#cancelFrameWatch = watchFirstFrame(this.#video.video, () => {
      this.#framesReported.add(producerId);
      void request(this.socket, 'media:first-frame', { sessionId: this.sessionId, producerId }).catch(() => undefined);
    });
  }

  producerAdded(producerId: string): void {
    void this.#subscriber.consume({ producerId });
  }

  producerClosed(producerId: string): void {
    this.#subscriber.producerClosed(producerId);
    if (this.#videoProducers.delete(producerId)) this.#video.producer(this.#videoProducers.size > 0);
  }

  ended(): void {
    this.#actions.disabled = true;
    this.#end.ended();
    this.#expiry.stop();
    this.#cpr.ended();
    this.setStatus('ended');
    this.#subscriber.close();
    this.#showMe.reset('');
    this.#video.clear();
    this.onEnded(this);
  }

  /** Stops receiving and clears the picture, without ending anything (the console signed out). */
  close(): void {
    this.#expiry.stop();
    this.#cpr.close();
    this.#subscriber.close();
    this.#showMe.reset('');
    this.#video.clear();
    for (const kind of ['video-lost', 'no-video'] as const) alarmStore.clear(this.sessionId, kind);
  }

  /** "Send a new one?": the console's new-session form, filled in for this caller, with Send in focus (the dispatcher sends). */
  #prefillNewSession(): void {
    const form = document.getElementById('new-session');
    const set = (name: string, value: string) => {
      const input = form?.querySelector<HTMLInputElement>(`input[name="${name}"]`);
      if (input) input.value = value;
    };
    set('phone', this.#who.phone);
    set('incidentRef', this.#who.incidentRef);
    form?.querySelector<HTMLButtonElement>('[data-testid="new-session-submit"]')?.focus();
  }

  #tell(): void {
    for (const o of [...this.changed]) o(this);
  }

  async end(): Promise<void> {
    await api('POST /api/sessions/:id/end', { token: this.tokenOf(), params: { id: this.sessionId } });
    this.ended();
  }
}

/** When the latest event of this type happened (ms since the epoch), if the card has one. */
function lastAt(events: readonly SessionEvent[], type: string): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === type) return Date.parse(events[i]!.at);
  return undefined;
}

function maskedPhone(phone: string): string {
  return phone.length > 6 ? `${phone.slice(0, 3)}…${phone.slice(-3)}` : phone;
}
