import type { ShowMe } from '@sightline/shared';
import type { types } from 'mediasoup-client';
import type { Device } from '../common/device.js';
import { request, type SignallingSocket } from '../common/signalling.js';

/** The page's parts of the inset: the figure, its video, the close button and the weak-network line. */
export interface PictureElements {
  figure: HTMLElement;
  video: HTMLVideoElement;
  close: HTMLButtonElement;
  paused: HTMLElement;
}

/**
 * "Show me" on the caller's phone (issue #15 §1): what the dispatcher shows, inset over the caller's
 * own preview while the caller keeps streaming. It comes on a receive transport of its own, which the
 * server caps at 300 kbit/s (the caller may receive this picture and nothing else).
 *
 * - The caller's close button stops receiving here at once and tells the server (`show-me:close`):
 *   the showing ends for everyone, and the dispatcher's card says the caller closed it.
 * - A weak network (quality.ts) stops receiving too, until it recovers: the caller's uplink, which
 *   the dispatcher depends on, keeps priority over the demonstration. The inset stays with a line
 *   saying why, so the caller is not left wondering.
 */
export class DispatcherPicture {
  #showing: ShowMe | null = null;
  #weak = false;
  #transport: types.Transport | undefined;
  #consumer: types.Consumer | undefined;
  /** Bumped on every change: an answer that arrives after a newer change is dropped. */
  #generation = 0;

  constructor(
    private readonly socket: SignallingSocket,
    private readonly device: Promise<Device>,
    private readonly sessionId: string,
    private readonly el: PictureElements,
  ) {
    el.close.addEventListener('click', () => void this.#closeByCaller());
  }

  /** The page's inset (caller.html), following the session's `show-me:changed` while `active()`. */
  static wire(socket: SignallingSocket, device: Promise<Device>, sessionId: string, active: () => boolean): DispatcherPicture {
    const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
    const picture = new DispatcherPicture(socket, device, sessionId, {
      figure: byId('dispatcher-picture'),
      video: byId<HTMLVideoElement>('dispatcher-video'),
      close: byId<HTMLButtonElement>('dispatcher-close'),
      paused: byId('dispatcher-paused'),
    });
    socket.on('show-me:changed', ({ showMe }) => active() && picture.set(showMe));
    // Diagnostics hook (tests, support staff in devtools), as the console's `__sightlineStats`.
    (window as unknown as { __sightlineShowMeStats: () => Promise<RTCStatsReport | undefined> }).__sightlineShowMeStats = () => picture.stats();
    return picture;
  }

  /** What the dispatcher shows now (the join answer, then `show-me:changed`); null: nothing. */
  set(showMe: ShowMe | null): void {
    if (showMe?.producerId === this.#showing?.producerId) return;
    this.#showing = showMe;
    void this.#follow();
  }

  /** The inbound stats of the picture being received, if one is. */
  async stats(): Promise<RTCStatsReport | undefined> {
    return this.#consumer && !this.#consumer.closed ? this.#consumer.getStats() : undefined;
  }

  /** The caller's network turned weak or recovered (quality.ts). */
  setWeak(weak: boolean): void {
    if (weak === this.#weak) return;
    this.#weak = weak;
    void this.#follow();
  }

  /** The call is over: let everything go. */
  close(): void {
    this.#showing = null;
    this.#generation++;
    this.#stopReceiving();
    this.el.figure.hidden = true;
  }

  /** Receives what is shown, unless nothing is or the network is weak. */
  async #follow(): Promise<void> {
    const generation = ++this.#generation;
    this.#stopReceiving();
    this.el.figure.hidden = !this.#showing;
    this.el.paused.hidden = !(this.#showing && this.#weak);
    if (!this.#showing || this.#weak) return;
    try {
      await this.#receive(generation);
    } catch {
      // The showing ended meanwhile, or the session did: the next push says what is shown.
      if (generation === this.#generation) this.#stopReceiving();
    }
  }

  async #receive(generation: number): Promise<void> {
    const { socket, sessionId } = this;
    const device = await this.device;
    const options = await request(socket, 'transport:create', { sessionId, direction: 'recv' });
    const transport = device.createRecvTransport(options as types.TransportOptions);
    if (generation !== this.#generation) return void this.#drop(transport);
    this.#transport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(socket, 'transport:connect', { sessionId, transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    const answer = await request(socket, 'show-me:receive', { sessionId, transportId: transport.id, rtpCapabilities: device.rtpCapabilities as never });
    if (generation !== this.#generation) return;
    const consumer = await transport.consume({
      id: answer.consumerId,
      producerId: answer.producerId,
      kind: answer.kind,
      rtpParameters: answer.rtpParameters as types.RtpParameters,
    });
    if (generation !== this.#generation) return void consumer.close();
    this.#consumer = consumer;
    this.el.video.srcObject = new MediaStream([consumer.track]);
    void this.el.video.play().catch(() => undefined);
    await request(socket, 'show-me:resume', { sessionId, consumerId: consumer.id });
  }

  async #closeByCaller(): Promise<void> {
    this.#showing = null;
    this.#generation++;
    this.#stopReceiving();
    this.el.figure.hidden = true;
    await request(this.socket, 'show-me:close', { sessionId: this.sessionId }).catch(() => undefined);
  }

  #stopReceiving(): void {
    this.#consumer?.close();
    this.#consumer = undefined;
    this.el.video.srcObject = null;
    if (this.#transport) this.#drop(this.#transport);
    this.#transport = undefined;
  }

  /** Closes a transport here and on the server (which would otherwise keep it until the socket goes). */
  #drop(transport: types.Transport): void {
    transport.close();
    void request(this.socket, 'transport:close', { sessionId: this.sessionId, transportId: transport.id }).catch(() => undefined);
  }
}
