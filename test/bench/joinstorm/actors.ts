import { Device, type types } from 'mediasoup-client';
import { FakeHandler } from 'mediasoup-client/handlers/FakeHandler';
import * as fakeParameters from 'mediasoup-client/fakeParameters';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import type { CreateSessionResponse, RedeemResponse } from '@sightline/shared';
import { connectSocket, httpJson, request, type StormSocket } from './net.js';

/**
 * The two ends of a session as the pages drive them (client/src/caller/main.ts + Publisher.ts,
 * client/src/console/SessionCard.ts + common/Subscriber.ts), the same REST calls and signalling
 * messages in the same order, from Node. What this skips: mediasoup-client runs on its FakeHandler
 * (its own test handler), so there is no RTCPeerConnection, no ICE, no DTLS and no RTP. A
 * transport is "connected" when the server acked transport:connect; a producer or consumer exists
 * on the server's mediasoup worker and carries no packets; "consumer attached" means the
 * console's media:consume was answered (the server-side consumer exists), not a decoded frame.
 */

/** A Device on mediasoup-client's fake handler, loaded with the server's capabilities (as client/src/common/device.ts). */
async function fakeDevice(url: string, localAddress: string): Promise<Device> {
  const routerRtpCapabilities = await httpJson<types.RtpCapabilities>('GET', `${url}/api/rtp-capabilities`, { localAddress });
  const device = new Device({ handlerFactory: FakeHandler.createFactory(fakeParameters) });
  await device.load({ routerRtpCapabilities });
  return device;
}

export interface ConsoleSide {
  /** The card is attached (joined, receive transport created); the session's media node, from its details. */
  ready: Promise<{ mediaNode?: string }>;
  /** When the console's media:consume was answered, ms since the epoch. */
  consumerAt: Promise<number>;
}

/** A dispatcher at a console: one login, one socket, a card per session it created. */
export class Dispatcher {
  #cards = new Map<string, { transport: Promise<types.Transport>; consumed: Set<string>; done: (at: number) => void; fail: (err: Error) => void }>();

  private constructor(
    readonly url: string,
    readonly username: string,
    readonly address: string,
    private readonly token: string,
    private readonly socket: StormSocket,
    private readonly device: Device,
  ) {
    socket.on('media:producer-added', ({ sessionId, producerId }) => void this.#consume(sessionId, producerId));
  }

  static async signIn(url: string, username: string, password: string, address: string): Promise<Dispatcher> {
    const { token } = await httpJson<{ token: string }>('POST', `${url}/api/auth/login`, { localAddress: address, body: { username, password } });
    const [socket, device] = await Promise.all([connectSocket(url, token, address), fakeDevice(url, address)]);
    return new Dispatcher(url, username, address, token, socket, device);
  }

  async createSession(n: number): Promise<CreateSessionResponse> {
    return httpJson<CreateSessionResponse>('POST', `${this.url}/api/sessions`, {
      localAddress: this.address,
      token: this.token,
      body: { phone: `+47${String(40_000_000 + n)}`, incidentRef: `STORM-${n}` },
    });
  }

  /** The session's card: details, join with what this browser plays, a receive transport ahead of any producer. */
  attach(sessionId: string): ConsoleSide {
    let done!: (at: number) => void;
    let fail!: (err: Error) => void;
    const consumerAt = new Promise<number>((resolve, reject) => ((done = resolve), (fail = reject)));
    consumerAt.catch(() => undefined);
    let detail: { mediaNode?: string } = {};
    const transport = (async () => {
      detail = await httpJson<{ mediaNode?: string }>('GET', `${this.url}/api/sessions/${sessionId}`, { localAddress: this.address, token: this.token });
      const joined = await request(this.socket, 'session:join', { sessionId, rtpCapabilities: this.device.rtpCapabilities as never });
      const options = await request(this.socket, 'transport:create', { sessionId, direction: 'recv' });
      const t = this.device.createRecvTransport(options as types.TransportOptions);
      t.on('connect', ({ dtlsParameters }, callback, errback) => {
        request(this.socket, 'transport:connect', { sessionId, transportId: t.id, dtlsParameters: dtlsParameters as never }).then(() => callback(), errback);
      });
      for (const p of joined.producers) void this.#consume(sessionId, p.producerId);
      return t;
    })();
    transport.catch((err: Error) => fail(err));
    this.#cards.set(sessionId, { transport, consumed: new Set(), done, fail });
    return { ready: transport.then(() => detail), consumerAt };
  }

  async #consume(sessionId: string, producerId: string): Promise<void> {
    const card = this.#cards.get(sessionId);
    if (!card || card.consumed.has(producerId)) return;
    card.consumed.add(producerId);
    try {
      const transport = await card.transport;
      const options = await request(this.socket, 'media:consume', {
        sessionId,
        transportId: transport.id,
        producerId,
        rtpCapabilities: this.device.rtpCapabilities as never,
      });
      card.done(performance.timeOrigin + performance.now());
      const consumer = await transport.consume({
        id: options.consumerId,
        producerId: options.producerId,
        kind: options.kind,
        rtpParameters: options.rtpParameters as types.RtpParameters,
      });
      await request(this.socket, 'media:resume', { sessionId, consumerId: consumer.id });
    } catch (err) {
      card.fail(err as Error);
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** What one caller's join took, ms since the epoch. */
export interface CallerJoin {
  /** The redeem request went out (the tap). */
  tapAt: number;
  redeemedAt: number;
  producedAt: number;
  socket: StormSocket;
}

/** The caller's page before the tap: capabilities, the invite's peek, the opening report. */
export async function callerOpensLink(pageUrl: string, inviteUrl: string, address: string): Promise<{ code: string; device: Device }> {
  const code = decodeURIComponent(new URL(inviteUrl).pathname.split('/').pop()!);
  const device = await fakeDevice(pageUrl, address);
  await httpJson('GET', `${pageUrl}/api/invites/${encodeURIComponent(code)}`, { localAddress: address });
  await httpJson('POST', `${pageUrl}/api/invites/${encodeURIComponent(code)}/opened`, { localAddress: address, body: { browser: 'chrome' } });
  return { code, device };
}

/** The tap: redeem, signalling, join, the camera's outcome, a send transport, connect and produce. */
export async function callerTaps(pageUrl: string, code: string, device: Device, address: string): Promise<CallerJoin> {
  const now = () => performance.timeOrigin + performance.now();
  const tapAt = now();
  const { token, sessionId } = await httpJson<RedeemResponse>('POST', `${pageUrl}/api/invites/${encodeURIComponent(code)}/redeem`, { localAddress: address });
  const redeemedAt = now();
  const socket = await connectSocket(pageUrl, token, address);
  let wanted: string[] = [];
  socket.on('media:video-codecs', ({ codecs }) => (wanted = codecs.map((c) => c.toLowerCase())));
  await request(socket, 'session:join', { sessionId, rtpCapabilities: device.sendRtpCapabilities as never });
  void request(socket, 'caller:camera', { sessionId, granted: true }).catch(() => undefined);
  const options = await request(socket, 'transport:create', { sessionId, direction: 'send' });
  const transport = device.createSendTransport(options as types.TransportOptions);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    request(socket, 'transport:connect', { sessionId, transportId: transport.id, dtlsParameters: dtlsParameters as never }).then(() => callback(), errback);
  });
  transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
    request(socket, 'media:produce', { sessionId, transportId: transport.id, kind, rtpParameters: rtpParameters as never, source: 'camera' }).then(
      ({ producerId }) => callback({ id: producerId }),
      errback,
    );
  });
  const sendable = (device.sendRtpCapabilities.codecs ?? []).filter((c) => c.kind === 'video');
  const codec = wanted.map((m) => sendable.find((c) => c.mimeType.toLowerCase() === m)).find(Boolean);
  await transport.produce({ track: new FakeMediaStreamTrack({ kind: 'video' }) as unknown as MediaStreamTrack, codec, stopTracks: false });
  return { tapAt, redeemedAt, producedAt: now(), socket };
}
