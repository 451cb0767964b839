import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/ports.js';
import { testLogger } from '../testing/logger.js';
import { NotFoundError } from '../errors.js';
import { Room } from './Room.js';
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

function startFfmpegVp8(rtpPort: number, rtcpPort: number): ChildProcess {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', '15',
    '-f', 'rtp', '-ssrc', '22222222', '-payload_type', '101',
    `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtcpPort}&pkt_size=1200`,
  ];
  return spawn('ffmpeg', args, { stdio: 'ignore' });
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
