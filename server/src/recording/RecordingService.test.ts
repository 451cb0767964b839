import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { types } from 'mediasoup';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../errors.js';
import { Room } from '../sfu/Room.js';
import { WorkerPool } from '../sfu/WorkerPool.js';
import { testLogger } from '../testing/logger.js';
import { assertPlayable, type PlayableExpectation } from '../testing/media.js';
import { freePort } from '../testing/ports.js';
import { pidWithArg, sleep, waitFor } from '../testing/processes.js';
import { ffmpegCamera, ffmpegMicrophone, type RtpSource, type VideoCodec } from '../testing/rtpSources.js';
import { RecordingService } from './RecordingService.js';
import type { RecordingEventSink, RecordingEventType } from './types.js';

/**
 * Real worker, real RTP (ffmpeg encodes a VP8 or H264 test picture at 15 fps into a PlainTransport
 * producer), real recorder ffmpeg. Every file is decoded to the end by assertPlayable: no decoder
 * error, the codec that was sent, about 15 frames a second, and as long as the test's own clock says
 * the recording ran (never the index's duration, which itself comes from ffprobe).
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

async function liveRoom(sessionId: string): Promise<Room> {
  const room = await Room.create(sessionId, pool.pick(), testLogger);
  cleanups.push(() => room.close());
  return room;
}

async function camera(room: Room, codec: VideoCodec = 'VP8'): Promise<RtpSource> {
  const cam = await ffmpegCamera(room, { codec });
  cleanups.push(() => cam.stop());
  return cam;
}

async function microphone(room: Room): Promise<RtpSource> {
  const mic = await ffmpegMicrophone(room);
  cleanups.push(() => mic.stop());
  return mic;
}

/**
 * The test's own clock around a recording: named marks, each with the sender's own frame count then.
 * A file is expected to cover at least from the "confirmed running" mark to the "stop asked" mark and
 * at most from "start asked" to "confirmed stopped", with the frames the sender sent in between.
 */
class Marks {
  #at = new Map<string, { ms: number; frames: number }>();
  constructor(private readonly cam: RtpSource) {}

  mark(name: string): void {
    this.#at.set(name, { ms: performance.now(), frames: this.cam.framesSent() });
  }

  /** `lostAtEndSec`: what the recorder may lose at the end (a killed ffmpeg loses its last cluster). */
  expectation(codecs: string[], atLeast: [string, string], atMost: [string, string], lostAtEndSec = 0): PlayableExpectation {
    const [a, b] = atLeast.map((n) => this.#get(n));
    const [c, d] = atMost.map((n) => this.#get(n));
    const { fps } = this.cam;
    return {
      codecs,
      recorded: { atLeastSec: (b!.ms - a!.ms) / 1000 - lostAtEndSec, atMostSec: (d!.ms - c!.ms) / 1000 },
      sent: { atLeast: b!.frames - a!.frames - fps * lostAtEndSec, atMost: d!.frames - c!.frames },
      fps,
    };
  }

  #get(name: string) {
    const m = this.#at.get(name);
    if (!m) throw new Error(`no mark ${name}`);
    return m;
  }
}

/** Records `seconds` of a camera on demand; returns the finished entry, its file and what to expect of it. */
async function recordOnDemand(recordings: RecordingService, sessionId: string, cam: RtpSource, codecs: string[], seconds: number) {
  const m = new Marks(cam);
  m.mark('asked');
  await recordings.start(sessionId, 'dispatcher:d1');
  m.mark('running');
  await sleep(seconds * 1000);
  m.mark('stopping');
  await recordings.stop(sessionId, 'dispatcher:d1');
  m.mark('stopped');
  const [info] = await recordings.list(sessionId);
  return { info: info!, file: await recordings.filePath(sessionId, info!.name), want: m.expectation(codecs, ['running', 'stopping'], ['asked', 'stopped']) };
}

// One retry, named in the test command's tally when used: a real worker and ffmpeg on two loaded
// cores sometimes miss a segment's timing (a segment ended before ffmpeg wrote its first key frame).
describe('RecordingService on a real worker with real ffmpeg', { retry: 1 }, () => {
  it('records about 4 s on demand into a playable VP8 Matroska file', async () => {
    const events = new EventLog();
    const recordings = service('on-demand', events);
    const sessionId = 's_rec_demand';
    const room = await liveRoom(sessionId);
    const transports: types.Transport[] = [];
    room.router.observer.on('newtransport', (t) => transports.push(t));
    recordings.attach(room);
    const m = new Marks(await camera(room));

    m.mark('asked');
    await recordings.start(sessionId, 'dispatcher:d1');
    m.mark('running');
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
    m.mark('stopping');
    await recordings.stop(sessionId, 'dispatcher:d1');
    m.mark('stopped');

    expect(recordings.isRecording(sessionId)).toBe(false);
    expect(recordings.portsInUse()).toEqual([]);
    const [info] = await recordings.list(sessionId);
    expect(info).toMatchObject({ name: 'segment-0001.mkv', status: 'finished', codecs: ['vp8'] });
    expect(info!.bytes).toBeGreaterThan(10_000);
    expect(info!.endedAt).toBeDefined();

    const file = await recordings.filePath(sessionId, 'segment-0001.mkv');
    const decoded = await assertPlayable(file, m.expectation(['vp8'], ['running', 'stopping'], ['asked', 'stopped']));
    // The index tells the decoded length, not just any figure.
    expect(Math.abs(info!.durationSec! - decoded.videoSpanSec)).toBeLessThan(0.5);
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

  it('records a known H264 stream (constrained baseline, packetization-mode 1) into a playable H264 file', async () => {
    const events = new EventLog();
    const recordings = service('on-demand', events);
    const sessionId = 's_rec_h264';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    const cam = await camera(room, 'H264');
    expect(cam.producer.rtpParameters.codecs[0]).toMatchObject({
      mimeType: 'video/H264',
      parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
    });

    const { info, file, want } = await recordOnDemand(recordings, sessionId, cam, ['h264'], 4);
    expect(info).toMatchObject({ status: 'finished', codecs: ['h264'] });
    const decoded = await assertPlayable(file, want);
    expect(Math.abs(info.durationSec! - decoded.videoSpanSec)).toBeLessThan(0.5);
    expect(events.of('recording_ended')).toMatchObject([{ details: { codecs: ['h264'] } }]);
  }, 60_000);

  it('survives a killed ffmpeg: logs recording_failed and records on in a new segment, RTP unaffected', async () => {
    const events = new EventLog();
    const recordings = service('on-demand', events);
    const sessionId = 's_rec_killed';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    const cam = await camera(room);
    const { producer } = cam;
    const m = new Marks(cam);
    m.mark('asked');
    await recordings.start(sessionId, 'dispatcher:d1');
    m.mark('running');
    await sleep(3000);

    const pid = await pidWithArg(path.join(dataDir, 'sessions', sessionId, 'recordings', 'segment-0001.mkv'));
    m.mark('killed');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => events.of('recording_failed').length === 1, 15_000);
    expect(events.of('recording_failed')[0]).toMatchObject({ actor: 'system', details: { name: 'segment-0001.mkv', signal: 'SIGKILL' } });
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.segment === 2 && r.status === 'recording'), 15_000);
    m.mark('second running');

    const before = (await producer.getStats())[0]?.byteCount ?? 0;
    await sleep(3000);
    const after = (await producer.getStats())[0]?.byteCount ?? 0;
    expect(after - before).toBeGreaterThan(20_000);

    m.mark('stopping');
    await recordings.stop(sessionId, 'dispatcher:d1');
    m.mark('stopped');
    const list = await recordings.list(sessionId);
    expect(list.map((r) => [r.name, r.status])).toEqual([
      ['segment-0001.mkv', 'failed'],
      ['segment-0002.mkv', 'finished'],
    ]);
    // What the killed ffmpeg had written was repaired and plays: all but the last cluster (ffmpeg
    // writes one a second), so up to a second less than ran.
    await assertPlayable(await recordings.filePath(sessionId, 'segment-0001.mkv'), m.expectation(['vp8'], ['running', 'killed'], ['asked', 'killed'], 1));
    await assertPlayable(
      await recordings.filePath(sessionId, 'segment-0002.mkv'),
      m.expectation(['vp8'], ['second running', 'stopping'], ['killed', 'stopped']),
    );
    expect(events.events.map((e) => e.type)).toEqual(['recording_started', 'recording_failed', 'recording_started', 'recording_ended']);
    expect(events.of('recording_started')[1]!.actor).toBe('system');
    expect(recordings.portsInUse()).toEqual([]);
  }, 60_000);

  it('fails a segment that gets no key frame (issue #14): recording_failed no_key_frame, never recording_started, and tries again', async () => {
    const events = new EventLog();
    const recordings = new RecordingService({ dataDir, policy: 'on-demand', portRange: [51300, 51399], settleMs: 100, noKeyFrameMs: 2000 }, events, testLogger);
    cleanups.push(() => recordings.stopAll());
    const sessionId = 's_rec_nokey';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    const cam = await camera(room);
    await cam.stop(); // the producer stays, but nothing arrives: no key frame will ever come
    await recordings.start(sessionId, 'dispatcher:d1');
    await waitFor(() => events.of('recording_failed').length === 1, 10_000);
    expect(events.of('recording_failed')[0]).toMatchObject({ actor: 'system', details: { name: 'segment-0001.mkv', reason: 'no_key_frame' } });
    expect(events.of('recording_started')).toEqual([]);
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.segment === 2 && r.status === 'recording'), 10_000);
    expect((await recordings.list(sessionId))[0]).toMatchObject({ segment: 1, status: 'failed' });
    await recordings.stop(sessionId, 'dispatcher:d1');
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
    const m1 = new Marks(first);
    m1.mark('announced');
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.status === 'recording'), 10_000);
    m1.mark('running');
    await sleep(2500);
    m1.mark('closed');
    first.producer.close(); // the caller's connection is gone: no more RTP to the recorder
    // Well before the recorder's 10 s SIGKILL: ffmpeg finished on the RTCP BYE.
    await waitFor(async () => (await recordings.list(sessionId))[0]?.status !== 'recording', 5_000);
    const [ended] = await recordings.list(sessionId);
    expect(ended).toMatchObject({ segment: 1, status: 'finished', codecs: ['vp8'] });
    await assertPlayable(await recordings.filePath(sessionId, ended!.name), m1.expectation(['vp8'], ['running', 'closed'], ['announced', 'closed']));
    expect(recordings.isRecording(sessionId)).toBe(true);
    expect(recordings.portsInUse()).toEqual([]);

    const m2 = new Marks(await camera(room)); // the caller reconnected
    m2.mark('announced');
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.segment === 2 && r.status === 'recording'), 10_000);
    m2.mark('running');
    await sleep(2500);
    m2.mark('stopping');
    await recordings.stop(sessionId, 'dispatcher:d2');
    m2.mark('stopped');
    const list = await recordings.list(sessionId);
    expect(list.map((r) => r.status)).toEqual(['finished', 'finished']);
    await assertPlayable(await recordings.filePath(sessionId, list[1]!.name), m2.expectation(['vp8'], ['running', 'stopping'], ['announced', 'stopped']));
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
    const cam = await camera(room);
    await microphone(room);
    const { info, file, want } = await recordOnDemand(recordings, sessionId, cam, ['vp8', 'opus'], 3.5);
    expect(info).toMatchObject({ status: 'finished', codecs: ['vp8', 'opus'] });
    // Audio is decoded too: an Opus error would fail the check like a video one.
    await assertPlayable(file, want);
    expect(recordings.portsInUse()).toEqual([]);
  }, 60_000);

  it("policy 'always' starts by itself on producer-added and cannot be stopped by hand", async () => {
    const events = new EventLog();
    const recordings = service('always', events);
    const sessionId = 's_rec_always';
    const room = await liveRoom(sessionId);
    recordings.attach(room);
    expect(await recordings.list(sessionId)).toEqual([]);
    const m = new Marks(await camera(room));
    m.mark('announced');
    await waitFor(async () => (await recordings.list(sessionId)).some((r) => r.status === 'recording'), 10_000);
    m.mark('running');
    expect(recordings.isRecording(sessionId)).toBe(true);
    await expect(recordings.start(sessionId, 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
    await expect(recordings.stop(sessionId, 'dispatcher:d1')).rejects.toBeInstanceOf(ConflictError);
    await sleep(2500);

    m.mark('stopping');
    await recordings.stopAll();
    m.mark('stopped');
    const [info] = await recordings.list(sessionId);
    expect(info).toMatchObject({ status: 'finished', codecs: ['vp8'] });
    await assertPlayable(await recordings.filePath(sessionId, info!.name), m.expectation(['vp8'], ['running', 'stopping'], ['announced', 'stopped']));
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
