import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProducerInfo } from '@sightline/shared';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Room } from '../sfu/Room.js';
import { testLogger } from '../testing/logger.js';
import { PortAllocator } from './PortAllocator.js';
import { RecordingIndex } from './RecordingIndex.js';
import { QUICK_REPLACEMENTS, SessionRecording } from './SessionRecording.js';

/** ffmpeg is stood in for: what is counted here is how often a segment (an ffmpeg process) starts. */
const started: string[][] = [];
vi.mock('./Recorder.js', () => ({
  Recorder: {
    start: async ({ producers }: { producers: ProducerInfo[] }) => {
      started.push(producers.map((p) => p.producerId));
      return Object.assign(new EventEmitter(), { producerIds: producers.map((p) => p.producerId), codecs: ['vp8'], pid: 1, stop: async () => ({ code: 0 }) });
    },
  },
}));
vi.mock('./ffprobe.js', () => ({ probeMedia: async () => ({ bytes: 1000, durationSec: 1, codecs: ['vp8'] }) }));

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-segments-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function fakeRoom(sessionId: string) {
  const room = Object.assign(new EventEmitter(), { sessionId, closed: false, router: new EventEmitter(), producers: () => [] as ProducerInfo[] });
  return room as unknown as Room & EventEmitter;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording segments under a produce flood (issue #11 item 2)', () => {
  it.each([
    [0, 'restarts ffmpeg on every produce when segments are not paced'],
    [1_000, 'lets a burst of replacements through, then starts at most one segment per minSegmentMs however often the caller produces'],
  ])('minSegmentMs %d: %s', async (minSegmentMs) => {
    started.length = 0;
    const sessionId = `s_pace_${minSegmentMs}`;
    const room = fakeRoom(sessionId);
    const events: string[] = [];
    const recording = new SessionRecording({
      sessionId,
      policy: 'always',
      index: new RecordingIndex(dataDir),
      sink: { record: async (_id, type) => void events.push(type) },
      ports: new PortAllocator([52000, 52099]),
      ffmpegBin: 'ffmpeg',
      ffprobeBin: 'ffprobe',
      childEnv: {},
      log: testLogger,
      settleMs: 20,
      minSegmentMs,
      onIdle: () => {},
    });
    recording.attach(room);
    room.emit('producer-added', { producerId: 'p0', kind: 'video', source: 'camera' });
    await sleep(100);
    expect(started).toEqual([['p0']]);

    // 20 produce calls in 1.2 s, each replacing the last (MediaOps.produce closes the old producer).
    const floodStart = Date.now();
    for (let i = 1; i <= 20; i++) {
      room.emit('producer-added', { producerId: `p${i}`, kind: 'video', source: 'camera' });
      room.emit('producer-closed', `p${i - 1}`);
      await sleep(60);
    }
    const floodMs = Date.now() - floodStart;
    await sleep(minSegmentMs * (1 + QUICK_REPLACEMENTS) + 300);
    // Whatever happened in between, the last producer is the one recorded now.
    expect(started.at(-1)).toEqual(['p20']);
    if (minSegmentMs === 0) expect(started.length).toBeGreaterThan(10);
    else expect(started.length).toBeLessThanOrEqual(2 + QUICK_REPLACEMENTS + Math.ceil(floodMs / minSegmentMs));
    await recording.shutdown();
  });
});
