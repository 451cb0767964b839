import type { ProducerInfo } from '@sightline/shared';
import type { types } from 'mediasoup-client';
import type { Device } from './device.js';
import { FreezeWatch } from './FreezeWatch.js';
import { markStep } from './marks.js';
import { ReceivePolicy } from './ReconnectPolicy.js';
import { Reconnector } from './Reconnector.js';
import { request, SignallingError, type SignallingSocket } from './signalling.js';

/**
 * Receives one session's media: one receive transport, a consumer per producer. Consumers arrive
 * paused from the server and are resumed once the track is wired, so the first packets are a key frame.
 * When the media path breaks while the socket stays up, its Reconnector (ReceivePolicy) restarts ICE,
 * then rejoins: a new transport and a consumer for every producer wanted (`onTrack` then gets the new tracks).
 */
export class Subscriber {
  #transport: Promise<types.Transport> | undefined;
  /** The transport `#transport` resolved to: the only one whose state changes count. */
  #current: types.Transport | undefined;
  #consumers = new Map<string, types.Consumer>();
  /** Producers this page receives (asked to consume, not closed since): what a rebuild brings back. */
  #wanted = new Set<string>();
  /** `transportId producerId` of consumes under way: a rebuild and a producer-added push may ask at once. */
  #inFlight = new Set<string>();
  /** Polls the video consumer for a picture that stopped while media arrives (FreezeWatch). */
  #freezeTimer: ReturnType<typeof setInterval> | undefined;
  /** Observers told, in the server's words, why this browser cannot play a producer (its codec). */
  readonly unplayable = new Set<(reason: string) => void>();
  readonly recovery = new Reconnector(
    {
      restartIce: () => this.#restartIce(),
      rejoin: () => this.#rebuild(),
      connected: () => this.#current?.connectionState === 'connected',
      wanted: () => this.#wanted.size > 0,
    },
    new ReceivePolicy(),
  );

  constructor(
    private readonly socket: SignallingSocket,
    private readonly device: Device,
    private readonly sessionId: string,
    private readonly onTrack: (track: MediaStreamTrack, info: { producerId: string; kind: string }) => void,
  ) {}

  /** Creates the transport ahead of any producer, so the first frame waits for nothing but the caller. */
  prepare(): Promise<types.Transport> {
    this.#transport ??= this.#createTransport();
    return this.#transport;
  }

  async consume(producer: Pick<ProducerInfo, 'producerId'>): Promise<void> {
    if ([...this.#consumers.values()].some((c) => c.producerId === producer.producerId)) return;
    this.#wanted.add(producer.producerId);
    const transport = await this.prepare();
    const key = `${transport.id} ${producer.producerId}`;
    if (this.#inFlight.has(key)) return;
    this.#inFlight.add(key);
    try {
      await this.#consumeOn(transport, producer.producerId);
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #consumeOn(transport: types.Transport, producerId: string): Promise<void> {
    const producer = { producerId };
    const options = await request(this.socket, 'media:consume', {
      sessionId: this.sessionId,
      transportId: transport.id,
      producerId: producer.producerId,
      rtpCapabilities: this.device.rtpCapabilities as never,
    }).catch((err: unknown) => {
      if (err instanceof SignallingError && err.code === 'not_found') this.#wanted.delete(producer.producerId);
      // The caller is asked for a codec this browser plays (a new producer follows), or there is none: say so.
      if (!(err instanceof SignallingError) || err.code !== 'unsupported_media') throw err;
      // A stale producer's answer must not cover a picture that already plays.
      if (![...this.#consumers.values()].some((c) => c.kind === 'video' && !c.closed)) for (const listener of [...this.unplayable]) listener(err.message);
      return undefined;
    });
    if (!options) return;
    markStep('consume-answered', this.sessionId);
    // A rebuild replaced the transport meanwhile: the rebuild consumes this producer on the new one.
    if (transport !== this.#current || transport.closed) return;
    // The producer closed while its consumer was being made (its push can overtake the answer).
    if (!this.#wanted.has(producerId)) return;
    const consumer = await transport.consume({
      id: options.consumerId,
      producerId: options.producerId,
      kind: options.kind,
      rtpParameters: options.rtpParameters as types.RtpParameters,
    });
    if (!this.#wanted.has(producerId)) return consumer.close();
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.on('close', () => this.#consumers.delete(consumer.id));
    markStep('consumer-created', this.sessionId);
    this.onTrack(consumer.track, { producerId: consumer.producerId, kind: consumer.kind });
    await request(this.socket, 'media:resume', { sessionId: this.sessionId, consumerId: consumer.id });
    markStep('consumer-resumed', this.sessionId);
    if (consumer.kind === 'video') this.#watchFreezes(consumer);
  }

  /**
   * Asks for a key frame as soon as the picture stops while packets still arrive (FreezeWatch says
   * when), every 50 ms while this consumer is the page's video. The server throttles too.
   */
  #watchFreezes(consumer: types.Consumer): void {
    clearInterval(this.#freezeTimer);
    const watch = new FreezeWatch();
    const timer = setInterval(() => {
      if (consumer.closed) return clearInterval(timer);
      void consumer.getStats().then(
        (report) => {
          let sample: { framesDecoded: number; packetsReceived: number } | undefined;
          report.forEach((s: { type?: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') sample = { framesDecoded: s.framesDecoded ?? 0, packetsReceived: s.packetsReceived ?? 0 };
          });
          if (sample && watch.observe({ at: performance.now(), ...sample }))
            void request(this.socket, 'media:key-frame', { sessionId: this.sessionId, consumerId: consumer.id }).catch(() => undefined);
        },
        () => undefined,
      );
    }, 50);
    this.#freezeTimer = timer;
  }

  producerClosed(producerId: string): void {
    this.#wanted.delete(producerId);
    for (const c of this.#consumers.values()) if (c.producerId === producerId) c.close();
  }

  /** Current inbound video stats of the newest open video consumer (for the stats panel and tests). */
  async videoStats(): Promise<RTCStatsReport | undefined> {
    // The newest open one: after a re-publish it is the picture shown.
    const video = [...this.#consumers.values()].reverse().find((c) => c.kind === 'video' && !c.closed);
    return video?.getStats();
  }

  close(): void {
    clearInterval(this.#freezeTimer);
    this.recovery.reset();
    void this.#transport?.then(
      (t) => t.close(),
      () => undefined,
    );
    this.#transport = undefined;
    this.#current = undefined;
    this.#consumers.clear();
    this.#wanted.clear();
  }

  async #createTransport(): Promise<types.Transport> {
    const options = await request(this.socket, 'transport:create', { sessionId: this.sessionId, direction: 'recv' });
    const transport = this.device.createRecvTransport(options as types.TransportOptions);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      markStep('recv-dtls-sent', this.sessionId);
      request(this.socket, 'transport:connect', { sessionId: this.sessionId, transportId: transport.id, dtlsParameters })
        .then(() => {
          markStep('recv-dtls-answered', this.sessionId);
          callback();
        })
        .catch(errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'connected') markStep('recv-connected', this.sessionId);
      if (transport === this.#current) this.recovery.onState(state);
    });
    this.#current = transport;
    return transport;
  }

  async #restartIce(): Promise<void> {
    const transport = this.#current;
    // No transport left (a rebuild failed half-way): only a rebuild can help.
    if (!transport) throw new Error('no receive transport to restart');
    const { iceParameters } = await request(this.socket, 'transport:restart-ice', { sessionId: this.sessionId, transportId: transport.id });
    await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
  }

  /** A new transport, and a new consumer for every producer wanted. */
  async #rebuild(): Promise<void> {
    const old = this.#current;
    old?.close();
    // The server would otherwise keep the old transport and its consumers until the socket closes.
    if (old) void request(this.socket, 'transport:close', { sessionId: this.sessionId, transportId: old.id }).catch(() => undefined);
    this.#transport = undefined;
    this.#current = undefined;
    this.#consumers.clear();
    await this.prepare();
    const results = await Promise.allSettled([...this.#wanted].map((producerId) => this.consume({ producerId })));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
