import { SHOW_ME_MAX_BITRATE, SHOW_ME_MAX_FPS, type ShowMeSource } from '@sightline/shared';
import type { types } from 'mediasoup-client';
import { fetchWithToken } from '../../common/api.js';
import type { Device } from '../../common/device.js';
import { request } from '../../common/signalling.js';
import type { CardContext } from './context.js';

/**
 * The console's side of "show me" (issue #15 §1): one send transport of its own per session, and
 * one producer on it, of the dispatcher's camera or of a clip.
 *
 * A clip is played here, in a muted looping <video>, and its `captureStream()` sent like a camera.
 * Why not have the server stream the file: the console already has a WebRTC sender with congestion
 * control and the caps below, the SFU stays a forwarder (no encoder or file reader on the media
 * node, nothing different in Redis mode), and the dispatcher sees exactly what is sent. The cost:
 * the console's tab must stay open while it shows, which it must for the call anyway.
 *
 * The caller's downlink: at most SHOW_ME_MAX_BITRATE and SHOW_ME_MAX_FPS, in the encoding and on
 * the sender itself (Safari's handler ignores the encodings; the console is Chromium or Firefox).
 * The encoder aims at SENDER_BITRATE, 10 % under the cap: Chromium's VP8 overshoots its target by a
 * few per cent around key frames (a clip at 300 kbit/s arrived at 303 kbit/s over 6 s in
 * test/e2e/show-me.test.ts). VP8, which every phone decodes.
 */
/** What the console's encoder aims at (bit/s): under the cap the caller's downlink is promised. */
export const SENDER_BITRATE = Math.round(SHOW_ME_MAX_BITRATE * 0.9);

export class ShowMeSender {
  #transport: types.Transport | undefined;
  #producer: types.Producer | undefined;
  /** What feeds the producer: stopped on the next start or stop. */
  #release: (() => void) | undefined;

  constructor(
    private readonly ctx: CardContext,
    private readonly device: Device,
  ) {}

  get showing(): boolean {
    return !!this.#producer && !this.#producer.closed;
  }

  /**
   * Starts showing `source` (replacing what was shown); resolves with the stream shown, for the preview.
   * @throws the camera's refusal, a clip that will not load or play, or the server's refusal.
   */
  async start(source: ShowMeSource): Promise<MediaStream> {
    const { stream, release } = source === 'camera' ? await camera() : await clip(this.ctx, source);
    try {
      const track = stream.getVideoTracks()[0];
      if (!track) throw new Error('no picture to show');
      const transport = await this.#sendTransport();
      const old = this.#producer;
      this.#producer = await transport.produce({
        track,
        codec: this.device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8'),
        encodings: [{ maxBitrate: SENDER_BITRATE, maxFramerate: SHOW_ME_MAX_FPS }],
        codecOptions: { videoGoogleStartBitrate: 250 },
        appData: { source },
        stopTracks: false,
      });
      await capSender(this.#producer);
      old?.close();
      this.#release?.();
      this.#release = release;
      return stream;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Stops showing: the server logs why (`stopped`) and tells the caller's page. */
  async stop(): Promise<void> {
    this.release();
    await request(this.ctx.socket, 'show-me:stop', { sessionId: this.ctx.sessionId }).catch(() => undefined);
  }

  /** Lets go of the picture here (the showing ended elsewhere: the caller closed it, the session ended). */
  release(): void {
    this.#producer?.close();
    this.#producer = undefined;
    this.#release?.();
    this.#release = undefined;
  }

  close(): void {
    this.release();
    this.#transport?.close();
    this.#transport = undefined;
  }

  async #sendTransport(): Promise<types.Transport> {
    if (this.#transport && !this.#transport.closed && this.#transport.connectionState !== 'failed') return this.#transport;
    this.#transport?.close();
    const { socket, sessionId } = this.ctx;
    const transport = this.device.createSendTransport((await request(socket, 'transport:create', { sessionId, direction: 'send' })) as types.TransportOptions);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(socket, 'transport:connect', { sessionId, transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    transport.on('produce', ({ rtpParameters, appData }, callback, errback) => {
      const source = appData['source'] as ShowMeSource;
      request(socket, 'show-me:produce', { sessionId, transportId: transport.id, rtpParameters: rtpParameters as never, source }).then(
        ({ producerId }) => callback({ id: producerId }),
        errback,
      );
    });
    this.#transport = transport;
    return transport;
  }
}

/** The dispatcher's own camera, small: the caller's phone shows it inset. */
async function camera(): Promise<{ stream: MediaStream; release: () => void }> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: SHOW_ME_MAX_FPS, max: 30 } },
    audio: false,
  });
  return { stream, release: () => stream.getTracks().forEach((t) => t.stop()) };
}

/** A centre clip, fetched with the staff token and played muted in a loop; its capture is what is sent. */
async function clip(ctx: CardContext, name: string): Promise<{ stream: MediaStream; release: () => void }> {
  const res = await fetchWithToken(`/api/clips/${encodeURIComponent(name)}`, ctx.token);
  if (!res.ok) throw new Error(`clip ${name} not available (HTTP ${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const video = Object.assign(document.createElement('video'), { src: url, muted: true, loop: true, playsInline: true });
  const release = () => {
    video.pause();
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  };
  try {
    await video.play();
    const capture =
      (video as HTMLVideoElement & { captureStream?: (fps?: number) => MediaStream; mozCaptureStream?: (fps?: number) => MediaStream }).captureStream ??
      (video as unknown as { mozCaptureStream: (fps?: number) => MediaStream }).mozCaptureStream;
    if (!capture) throw new Error('this browser cannot send a clip');
    const stream = capture.call(video, SHOW_ME_MAX_FPS);
    return { stream, release };
  } catch (err) {
    release();
    throw err;
  }
}

/** The caps on the sender itself, where the browser enforces them whatever the SDP said. */
async function capSender(producer: types.Producer): Promise<void> {
  const sender = producer.rtpSender;
  if (!sender) return;
  try {
    const params = sender.getParameters();
    for (const e of params.encodings ?? []) {
      e.maxBitrate = SENDER_BITRATE;
      e.maxFramerate = SHOW_ME_MAX_FPS;
    }
    await sender.setParameters(params);
  } catch {
    // The encoding given to produce() holds the same caps.
  }
}
