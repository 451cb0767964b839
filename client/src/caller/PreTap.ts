import type { types } from 'mediasoup-client';
import type { OpenedResponse, RedeemResponse } from '@sightline/shared';
import type { Device } from '../common/device.js';
import { markStep } from '../common/marks.js';
import { connectSignalling, request, type SignallingSocket } from '../common/signalling.js';

/** How long the page waits at most for its pre-tap transport to come up once it needs it (else it makes a fresh one). */
const READY_WAIT_MS = 3_000;
/** A pre-tap transport that has not connected by then is given up (the tap takes the old path). */
const CONNECT_TIMEOUT_MS = 15_000;

/** Raised by the pre-tap 'produce' listener: nothing is produced before the tap, nothing is sent. */
class NotBeforeTheTap extends Error {
  override name = 'NotBeforeTheTap';
}

/**
 * What the caller's page sets up before the tap (issue #12), under the pre-tap credential the page's
 * opening report returned: the signalling socket, and the send transport with ICE and DTLS up. Neither
 * needs consent or the camera, and neither spends the invite: the credential cannot produce (the server
 * refuses it: sessions/access.ts).
 *
 * mediasoup-client has no "connect" for a send transport: it connects inside the first produce(), before
 * asking the server to produce. So a placeholder track is produced, the transport connects, and this
 * page's own 'produce' listener refuses it before anything is sent; mediasoup-client then disables that
 * first m-section (it never closes the first one, whose bundle carries the transport) and the transport
 * stays connected, ready for the camera's producer after the tap.
 *
 * An optimisation only: if any of it fails or is slow, the tap takes the old path (HTTP redeem, a
 * new socket and transport), and the page never waits on it for more than READY_WAIT_MS.
 */
export class PreTap {
  readonly socket: SignallingSocket;
  readonly sessionId: string;
  #transport: types.Transport | undefined;
  /** Resolves with the connected transport, or undefined if it could not be had. */
  readonly #ready: Promise<types.Transport | undefined>;
  #broken = false;
  #tapped = false;

  constructor(pretap: OpenedResponse['pretap'], device: Promise<Device>) {
    this.sessionId = pretap.sessionId;
    this.socket = connectSignalling(pretap.token);
    // Before the tap, a lost socket took its transport with it (the server closes a socket's media).
    this.socket.on('disconnect', () => !this.#tapped && (this.#broken = true));
    this.#ready = this.#connect(device).catch((err: unknown) => {
      console.debug('pre-tap set-up not used:', err);
      this.#broken = true;
      return undefined;
    });
  }

  /**
   * Whether the tap can redeem over this socket: it is up (waiting up to `waitMs` for it: a tap right
   * after the page loaded finds it still connecting, and a new socket would be no quicker) and nothing broke.
   */
  async usable(waitMs = READY_WAIT_MS): Promise<boolean> {
    if (!this.#broken && !this.socket.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.socket.once('connect', done);
        this.socket.once('connect_error', done);
      });
    }
    return !this.#broken && this.socket.connected;
  }

  /**
   * The tap: redeems the invite over this socket (the server logs the consent and spends the invite
   * before it answers), which from then on is the caller's; a reconnect presents the caller's token.
   * @throws SignallingError (`gone` once used or expired, `not_found`), or a timeout.
   */
  async redeem(): Promise<RedeemResponse> {
    this.#tapped = true;
    const r = await request(this.socket, 'invite:redeem', { sessionId: this.sessionId });
    this.socket.auth = { token: r.token };
    return r;
  }

  /**
   * The connected transport for the camera's producer (its pre-tap listeners removed), waiting at most
   * READY_WAIT_MS; undefined if it is not there, and then it is let go.
   */
  async transport(): Promise<types.Transport | undefined> {
    const t = await Promise.race([this.#ready, new Promise<undefined>((r) => setTimeout(r, READY_WAIT_MS))]);
    if (!t || this.#broken || t.closed || t.connectionState !== 'connected') {
      this.#release();
      return undefined;
    }
    t.removeAllListeners('connect');
    t.removeAllListeners('produce');
    t.removeAllListeners('connectionstatechange');
    return t;
  }

  /** Lets everything go (the tap took the old path, or the page is leaving). */
  close(): void {
    this.#release();
    this.socket.disconnect();
  }

  #release(): void {
    const t = this.#transport;
    this.#transport = undefined;
    if (!t || t.closed) return;
    t.close();
    if (this.socket.connected) void request(this.socket, 'transport:close', { sessionId: this.sessionId, transportId: t.id }).catch(() => undefined);
  }

  async #connect(devicePromise: Promise<Device>): Promise<types.Transport> {
    const [device, options] = await Promise.all([devicePromise, request(this.socket, 'transport:create', { sessionId: this.sessionId, direction: 'send' })]);
    const transport = device.createSendTransport(options as types.TransportOptions);
    this.#transport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(this.socket, 'transport:connect', { sessionId: this.sessionId, transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    transport.on('produce', (_params, _callback, errback) => errback(new NotBeforeTheTap('nothing is produced before the tap')));
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('pre-tap transport did not connect in time')), CONNECT_TIMEOUT_MS);
      transport.on('connectionstatechange', (state) => {
        if (state === 'connected') {
          markStep('send-connected', this.sessionId);
          clearTimeout(timer);
          resolve();
        } else if (state === 'failed' || state === 'closed' || state === 'disconnected') {
          clearTimeout(timer);
          this.#broken = true;
          reject(new Error(`pre-tap transport ${state}`));
        }
      });
    });
    connected.catch(() => undefined);
    const track = placeholderTrack();
    try {
      await transport.produce({ track, stopTracks: false });
    } catch (err) {
      if (!(err instanceof NotBeforeTheTap)) throw err;
    } finally {
      track.stop();
    }
    await connected;
    return transport;
  }
}

/** A 2×2 canvas's video track: never sent, only there to make the transport connect. */
function placeholderTrack(): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.width = 2;
  canvas.height = 2;
  canvas.getContext('2d')?.fillRect(0, 0, 2, 2);
  const track = canvas.captureStream(1).getVideoTracks()[0];
  if (!track) throw new Error('no placeholder track');
  return track;
}
