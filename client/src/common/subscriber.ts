import type { ProducerInfo } from '@sightline/shared';
import type { types } from 'mediasoup-client';
import type { Device } from './device.js';
import { request, SignallingError, type SignallingSocket } from './signalling.js';

/**
 * Receives one session's media: one receive transport, a consumer per producer. Consumers arrive
 * paused from the server and are resumed once the track is wired, so the first packets are a key frame.
 */
export class Subscriber {
  #transport: Promise<types.Transport> | undefined;
  #consumers = new Map<string, types.Consumer>();
  /** Observers told, in the server's words, why this browser cannot play a producer (its codec). */
  readonly unplayable = new Set<(reason: string) => void>();

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
    const transport = await this.prepare();
    const options = await request(this.socket, 'media:consume', {
      sessionId: this.sessionId,
      transportId: transport.id,
      producerId: producer.producerId,
      rtpCapabilities: this.device.rtpCapabilities as never,
    }).catch((err: unknown) => {
      // The caller is asked for a codec this browser plays (a new producer follows), or there is none: say so.
      if (!(err instanceof SignallingError) || err.code !== 'unsupported_media') throw err;
      // A stale producer's answer must not cover a picture that already plays.
      if (![...this.#consumers.values()].some((c) => c.kind === 'video' && !c.closed))
        for (const listener of [...this.unplayable]) listener(err.message);
      return undefined;
    });
    if (!options) return;
    const consumer = await transport.consume({
      id: options.consumerId,
      producerId: options.producerId,
      kind: options.kind,
      rtpParameters: options.rtpParameters as types.RtpParameters,
    });
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.on('close', () => this.#consumers.delete(consumer.id));
    this.onTrack(consumer.track, { producerId: consumer.producerId, kind: consumer.kind });
    await request(this.socket, 'media:resume', { sessionId: this.sessionId, consumerId: consumer.id });
  }

  producerClosed(producerId: string): void {
    for (const c of this.#consumers.values()) if (c.producerId === producerId) c.close();
  }

  /** Current inbound video stats of the first video consumer (for the stats panel and tests). */
  async videoStats(): Promise<RTCStatsReport | undefined> {
    const video = [...this.#consumers.values()].find((c) => c.kind === 'video');
    return video?.getStats();
  }

  close(): void {
    void this.#transport?.then((t) => t.close(), () => undefined);
    this.#transport = undefined;
    this.#consumers.clear();
  }

  async #createTransport(): Promise<types.Transport> {
    const options = await request(this.socket, 'transport:create', { sessionId: this.sessionId, direction: 'recv' });
    const transport = this.device.createRecvTransport(options as types.TransportOptions);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(this.socket, 'transport:connect', { sessionId: this.sessionId, transportId: transport.id, dtlsParameters })
        .then(() => callback())
        .catch(errback);
    });
    return transport;
  }
}
