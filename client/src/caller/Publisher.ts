import type { JoinResult } from '@sightline/shared';
import type { types } from 'mediasoup-client';
import type { Device } from '../common/device.js';
import { finalRefusal, type Finality } from '../common/finality.js';
import { markStep } from '../common/marks.js';
import { SendPolicy } from '../common/ReconnectPolicy.js';
import { Reconnector } from '../common/Reconnector.js';
import { onTransportsLost, request, type SignallingSocket } from '../common/signalling.js';
import { CameraError, openCamera, type Facing } from './camera.js';
import { CodecChoice } from './CodecChoice.js';

/** `ended` and `expired` are final: the server refused the session for good, and the camera is released. */
export type PublisherState = 'connecting' | 'live' | 'reconnecting' | Finality;

/** The torch is a property of some back cameras only. */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/**
 * The caller's camera in the session, kept alive without the caller doing anything: on a network
 * change it first restarts ICE on the same transport; if that fails, or the signalling connection
 * itself was lost (the server then dropped our transports), it publishes again from scratch, with
 * back-off. The order and the delays are the SendPolicy's; a Reconnector keeps the time.
 * The video codec is one every receiver can play (CodecChoice); it switches when that changes.
 */
export class Publisher {
  #transport: types.Transport | undefined;
  #producer: types.Producer | undefined;
  #paused = false;
  #recovery = new Reconnector(
    {
      restartIce: () => this.#restartIce(),
      rejoin: () => this.#rejoinOnce(),
      connected: () => this.#transport?.connectionState === 'connected',
    },
    new SendPolicy(),
  );
  #switching: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** A send transport connected before the tap (PreTap), used by the first publish only. */
  #preconnected: types.Transport | undefined;
  onState: (state: PublisherState) => void = () => {};
  /** Observers told each rejoin's answer: what changed while the page was away (the CPR metronome). */
  readonly rejoined = new Set<(answer: JoinResult) => void>();

  constructor(
    private readonly socket: SignallingSocket,
    private readonly device: Device,
    private readonly sessionId: string,
    private track: MediaStreamTrack,
    private facing: Facing,
    private readonly codecs: CodecChoice = new CodecChoice(socket),
  ) {
    codecs.onChange(() => this.#followCodec());
    socket.on('disconnect', () => !this.#closed && this.onState('reconnecting'));
    onTransportsLost(socket, () => this.rejoin());
    this.#recovery.onStep((step) => step === 'rejoin' && this.onState('reconnecting'));
    // The server refused for good (the session ended meanwhile, the token is no longer valid).
    this.#recovery.onGiveUp((err) => {
      this.close();
      this.onState(finalRefusal(err) ?? 'ended');
    });
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** `preconnected`: a send transport already connected (before the tap: PreTap.transport()), so only produce remains. */
  async start(preconnected?: types.Transport): Promise<void> {
    this.#preconnected = preconnected;
    this.onState('connecting');
    await this.#publish();
  }

  /**
   * Switches between the back and the front camera; resolves with the camera now streaming.
   * iOS cannot hold two cameras open (and many Android phones refuse a second one with
   * NotReadableError), so the old camera is released first. If the other one will not open (busy:
   * NotReadableError; missing or unable to meet the constraints: OverconstrainedError), the
   * previous camera is opened again and streams on, and the flip rejects with that CameraError
   * (its message is the browser's error name). Flips run one at a time: a double tap never leaves
   * a camera open that nothing streams.
   */
  flip(): Promise<Facing> {
    const flipped = this.#switching.then(() => this.#flipOnce());
    this.#switching = flipped.catch(() => undefined);
    return flipped;
  }

  async #flipOnce(): Promise<Facing> {
    if (this.#closed) throw new CameraError('failed', 'the call has ended');
    const next: Facing = this.facing === 'environment' ? 'user' : 'environment';
    this.track.stop();
    let opened: MediaStreamTrack;
    try {
      opened = await openCamera(next);
    } catch (err) {
      try {
        await this.#stream(await openCamera(this.facing));
      } catch (again) {
        throw new CameraError('failed', `${(err as Error).message}; the previous camera did not open again either (${(again as Error).message})`);
      }
      throw err;
    }
    this.facing = next;
    await this.#stream(opened);
    return next;
  }

  /** Puts a freshly opened camera on the air (or, after the call ended, lets it go at once). */
  async #stream(track: MediaStreamTrack): Promise<void> {
    if (this.#closed) {
      track.stop();
      return;
    }
    this.track = track;
    await this.#producer?.replaceTrack({ track });
    if (this.#paused) track.enabled = false;
    this.#report();
  }

  canTorch(): boolean {
    const caps = this.track.getCapabilities?.() as MediaTrackCapabilities & { torch?: boolean };
    return Boolean(caps?.torch);
  }

  async setTorch(on: boolean): Promise<void> {
    if (!this.canTorch()) throw new UnsupportedError('no torch on this camera');
    await this.track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
  }

  /** Pause blacks the picture out (the track sends black frames); the session stays connected. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    if (paused) this.#producer?.pause();
    else this.#producer?.resume();
    this.#report();
  }

  get currentTrack(): MediaStreamTrack {
    return this.track;
  }

  async stats(): Promise<RTCStatsReport | undefined> {
    return this.#producer?.getStats();
  }

  close(): void {
    this.#closed = true;
    this.#recovery.close();
    this.#transport?.close();
    this.track.stop();
  }

  /**
   * Publishes again on a new transport (the server lost ours: a new socket, a media reset). Retried
   * with back-off until it works or the server refuses for good: then the camera is released and the
   * final state reported. Losses while a rejoin is under way share it.
   */
  rejoin(): void {
    this.#recovery.lost();
  }

  /** One rejoin: the session joined again, the camera published on a new transport. */
  async #rejoinOnce(): Promise<void> {
    this.#transport?.close();
    const answer = await request(this.socket, 'session:join', { sessionId: this.sessionId });
    for (const fn of [...this.rejoined]) fn(answer);
    await this.#publish();
  }

  async #publish(): Promise<void> {
    const sessionId = this.sessionId;
    // A flip under way has the old camera stopped and the next one opening: wait for it rather
    // than open a third camera that nothing would ever stop.
    await this.#switching;
    // The OS may have taken the camera away meanwhile (a phone call, a permission change).
    if (this.track.readyState === 'ended') this.track = await openCamera(this.facing);
    const pre = this.#preconnected;
    this.#preconnected = undefined;
    const transport =
      pre && !pre.closed && pre.connectionState === 'connected'
        ? pre
        : this.device.createSendTransport((await request(this.socket, 'transport:create', { sessionId, direction: 'send' })) as types.TransportOptions);
    this.#transport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(this.socket, 'transport:connect', { sessionId, transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      request(this.socket, 'media:produce', { sessionId, transportId: transport.id, kind, rtpParameters: rtpParameters as never, source: 'camera' }).then(
        ({ producerId }) => {
          markStep('produced', sessionId);
          callback({ id: producerId });
        },
        errback,
      );
    });
    transport.on('connectionstatechange', (state) => this.#onConnectionState(transport, state));
    this.#producer = await this.#produce(transport);
    // A transport connected before the tap will not say 'connected' again.
    if (transport === pre) this.#onConnectionState(transport, transport.connectionState);
    this.#report();
    // The receivers may have changed while this was under way.
    this.#followCodec();
  }

  async #produce(transport: types.Transport): Promise<types.Producer> {
    const producer = await transport.produce({
      track: this.track,
      codec: this.codecs.pick(this.device),
      encodings: [VIDEO_ENCODING],
      // Start near the target instead of ramping up from a few hundred kbit/s.
      codecOptions: { videoGoogleStartBitrate: 1000 },
      stopTracks: false,
    });
    if (this.#paused) producer.pause();
    await tuneSender(producer);
    return producer;
  }

  /**
   * A receiver that cannot play the codec being sent joined: send the camera again in one it can, on
   * the same transport (the server replaces the old producer once the new one is up, so the console
   * only waits for the new stream's first frame). The old stream is stopped first, between two
   * frames: cut off by the server mid-frame, its recording would end on a broken frame. A failed
   * switch puts the camera back on the old producer. Queued with flips: never two at once.
   */
  #followCodec(): void {
    this.#switching = this.#switching
      .then(async () => {
        const transport = this.#transport;
        const old = this.#producer;
        if (!transport || !old || old.closed || this.#closed || this.#recovery.rejoining) return;
        if (!this.codecs.shouldSwitch(this.device, old.rtpParameters.codecs[0]?.mimeType ?? '')) return;
        await old.replaceTrack({ track: null }).catch(() => undefined);
        const next = await this.#produce(transport).catch(() => undefined);
        if (!next || transport !== this.#transport || this.#closed) {
          next?.close();
          if (!old.closed) await old.replaceTrack({ track: this.track }).catch(() => undefined);
          return;
        }
        this.#producer = next;
        old.close();
      })
      .catch(() => undefined);
  }

  #onConnectionState(transport: types.Transport, state: types.ConnectionState): void {
    if (transport !== this.#transport || this.#closed) return;
    if (state === 'connected') {
      markStep('send-connected', this.sessionId);
      this.onState('live');
    } else if (state === 'disconnected') this.onState('reconnecting');
    this.#recovery.onState(state);
  }

  /** Asks the server for new ICE parameters of the current transport and restarts ICE with them. */
  async #restartIce(): Promise<void> {
    const transport = this.#transport;
    if (!transport) throw new Error('no send transport to restart');
    const { iceParameters } = await request(this.socket, 'transport:restart-ice', { sessionId: this.sessionId, transportId: transport.id });
    await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
  }

  #report(): void {
    void request(this.socket, 'caller:media', { sessionId: this.sessionId, paused: this.#paused, facing: this.facing }).catch(() => undefined);
  }
}

/** The camera's one encoding: a ceiling that a phone's uplink can carry, key frames included. */
const VIDEO_ENCODING = { maxBitrate: 1_500_000, maxFramerate: 30 } as const;

/**
 * Puts the sender's own settings where the browser applies them: VIDEO_ENCODING's ceilings, and on a
 * poor network lower resolution and frame rate together rather than freezing the picture.
 * mediasoup-client's Safari handler (every iPhone) only signals the encodings to the server and never
 * gives them to the browser (it adds the transceiver without `sendEncodings`), so there the phone
 * sent up to what its congestion control allowed (2.5 Mbit/s measured, against 1.5) and every key
 * frame a late receiver or the recorder asks for was that much larger on a cellular uplink.
 */
async function tuneSender(producer: types.Producer): Promise<void> {
  const sender = producer.rtpSender;
  if (!sender) return;
  try {
    const params = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
    params.degradationPreference = 'balanced';
    for (const e of params.encodings ?? []) {
      e.maxBitrate ??= VIDEO_ENCODING.maxBitrate;
      e.maxFramerate ??= VIDEO_ENCODING.maxFramerate;
    }
    await sender.setParameters(params);
  } catch {
    // Older browsers: their default already degrades rather than stops.
  }
}
