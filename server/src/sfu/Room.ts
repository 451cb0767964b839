import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { ConsumerOptions, ProducerInfo, ShowMe, ShowMeEndReason, ShowMeSource, TransportOptions } from '@sightline/shared';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, UnsupportedMediaError, ValidationError } from '../errors.js';
import type { Logger } from '../logging.js';
import { PRODUCERS_PER_PEER, TRANSPORTS_PER_PEER } from '../ratelimit/limits.js';
import { MEDIA_CODECS } from './codecs.js';
import { RoomCodecs } from './RoomCodecs.js';
import { consumerLimit, RoomRouters, type RoomClosedReason, type RoomRouter, type RoomRoutingOptions } from './RoomRouters.js';
import { createRouterOn, type WorkerSlot } from './WorkerPool.js';

export type { RoomClosedReason } from './RoomRouters.js';

/** Key-frame requests a receiver may make per consumer: two a second (see Room.requestKeyFrame). */
export const KEY_FRAME_INTERVAL_MS = 500;

interface Peer {
  transports: Map<string, types.WebRtcTransport>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
}

export interface RoomEvents {
  'producer-added': [ProducerInfo];
  'producer-closed': [producerId: string];
  /** A producer's transport lost or regained ICE/DTLS connectivity (drives live/reconnecting). */
  'producer-connectivity': [producerId: string, connected: boolean];
  /** Once; why it closed (RoomClosedReason): its own close(), or a worker under one of its routers died or closed. */
  closed: [reason: RoomClosedReason];
  /** The dispatcher's picture for the caller (issue #15 §1) started: never a `producer-added`. */
  'show-me-added': [ShowMe];
  /** That picture's producer closed, and why. */
  'show-me-closed': [ShowMe, reason: ShowMeEndReason];
}

/**
 * One session's media: a main router on one worker (every producer lives there; more routers on other
 * workers take viewers once it is full, see RoomRouters), and per peer (a socket) its transports,
 * producers and consumers. A peer can only touch objects it created, whatever ids it sends.
 */
export class Room extends EventEmitter<RoomEvents> {
  #peers = new Map<string, Peer>();
  #producers = new Map<string, { producer: types.Producer; info: ProducerInfo }>();
  #routers: RoomRouters;
  #closed = false;
  /** When each consumer last asked its source for a key frame (requestKeyFrame). */
  #keyFrameAt = new WeakMap<types.Consumer, number>();
  /** The caller page's send transport set up before the tap (issue #12), until a producer is made: one per session. */
  #pretap: types.WebRtcTransport | undefined;
  /**
   * The dispatcher's pictures for the caller (issue #15 §1), by producer id: in `#producers` to be
   * piped and consumed, but kept out of `producers()` and the producer events, so nothing takes them
   * for the caller's media (status, recording, codecs, "newest wins"). Why each ended, once known.
   */
  #showMe = new Map<string, { shows: ShowMe; endReason?: ShowMeEndReason }>();
  /** Which video codec every receiver can play (the caller is asked for it). */
  readonly codecs = new RoomCodecs();
  /** Last pause/facing state the caller's page reported (logged on change). */
  /** What the caller's page last reported (caller:media), and whether the caller stopped the video for good. */
  callerMedia: { paused: boolean; facing: 'user' | 'environment' | 'unknown'; stopped?: boolean } = { paused: false, facing: 'unknown' };

  private constructor(
    readonly sessionId: string,
    /** The main router: send transports and producers (and the recorder's consumers) live here. */
    readonly router: types.Router,
    private readonly slot: WorkerSlot,
    routing: RoomRoutingOptions,
    private readonly log: Logger,
  ) {
    super();
    this.#routers = new RoomRouters(router, slot, routing, () => this.#producers.keys(), log);
    this.#routers.observer.on('closed', (reason) => this.#onRouterClosed(reason));
  }

  /** `routing.pool` lets the room spread its viewers over other workers (RoomRegistry passes it). */
  static async create(sessionId: string, slot: WorkerSlot, log: Logger, routing: RoomRoutingOptions = {}): Promise<Room> {
    consumerLimit(routing);
    const router = await createRouterOn(slot, { mediaCodecs: MEDIA_CODECS, appData: { sessionId } });
    return new Room(sessionId, router, slot, routing, log.child({ sessionId, worker: slot.index }));
  }

  /** The main router's worker. */
  get workerIndex(): number {
    return this.slot.index;
  }

  hasPeer(peerId: string): boolean {
    return this.#peers.has(peerId);
  }

  peerIds(): string[] {
    return [...this.#peers.keys()];
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /** The caller's producers (the tests' RTP sources too): never the dispatcher's show-me picture. */
  producers(): ProducerInfo[] {
    return [...this.#producers.values()].filter((p) => p.info.source !== 'show_me').map((p) => p.info);
  }

  /** The picture the dispatcher shows the caller now (the newest, while a replaced one closes). */
  showMe(): ShowMe | undefined {
    return [...this.#showMe.values()].at(-1)?.shows;
  }

  /** Ends the showing (every show-me producer), saying why. */
  closeShowMe(reason: ShowMeEndReason, keep?: string): void {
    for (const [producerId, entry] of [...this.#showMe]) {
      if (producerId === keep) continue;
      entry.endReason ??= reason;
      this.#producers.get(producerId)?.producer.close();
    }
  }

  /**
   * Send transports go on the main router; receive transports on the first router with room.
   * `pretap`: a caller page's send transport before the tap (issue #12). The session has one at a
   * time: a newer page's replaces (closes) the previous one, and the first producer closes any that
   * is not its own, so an opened page never holds more than one transport.
   * @throws RateLimitedError when the peer already has TRANSPORTS_PER_PEER open (it must close one first).
   */
  async createTransport(peerId: string, direction: 'send' | 'recv', pretap = false, maxOutgoingBitrate?: number): Promise<TransportOptions> {
    if ((this.#peers.get(peerId)?.transports.size ?? 0) >= TRANSPORTS_PER_PEER) throw new RateLimitedError(5, 'transportsPerPeer');
    const create = (home: RoomRouter) =>
      home.router.createWebRtcTransport({
        webRtcServer: home.slot.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
        appData: { peerId, direction },
      });
    const transport = direction === 'send' ? await create(this.#routers.main) : await this.#routers.placeReceiver(create);
    if (direction === 'send') await transport.setMaxIncomingBitrate(3_000_000);
    // The caller's receive transport carries only the show-me picture: its downlink is capped (issue #15 §1).
    if (direction === 'recv' && maxOutgoingBitrate) await transport.setMaxOutgoingBitrate(maxOutgoingBitrate);
    const peer = this.#peer(peerId);
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    if (pretap) {
      this.#pretap?.close();
      this.#pretap = transport;
      transport.observer.once('close', () => this.#pretap === transport && (this.#pretap = undefined));
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: unknown): Promise<void> {
    const transport = this.#transport(peerId, transportId);
    try {
      await transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters });
    } catch (err) {
      throw new ValidationError(`cannot connect transport: ${(err as Error).message}`);
    }
  }

  async restartIce(peerId: string, transportId: string): Promise<unknown> {
    return this.#transport(peerId, transportId).restartIce();
  }

  /** Closes one of the peer's own transports, and with it its producers and consumers. */
  closeTransport(peerId: string, transportId: string): void {
    this.#transport(peerId, transportId).close();
  }

  /**
   * `source` `show_me` (the dispatcher's picture, issue #15 §1) is video only and names what it
   * `shows`; it leaves the caller's pre-tap transport alone and reports no connectivity.
   */
  async produce(
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: unknown,
    source: ProducerInfo['source'],
    shows?: ShowMeSource,
  ): Promise<string> {
    const transport = this.#transport(peerId, transportId);
    if (transport.appData['direction'] !== 'send') throw new ConflictError('not a send transport');
    const showMe = source === 'show_me';
    if (showMe && (kind !== 'video' || !shows)) throw new ValidationError('show me is a video that says what it shows');
    // The caller has tapped: a pre-tap transport of another page (an older tab) has no use any more.
    if (!showMe && this.#pretap && this.#pretap !== transport) this.#pretap.close();
    if (!showMe) this.#pretap = undefined;
    // Replaced producers close right after their successor is made (MediaOps.produce), so a live peer has few.
    if ((this.#peers.get(peerId)?.producers.size ?? 0) >= PRODUCERS_PER_PEER) throw new RateLimitedError(5, 'producersPerPeer');
    let producer: types.Producer;
    try {
      producer = await transport.produce({ kind, rtpParameters: rtpParameters as types.RtpParameters, appData: { source } });
    } catch (err) {
      throw new ValidationError(`cannot produce: ${(err as Error).message}`);
    }
    const peer = this.#peer(peerId);
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    // A transport can carry a replaced producer and its successor (a codec switch): only the live one reports.
    const onIce = (state: types.IceState) => {
      if (state === 'disconnected') this.emit('producer-connectivity', producer.id, false);
      if (state === 'connected' || state === 'completed') this.emit('producer-connectivity', producer.id, true);
    };
    if (showMe) return this.#announceShowMe(producer, { producerId: producer.id, source: shows! }).producerId;
    transport.on('icestatechange', onIce);
    producer.observer.once('close', () => transport.off('icestatechange', onIce));
    this.#announce(producer, source);
    return producer.id;
  }

  /**
   * A producer the server made itself on the main router (an RTP source on a PlainTransport, such as
   * the tests' ffmpeg camera) joins the room as a peer's would: announced, piped and consumable.
   */
  adoptProducer(producer: types.Producer, source: ProducerInfo['source']): ProducerInfo {
    if (this.#producers.has(producer.id)) throw new ConflictError('producer already in the room');
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities: this.rtpCapabilities })) {
      throw new ConflictError("producer is not on this room's router");
    }
    return this.#announce(producer, source);
  }

  /** Creates the consumer paused; the client resumes it once its track is wired (media:resume). */
  /**
   * `showMeOnly`: the caller's page, which may receive the dispatcher's picture and nothing else; its
   * capabilities are not a receiver's of the caller's video (RoomCodecs never hears of them).
   * @throws ForbiddenError when `showMeOnly` and the producer is not a show-me picture.
   */
  async consume(peerId: string, transportId: string, producerId: string, rtpCapabilities: unknown, showMeOnly = false): Promise<ConsumerOptions> {
    const transport = this.#transport(peerId, transportId);
    if (transport.appData['direction'] !== 'recv') throw new ConflictError('not a receive transport');
    const caps = rtpCapabilities as types.RtpCapabilities;
    if (!this.#producers.has(producerId)) throw new NotFoundError('producer');
    if (showMeOnly && !this.#showMe.has(producerId)) throw new ForbiddenError('a caller receives only the show-me picture');
    const home = this.#routers.homeOf(transportId);
    if (!home) throw new NotFoundError('transport');
    // On an extra router the producer exists once its pipe is up (at once, unless it is brand new).
    await this.#routers.pipe(home, producerId).catch(() => {
      throw new NotFoundError('producer');
    });
    if (!showMeOnly) this.codecs.receiver(peerId, caps);
    if (!home.router.canConsume({ producerId, rtpCapabilities: caps })) {
      const sending = this.#producers.get(producerId)?.producer.rtpParameters.codecs[0]?.mimeType ?? '';
      throw new UnsupportedMediaError(showMeOnly ? `this browser cannot play ${sending}` : this.codecs.reason(peerId, sending));
    }
    const consumer = await transport.consume({ producerId, rtpCapabilities: caps, paused: true });
    // The producer closed during the worker's round trip (the caller published again): a consumer of
    // it would never carry media, and its receiver would wait on it instead of the new producer.
    if (!this.#producers.has(producerId)) {
      consumer.close();
      throw new NotFoundError('producer');
    }
    const peer = this.#peer(peerId);
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    return { consumerId: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resume(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#peer(peerId).consumers.get(consumerId);
    if (!consumer) throw new NotFoundError('consumer');
    await consumer.resume();
  }

  /**
   * Asks the source of one of the peer's consumers for a key frame: for a receiver whose picture
   * stopped although media still arrives. mediasoup 3.19.3 drops a packet for good when the phone's
   * bandwidth probe (an RTX copy) reaches it before the lost original (versatica/mediasoup#906), and
   * Chrome asks for a key frame only after 3 s without a decodable frame. At most one request per
   * consumer per KEY_FRAME_INTERVAL_MS goes out (a key frame costs the phone's uplink several frames'
   * worth); the rest are ignored.
   * @returns whether a request went out.
   * @throws NotFoundError when the peer has no such consumer.
   */
  async requestKeyFrame(peerId: string, consumerId: string, now = Date.now()): Promise<boolean> {
    const consumer = this.#peers.get(peerId)?.consumers.get(consumerId);
    if (!consumer) throw new NotFoundError('consumer');
    const last = this.#keyFrameAt.get(consumer);
    if (consumer.kind !== 'video' || (last !== undefined && now - last < KEY_FRAME_INTERVAL_MS)) return false;
    this.#keyFrameAt.set(consumer, now);
    await consumer.requestKeyFrame();
    return true;
  }

  /** Bytes sent so far and the current quality score (0-10) of a producer, for the quality summary. */
  async producerSample(producerId: string): Promise<{ bytes: number; score: number; codec: string } | undefined> {
    const entry = this.#producers.get(producerId);
    if (!entry || entry.producer.closed) return undefined;
    const stats = await entry.producer.getStats().catch(() => []);
    const bytes = stats.reduce((sum, s) => sum + (s.byteCount ?? 0), 0);
    const score = Math.min(...entry.producer.score.map((s) => s.score), 10);
    return { bytes, score, codec: entry.producer.rtpParameters.codecs[0]?.mimeType ?? '' };
  }

  /** Consumers of every router of the room (the peers' ones; not pipes or recorders). */
  mediaCounts(): { producers: number; consumers: number; pretap: number; pretapConnected: number } {
    let consumers = 0;
    for (const peer of this.#peers.values()) consumers += peer.consumers.size;
    const pretap = this.#pretap && !this.#pretap.closed ? 1 : 0;
    const pretapConnected = pretap && this.#pretap!.dtlsState === 'connected' ? 1 : 0;
    return { producers: this.#producers.size, consumers, pretap, pretapConnected };
  }

  /** Closes the producers of a source, but for `keep` (the one that replaces them). */
  closeProducers(source: ProducerInfo['source'], keep?: string): void {
    if (source === 'show_me') return this.closeShowMe('replaced', keep);
    for (const { producer, info } of [...this.#producers.values()]) if (info.source === source && producer.id !== keep) producer.close();
  }

  /** Closes everything a peer (socket) opened; its producers disappear for everyone else. */
  closePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return void this.codecs.removePeer(peerId);
    for (const t of peer.transports.values()) t.close();
    this.#peers.delete(peerId);
    this.codecs.removePeer(peerId);
  }

  close(): void {
    if (this.#closed) return;
    for (const entry of this.#showMe.values()) entry.endReason ??= 'session_ended';
    this.#routers.close();
  }

  /** Any router of the room closed (a worker died, or close()): every other one is closed by now. */
  #onRouterClosed(reason: RoomClosedReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#peers.clear();
    this.#producers.clear();
    this.emit('closed', reason);
  }

  #announce(producer: types.Producer, source: ProducerInfo['source']): ProducerInfo {
    const info: ProducerInfo = { producerId: producer.id, kind: producer.kind, source };
    this.#producers.set(producer.id, { producer, info });
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.#closed) this.emit('producer-closed', producer.id);
    });
    this.#routers.pipeEverywhere(producer.id);
    this.log.info({ producerId: producer.id, kind: info.kind, codec: producer.rtpParameters.codecs[0]?.mimeType }, 'producer created');
    this.emit('producer-added', info);
    return info;
  }

  /** A show-me picture: piped and consumable like any producer, announced on its own events. */
  #announceShowMe(producer: types.Producer, shows: ShowMe): ShowMe {
    const entry: { shows: ShowMe; endReason?: ShowMeEndReason } = { shows };
    this.#showMe.set(producer.id, entry);
    this.#producers.set(producer.id, { producer, info: { producerId: producer.id, kind: 'video', source: 'show_me' } });
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      this.#showMe.delete(producer.id);
      // A router closing under a room not closed by close() is a worker gone; otherwise the console's transport went.
      this.emit('show-me-closed', shows, entry.endReason ?? (this.#closed || this.router.closed ? 'media_lost' : 'console_left'));
    });
    this.#routers.pipeEverywhere(producer.id);
    this.log.info({ producerId: producer.id, shows: shows.source }, 'show-me producer created');
    this.emit('show-me-added', shows);
    return shows;
  }

  #peer(peerId: string): Peer {
    let peer = this.#peers.get(peerId);
    if (!peer) {
      peer = { transports: new Map(), producers: new Map(), consumers: new Map() };
      this.#peers.set(peerId, peer);
    }
    return peer;
  }

  #transport(peerId: string, transportId: string): types.WebRtcTransport {
    const transport = this.#peers.get(peerId)?.transports.get(transportId);
    if (!transport) throw new NotFoundError('transport');
    return transport;
  }
}
