import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, freePortRange } from '../testing/ports.js';
import { testLogger } from '../testing/logger.js';
import { NotFoundError, RateLimitedError } from '../errors.js';
import { PRODUCERS_PER_PEER, TRANSPORTS_PER_PEER } from '../ratelimit/limits.js';
import { Room } from './Room.js';
import { RoomRegistry } from './RoomRegistry.js';
import { WorkerPool } from './WorkerPool.js';

/**
 * A real mediasoup worker carrying real RTP: ffmpeg encodes VP8 into a PlainTransport producer, and
 * a consumer on a second PlainTransport delivers it to a UDP socket of ours.
 */
let pool: WorkerPool;
let room: Room;

beforeAll(async () => {
  pool = await WorkerPool.start({ workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePort() }, testLogger);
  room = await Room.create('s_roomtest1', pool.pick(), testLogger);
});

afterAll(async () => {
  room?.close();
  await pool?.close();
});

describe('Room on a real mediasoup worker', () => {
  it('offers H264 and VP8 video and Opus audio', () => {
    const mimeTypes = room.rtpCapabilities.codecs?.map((c) => c.mimeType) ?? [];
    expect(mimeTypes).toEqual(expect.arrayContaining(['video/H264', 'video/VP8', 'audio/opus']));
  });

  it('forwards real RTP from a PlainTransport producer to a consumer', async () => {
    const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 22222222 }],
      },
    });

    const sink = dgram.createSocket('udp4');
    let received = 0;
    sink.on('message', (msg) => {
      // RTP version 2 and not RTCP (payload types 200-204 with the marker bit folded in).
      if (msg.length > 12 && msg[0]! >> 6 === 2 && (msg[1]! < 200 || msg[1]! > 204)) received++;
    });
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
    const output = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
    await output.connect({ ip: '127.0.0.1', port: sink.address().port });
    const consumer = await output.consume({ producerId: producer.id, rtpCapabilities: room.rtpCapabilities, paused: true });
    await consumer.resume();

    const ffmpeg = startFfmpegVp8(input.tuple.localPort, input.rtcpTuple!.localPort);
    try {
      await waitFor(() => received > 50, 15_000);
    } finally {
      ffmpeg.kill('SIGINT');
      sink.close();
    }
    const stats = await producer.getStats();
    expect(stats[0]?.byteCount).toBeGreaterThan(10_000);
    expect(received).toBeGreaterThan(50);
    input.close();
    output.close();
  });

  it('keeps peers apart: a peer cannot use another peer transport', async () => {
    const t = await room.createTransport('peer-a', 'send');
    await expect(room.connectTransport('peer-b', t.id, { fingerprints: [] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(room.produce('peer-b', t.id, 'video', {}, 'camera')).rejects.toBeInstanceOf(NotFoundError);
    room.closePeer('peer-a');
    expect(room.hasPeer('peer-a')).toBe(false);
  });
});

/**
 * Two workers, one consumer per router: the second viewer lands on a router of the other worker, fed
 * through a pipe. Peers' WebRTC transports cannot connect without a browser, so their consumers show
 * RTP arriving in their own router (the producer-side stats of a consumer), and a PlainTransport on
 * the extra router proves the piped RTP comes out of the second worker.
 */
describe('Room spreading viewers over workers', () => {
  let pool2: WorkerPool;
  let rooms: RoomRegistry;
  /** Every router and transport mediasoup makes from here on, with the pid of its worker. */
  const routers: { router: types.Router; pid: number }[] = [];
  const transports = new Map<string, { transport: types.Transport; pid: number }>();
  const consumers = new Map<string, types.Consumer>();

  beforeAll(async () => {
    mediasoup.observer.on('newworker', (worker) =>
      worker.observer.on('newrouter', (router) => {
        routers.push({ router, pid: worker.pid });
        router.observer.on('newtransport', (transport) => {
          transports.set(transport.id, { transport, pid: worker.pid });
          transport.observer.on('newconsumer', (c) => consumers.set(c.id, c));
        });
      }),
    );
    pool2 = await WorkerPool.start({ workers: 2, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePortRange(2) }, testLogger);
    rooms = new RoomRegistry(pool2, testLogger, { maxConsumersPerRouter: 1 });
  });

  afterAll(async () => {
    await pool2?.close();
  });

  /** A VP8 camera fed by ffmpeg into a PlainTransport producer on the main router, adopted by the room. */
  async function camera(room: Room): Promise<{ producer: types.Producer; stop: () => void }> {
    const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 22222222 }] },
    });
    room.adoptProducer(producer, 'camera');
    const ffmpeg = startFfmpegVp8(input.tuple.localPort, input.rtcpTuple!.localPort);
    await waitForAsync(async () => ((await producer.getStats())[0]?.byteCount ?? 0) > 5_000, 15_000);
    return { producer, stop: () => ffmpeg.kill('SIGINT') };
  }

  /** A viewer: a receive transport and a resumed consumer of the producer, as signalling does it. */
  async function viewer(room: Room, peerId: string, producerId: string) {
    const t = await room.createTransport(peerId, 'recv');
    const { consumerId } = await room.consume(peerId, t.id, producerId, room.rtpCapabilities);
    await room.resume(peerId, consumerId);
    return { transport: transports.get(t.id)!, consumer: consumers.get(consumerId)! };
  }

  /** Bytes of the producer's stream as the consumer's router sees it arrive. */
  async function bytesIn(consumer: types.Consumer): Promise<number> {
    const stats = await consumer.getStats();
    return stats.find((s) => s.type === 'inbound-rtp')?.byteCount ?? 0;
  }

  it('puts the second viewer on another worker and feeds both with real RTP', async () => {
    const loadBefore = pool2.load();
    const room = await rooms.get('s_spread1');
    const mainPid = routers.find((r) => r.router === room.router)!.pid;
    const cam = await camera(room);
    try {
      const a = await viewer(room, 'peer-a', cam.producer.id);
      const b = await viewer(room, 'peer-b', cam.producer.id);
      expect(a.transport.pid).toBe(mainPid);
      expect(b.transport.pid).not.toBe(mainPid);
      const extra = routers.find((r) => r.pid === b.transport.pid && r.router !== room.router)!.router;
      expect(pool2.load().sort()).toEqual([1, 1]);

      // Both consumers' routers receive the camera's RTP, and keep receiving it.
      const first = await Promise.all([bytesIn(a.consumer), bytesIn(b.consumer)]);
      await waitForAsync(async () => (await bytesIn(a.consumer)) > first[0]! + 5_000 && (await bytesIn(b.consumer)) > first[1]! + 5_000, 10_000);

      // RTP comes out of the extra router's worker under the same producer id.
      const received = await plainSink(extra, cam.producer.id, 30);
      expect(received).toBeGreaterThanOrEqual(30);

      // Send transports stay on the main router; a producer added later is piped too.
      const send = await room.createTransport('peer-b', 'send');
      expect(transports.get(send.id)!.pid).toBe(mainPid);
      const later = await room.router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
      const mic = await later.produce({
        kind: 'audio',
        rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 33333333 }] },
      });
      room.adoptProducer(mic, 'microphone');
      const opts = await room.consume('peer-b', b.transport.transport.id, mic.id, room.rtpCapabilities);
      expect(opts.producerId).toBe(mic.id);

      // Every worker holds a router of the room: a third viewer overflows onto one, no third router.
      const routersBefore = routers.length;
      await viewer(room, 'peer-c', cam.producer.id);
      expect(routers.length).toBe(routersBefore);
      expect(room.mediaCounts()).toMatchObject({ producers: 2, consumers: 4 });

      const closed = new Promise<void>((r) => room.once('closed', () => r()));
      room.close();
      await closed;
      expect(extra.closed).toBe(true);
      expect(pool2.load()).toEqual(loadBefore);
    } finally {
      cam.stop();
      room.close();
    }
  });

  it('refuses a consumer limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new RoomRegistry(pool2, testLogger, { maxConsumersPerRouter: bad })).toThrow(RangeError);
    }
  });

  it('closes the whole room when the worker of an extra router dies', async () => {
    const room = await rooms.get('s_spread2');
    const cam = await camera(room);
    try {
      await viewer(room, 'peer-a', cam.producer.id);
      const b = await viewer(room, 'peer-b', cam.producer.id);
      const loadWithRoom = pool2.load();
      const closed = new Promise<void>((r) => room.once('closed', () => r()));
      process.kill(b.transport.pid, 'SIGKILL');
      await closed;
      expect(room.router.closed).toBe(true);
      // The main router's worker lost its router of the room; the dead worker's slot is respawned empty.
      await waitForAsync(async () => pool2.size === 2, 10_000);
      expect(pool2.load().reduce((x, y) => x + y, 0)).toBe(loadWithRoom.reduce((x, y) => x + y, 0) - 2);
      expect(rooms.peek('s_spread2')).toBeUndefined();
    } finally {
      cam.stop();
    }
  });
});

/** Packets of `producerId` that a PlainTransport consumer on `router` delivers to a UDP socket of ours. */
async function plainSink(router: types.Router, producerId: string, packets: number): Promise<number> {
  const sink = dgram.createSocket('udp4');
  let received = 0;
  sink.on('message', (msg) => {
    if (msg.length > 12 && msg[0]! >> 6 === 2 && (msg[1]! < 200 || msg[1]! > 204)) received++;
  });
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  const output = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
  try {
    await output.connect({ ip: '127.0.0.1', port: sink.address().port });
    const consumer = await output.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: true });
    await consumer.resume();
    await waitFor(() => received >= packets, 10_000);
    return received;
  } finally {
    output.close();
    sink.close();
  }
}

function startFfmpegVp8(rtpPort: number, rtcpPort: number): ChildProcess {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=15',
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-b:v',
    '300k',
    '-g',
    '15',
    '-f',
    'rtp',
    '-ssrc',
    '22222222',
    '-payload_type',
    '101',
    `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtcpPort}&pkt_size=1200`,
  ];
  return spawn('ffmpeg', args, { stdio: 'ignore' });
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  await waitForAsync(async () => cond(), timeoutMs);
}

async function waitForAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('what one peer may hold (issue #11 item 2)', () => {
  const vp8 = (ssrc: number) => ({ mid: String(ssrc), codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] });

  it('opens at most 4 transports per peer, and another once one is closed', async () => {
    expect(TRANSPORTS_PER_PEER).toBe(4);
    const peer = 'node/flood-transports';
    const made = [];
    for (let i = 0; i < TRANSPORTS_PER_PEER; i++) made.push(await room.createTransport(peer, i % 2 ? 'recv' : 'send'));
    const err = await room.createTransport(peer, 'send').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).limit).toBe('transportsPerPeer');
    await room.createTransport('node/someone-else', 'recv');
    room.closeTransport(peer, made[0]!.id);
    await room.createTransport(peer, 'send');
    room.closePeer(peer);
    room.closePeer('node/someone-else');
  });

  it('keeps at most 4 producers per peer', async () => {
    expect(PRODUCERS_PER_PEER).toBe(4);
    const peer = 'node/flood-producers';
    const { id } = await room.createTransport(peer, 'send');
    for (let i = 0; i < PRODUCERS_PER_PEER; i++) await room.produce(peer, id, 'video', vp8(31_000 + i), 'camera');
    const err = await room.produce(peer, id, 'video', vp8(31_900), 'camera').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    room.closePeer(peer);
  });
});

describe('transports set up before the tap (issue #12)', () => {
  const vp8 = { mid: '1', codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 41_000 }] };

  it("holds one per session: a newer page replaces the older, and the caller's first producer closes any other page's", async () => {
    const closed = (peer: string, id: string) => room.closeTransport(peer, id);
    const older = await room.createTransport('node/page-1', 'send', true);
    const newer = await room.createTransport('node/page-2', 'send', true);
    expect(room.mediaCounts()).toMatchObject({ pretap: 1 });
    // The older one is gone (closing it again finds nothing).
    expect(() => closed('node/page-1', older.id)).toThrow(/transport/);
    const third = await room.createTransport('node/page-3', 'send', true);
    // page-2 taps (its transport is replaced meanwhile by page-3's): it produces on a new one, and page-3's goes.
    expect(() => closed('node/page-2', newer.id)).toThrow(/transport/);
    const fresh = await room.createTransport('node/page-2', 'send');
    await room.produce('node/page-2', fresh.id, 'video', vp8, 'camera');
    expect(() => closed('node/page-3', third.id)).toThrow(/transport/);
    expect(room.mediaCounts()).toMatchObject({ pretap: 0 });
    for (const p of ['node/page-1', 'node/page-2', 'node/page-3']) room.closePeer(p);
  });
});

describe('a producer that closes while a consumer of it is being made', () => {
  const vp8 = { mid: '1', codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 51_000 }] };

  it('answers not_found instead of a consumer that will never carry media', async () => {
    const send = await room.createTransport('node/caller-race', 'send');
    const producerId = await room.produce('node/caller-race', send.id, 'video', vp8, 'camera');
    // The caller publishes again (closing this producer) during the worker's round trip for the consumer.
    room.router.observer.once('newtransport', (transport: types.Transport) =>
      transport.observer.once('newconsumer', (consumer: types.Consumer) => consumer.producerId === producerId && room.closeProducers('camera')),
    );
    const recv = await room.createTransport('node/console-race', 'recv');
    const err = await room.consume('node/console-race', recv.id, producerId, room.rtpCapabilities).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(room.mediaCounts().consumers).toBe(0);
    room.closePeer('node/caller-race');
    room.closePeer('node/console-race');
  });
});
