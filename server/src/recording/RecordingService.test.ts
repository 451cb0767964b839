import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { ProducerInfo } from '@sightline/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../errors.js';
import { Room } from '../sfu/Room.js';
import { WorkerPool } from '../sfu/WorkerPool.js';
import { testLogger } from '../testing/logger.js';
import { freePort } from '../testing/ports.js';
import { probeMedia } from './ffprobe.js';
import { RecordingService } from './RecordingService.js';
import type { RecordingEventSink, RecordingEventType } from './types.js';

/**
 * Real worker, real RTP (ffmpeg encodes a VP8 test picture into a PlainTransport producer), real
 * recorder ffmpeg and ffprobe. The producer is announced on the room the way Room.produce does.
 */
let pool: WorkerPool;
let dataDir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  pool = await WorkerPool.start({ workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePort() }, testLogger);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-rec-'));
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  await pool?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

class EventLog implements RecordingEventSink {
  events: { sessionId: string; type: RecordingEventType; actor: string; details?: Record<string, unknown> }[] = [];
  async record(sessionId: string, type: RecordingEventType, actor: string, details?: Record<string, unknown>): Promise<void> {
    this.events.push({ sessionId, type, actor, details });
  }
  of(type: RecordingEventType) {
    return this.events.filter((e) => e.type === type);
  }
}

function service(policy: 'off' | 'on-demand' | 'always', events: RecordingEventSink, portRange: [number, number] = [51000, 51199]) {
  const s = new RecordingService({ dataDir, policy, portRange, settleMs: 100 }, events, testLogger);
  cleanups.push(() => s.stopAll());
  return s;
}

interface Camera {
  producer: types.Producer;
  info: ProducerInfo;
}

async function liveRoom(sessionId: string): Promise<Room> {
  const room = await Room.create(sessionId, pool.pick(), testLogger);
  cleanups.push(() => room.close());
  return room;
}

/** A VP8 camera fed by ffmpeg into a PlainTransport producer; announced on the room like Room.produce does. */
async function camera(room: Room): Promise<Camera> {
  const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
  const ssrc = randomInt(1, 2 ** 31);
  const producer = await input.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] },
  });
  const sender = startFfmpegVp8(input.tuple.localPort, input.rtcpTuple!.localPort, ssrc);
  cleanups.push(() => stopProcess(sender));
  await waitFor(async () => ((await producer.getStats())[0]?.byteCount ?? 0) > 5_000, 15_000);
  const info: ProducerInfo = { producerId: producer.id, kind: 'video', source: 'camera' };
  room.emit('producer-added', info);
  producer.observer.once('close', () => room.emit('producer-closed', producer.id));
  return { producer, info };
}

/** An Opus microphone fed by ffmpeg, announced like camera(). */
async function microphone(room: Room): Promise<Camera> {
  const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
  const ssrc = randomInt(1, 2 ** 31);
  const producer = await input.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] },
  });
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:a', 'libopus', '-ac', '2', '-b:a', '32k',
    '-f', 'rtp', '-ssrc', String(ssrc), '-payload_type', '100',
    `rtp://127.0.0.1:${input.tuple.localPort}?rtcpport=${input.rtcpTuple!.localPort}`,
  ];
  const sender = spawn('ffmpeg', args, { stdio: 'ignore' });
  cleanups.push(() => stopProcess(sender));
  await waitFor(async () => ((await producer.getStats())[0]?.byteCount ?? 0) > 2_000, 15_000);
  const info: ProducerInfo = { producerId: producer.id, kind: 'audio', source: 'microphone' };
  room.emit('producer-added', info);
  return { producer, info };
}

describe('RecordingService on a real worker with real ffmpeg', () => {
  it('records about 4 s on demand into a playable VP8 Matroska file', async () => {
    const events = new EventLog();
    const recordings = service('on-demand', events);
    const sessionId = 's_rec_demand';
    const room = await liveRoom(sessionId);
    const transports: types.Transport[] = [];
    room.router.observer.on('newtransport', (t) => transports.push(t));
    recordings.attach(room);
    await camera(room);

    await recordings.start(sessionId, 'dispatcher:d1');
    expect(recordings.isRecording(sessionId)).toBe(true);
    // Plain (unencrypted) RTP only ever goes to the recorder on loopback; everything else is DTLS-SRTP.
    const plain = transports.filter((t) => t.type === 'plain') as types.PlainTransport[];
    expect(plain.length).toBeGreaterThanOrEqual(2);
    for (const t of plain) {
      expect(t.tuple.localAddress ?? t.tuple.localIp).toBe('127.0.0.1');
      if (t.tuple.remoteIp) expect(t.tuple.remoteIp).toBe('127.0.0.1');
    }
    expect(transports.every((t) => t.type === 'plain' || t.type === 'webrtc')).toBe(true);
    await expect(recordings.start(sessionId, 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
    expect(await recordings.list(sessionId)).toMatchObject([{ name: 'segment-0001.mkv', segment: 1, status: 'recording', codecs: ['vp8'] }]);
    expect(recordings.portsInUse()).toHaveLength(1);

    await sleep(4000);
    await recordings.stop(sessionId, 'dispatcher:d1');

    expect(recordings.isRecording(sessionId)).toBe(false);
    expect(recordings.portsInUse()).toEqual([]);
    const [info] = await recordings.list(sessionId);
    expect(info).toMatchObject({ name: 'segment-0001.mkv', status: 'finished', codecs: ['vp8'] });
    expect(info!.durationSec).toBeGreaterThan(2.5);
    expect(info!.durationSec).toBeLessThan(5.5);
    expect(info!.bytes).toBeGreaterThan(10_000);
    expect(info!.endedAt).toBeDefined();

    const file = await recordings.filePath(sessionId, 'segment-0001.mkv');
    await expectPlayable(file, 4);
    const index = JSON.parse(await readFile(path.join(path.dirname(file), 'index.json'), 'utf8')) as { recordings: unknown[] };
    expect(index.recordings).toHaveLength(1);
    expect((await readdir(path.dirname(file))).filter((n) => n.endsWith('.sdp') || n.endsWith('.tmp'))).toEqual([]);

    expect(events.of('recording_started')).toMatchObject([{ sessionId, actor: 'dispatcher:d1', details: { name: 'segment-0001.mkv', segment: 1 } }]);
    expect(events.of('recording_ended')).toMatchObject([
      { sessionId, actor: 'dispatcher:d1', details: { name: 'segment-0001.mkv', codecs: ['vp8'], durationSec: info!.durationSec, bytes: info!.bytes } },
    ]);
    await expect(recordings.stop(sessionId, 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
    await expect(recordings.filePath(sessionId, '../index.json')).rejects.toBeInstanceOf(NotFoundError);
    await expect(recordings.filePath(sessionId, 'segment-0009.mkv')).rejects.toBeInstanceOf(NotFoundError);
  }, 60_000);

  it('survives a killed ffmpeg: logs recording_failed and records on in a new segment, RTP unaffected', async () => {
    const events = new EventLog();
    const recordings = service('on-demand', events);
    const sessionId = 's_rec_killed';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    const { producer } = await camera(room);
    await recordings.start(sessionId, 'dispatcher:d1');
    await sleep(3000);

    const pid = await pidWithArg(path.join(dataDir, 'sessions', sessionId, 'recordings', 'segment-0001.mkv'));
    process.kill(pid, 'SIGKILL');
    await waitFor(() => events.of('recording_failed').length === 1, 15_000);
    expect(events.of('recording_failed')[0]).toMatchObject({ actor: 'system', details: { name: 'segment-0001.mkv', signal: 'SIGKILL' } });
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.segment === 2 && r.status === 'recording'), 15_000);

    const before = (await producer.getStats())[0]?.byteCount ?? 0;
    await sleep(3000);
    const after = (await producer.getStats())[0]?.byteCount ?? 0;
    expect(after - before).toBeGreaterThan(20_000);

    await recordings.stop(sessionId, 'dispatcher:d1');
    const list = await recordings.list(sessionId);
    expect(list.map((r) => [r.name, r.status])).toEqual([
      ['segment-0001.mkv', 'failed'],
      ['segment-0002.mkv', 'finished'],
    ]);
    expect(list[1]!.durationSec).toBeGreaterThan(1.5);
    // What the killed ffmpeg had written (all but about the last second) was repaired and plays.
    expect(list[0]!.durationSec).toBeGreaterThan(0.5);
    await expectPlayable(await recordings.filePath(sessionId, 'segment-0001.mkv'), list[0]!.durationSec!);
    await expectPlayable(await recordings.filePath(sessionId, 'segment-0002.mkv'), list[1]!.durationSec!);
    expect(events.events.map((e) => e.type)).toEqual(['recording_started', 'recording_failed', 'recording_started', 'recording_ended']);
    expect(events.of('recording_started')[1]!.actor).toBe('system');
    expect(recordings.portsInUse()).toEqual([]);
  }, 60_000);

  it('on demand before any producer: armed; a closed producer ends its segment cleanly, a new one starts the next', async () => {
    const events = new EventLog();
    const recordings = service('on-demand', events);
    const sessionId = 's_rec_armed';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    await recordings.start(sessionId, 'dispatcher:d2');
    expect(recordings.isRecording(sessionId)).toBe(true);
    expect(await recordings.list(sessionId)).toEqual([]);

    const first = await camera(room);
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.status === 'recording'), 10_000);
    await sleep(2500);
    first.producer.close(); // the caller's connection is gone: no more RTP to the recorder
    // Well before the recorder's 10 s SIGKILL: ffmpeg finished on the RTCP BYE.
    await waitFor(async () => (await recordings.list(sessionId))[0]?.status !== 'recording', 5_000);
    const [ended] = await recordings.list(sessionId);
    expect(ended).toMatchObject({ segment: 1, status: 'finished', codecs: ['vp8'] });
    await expectPlayable(await recordings.filePath(sessionId, ended!.name), ended!.durationSec!);
    expect(recordings.isRecording(sessionId)).toBe(true);
    expect(recordings.portsInUse()).toEqual([]);

    await camera(room); // the caller reconnected
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.segment === 2 && r.status === 'recording'), 10_000);
    await sleep(2500);
    await recordings.stop(sessionId, 'dispatcher:d2');
    const list = await recordings.list(sessionId);
    expect(list.map((r) => r.status)).toEqual(['finished', 'finished']);
    await expectPlayable(await recordings.filePath(sessionId, list[1]!.name), list[1]!.durationSec!);
    expect(events.events.map((e) => `${e.type}:${e.actor}`)).toEqual([
      'recording_started:dispatcher:d2',
      'recording_ended:system',
      'recording_started:system',
      'recording_ended:dispatcher:d2',
    ]);
  }, 60_000);

  it('records video and audio together into one file', async () => {
    const events = new EventLog();
    const recordings = service('on-demand', events);
    const sessionId = 's_rec_av';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    await camera(room);
    await microphone(room);
    await recordings.start(sessionId, 'dispatcher:d1');
    expect(recordings.portsInUse()).toHaveLength(2);
    await sleep(3500);
    await recordings.stop(sessionId, 'dispatcher:d1');
    const [info] = await recordings.list(sessionId);
    expect(info).toMatchObject({ status: 'finished', codecs: ['vp8', 'opus'] });
    await expectPlayable(await recordings.filePath(sessionId, info!.name), 3, ['vp8', 'opus']);
    expect(recordings.portsInUse()).toEqual([]);
  }, 60_000);

  it("policy 'always' starts by itself on producer-added and cannot be stopped by hand", async () => {
    const events = new EventLog();
    const recordings = service('always', events);
    const sessionId = 's_rec_always';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    expect(await recordings.list(sessionId)).toEqual([]);
    await camera(room);
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.status === 'recording'), 10_000);
    expect(recordings.isRecording(sessionId)).toBe(true);
    await expect(recordings.start(sessionId, 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
    await expect(recordings.stop(sessionId, 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
    await sleep(2000);

    await recordings.stopAll();
    const [info] = await recordings.list(sessionId);
    expect(info).toMatchObject({ status: 'finished', codecs: ['vp8'] });
    expect(events.events.map((e) => `${e.type}:${e.actor}`)).toEqual(['recording_started:system', 'recording_ended:system']);
    expect(recordings.portsInUse()).toEqual([]);
    await expect(recordings.start('s_other', 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
  }, 60_000);

  it('never throws into the session when ffmpeg cannot run: logs recording_failed and keeps trying', async () => {
    const events = new EventLog();
    const recordings = new RecordingService(
      { dataDir, policy: 'on-demand', ffmpegBin: '/nonexistent/ffmpeg', portRange: [51200, 51299], settleMs: 100 },
      events,
      testLogger,
    );
    cleanups.push(() => recordings.stopAll());
    const sessionId = 's_rec_noffmpeg';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    const { producer } = await camera(room);
    await recordings.start(sessionId, 'dispatcher:d1');
    expect(recordings.isRecording(sessionId)).toBe(true);
    expect(events.of('recording_failed')[0]).toMatchObject({ actor: 'system', details: { name: 'segment-0001.mkv' } });
    expect(await recordings.list(sessionId)).toMatchObject([{ segment: 1, status: 'failed' }]);
    expect(recordings.portsInUse()).toEqual([]);
    expect(producer.closed).toBe(false);
    await recordings.stop(sessionId, 'dispatcher:d1');
    expect(recordings.isRecording(sessionId)).toBe(false);
  }, 60_000);

  it("policy 'off' refuses to record", async () => {
    const events = new EventLog();
    const recordings = service('off', events);
    const room = await liveRoom('s_rec_off');
    recordings.attach(room);
    await expect(recordings.start('s_rec_off', 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
    expect(recordings.isRecording('s_rec_off')).toBe(false);
    expect(await recordings.list('s_rec_off')).toEqual([]);
    expect(events.events).toEqual([]);
  });
});

async function expectPlayable(file: string, expectedSec: number, codecs = ['vp8']): Promise<void> {
  const probe = await probeMedia(file);
  expect(probe.codecs).toEqual(codecs);
  expect(probe.durationSec).toBeDefined();
  expect(Math.abs(probe.durationSec! - expectedSec)).toBeLessThanOrEqual(1.5);
  // Decodes start to end without an error.
  await new Promise<void>((resolve, reject) => {
    execFile('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], (err, _out, stderr) =>
      err ? reject(new Error(`not playable: ${stderr}`)) : resolve(),
    );
  });
}

function startFfmpegVp8(rtpPort: number, rtcpPort: number, ssrc: number): ChildProcess {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', '15',
    '-f', 'rtp', '-ssrc', String(ssrc), '-payload_type', '101',
    `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtcpPort}&pkt_size=1200`,
  ];
  return spawn('ffmpeg', args, { stdio: 'ignore' });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** The pid of the process whose command line has this exact argument. */
async function pidWithArg(arg: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(arg)) return Number(entry);
  }
  throw new Error(`no process with argument ${arg}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}
