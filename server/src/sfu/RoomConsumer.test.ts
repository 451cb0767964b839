import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import { testLogger } from '../testing/logger.js';
import { freePort } from '../testing/ports.js';
import { KEY_FRAME_INTERVAL_MS, Room } from './Room.js';
import { WorkerPool } from './WorkerPool.js';

/**
 * README "Media": consumers start paused and are resumed on the client's acknowledgement (so no
 * key frame is spent before the client can show it). On a real worker, the consumer mediasoup made
 * is read through its observer: paused at media:consume, running only after that peer's resume.
 */
let pool: WorkerPool;
let room: Room;
const consumers = new Map<string, types.Consumer>();
const onWorker = (worker: types.Worker) =>
  worker.observer.on('newrouter', (router) => router.observer.on('newtransport', (t) => t.observer.on('newconsumer', (c) => consumers.set(c.id, c))));

beforeAll(async () => {
  mediasoup.observer.on('newworker', onWorker);
  pool = await WorkerPool.start({ workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePort() }, testLogger);
  room = await Room.create('s_consumer1', pool.pick(), testLogger);
});

afterAll(async () => {
  mediasoup.observer.off('newworker', onWorker);
  room?.close();
  await pool?.close();
});

describe('Room consumers', () => {
  it('start paused, and run once their own peer resumes them', async () => {
    const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 33333333 }] },
    });
    room.adoptProducer(producer, 'camera');

    const t = await room.createTransport('console-1', 'recv');
    const { consumerId } = await room.consume('console-1', t.id, producer.id, room.rtpCapabilities);
    const consumer = consumers.get(consumerId);
    expect(consumer, 'the consumer mediasoup made').toBeDefined();
    expect(consumer!.paused).toBe(true);

    // Another peer cannot resume it; its own peer can.
    await expect(room.resume('viewer-9', consumerId)).rejects.toBeInstanceOf(NotFoundError);
    expect(consumer!.paused).toBe(true);
    await room.resume('console-1', consumerId);
    expect(consumer!.paused).toBe(false);
    input.close();
  });

  it('ask their source for a key frame for their own peer only, at most once per KEY_FRAME_INTERVAL_MS', async () => {
    const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 44444444 }] },
    });
    room.adoptProducer(producer, 'camera');
    const t = await room.createTransport('console-2', 'recv');
    const { consumerId } = await room.consume('console-2', t.id, producer.id, room.rtpCapabilities);
    await room.resume('console-2', consumerId);

    await expect(room.requestKeyFrame('viewer-9', consumerId, 0)).rejects.toBeInstanceOf(NotFoundError);
    expect(await room.requestKeyFrame('console-2', consumerId, 10_000)).toBe(true);
    expect(await room.requestKeyFrame('console-2', consumerId, 10_000 + KEY_FRAME_INTERVAL_MS - 1)).toBe(false);
    expect(await room.requestKeyFrame('console-2', consumerId, 10_000 + KEY_FRAME_INTERVAL_MS)).toBe(true);
    input.close();
  });
});
