import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { RecordingIndex } from './RecordingIndex.js';
import type { RecordingInfo } from './types.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-recidx-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const entry = (segment: number, status: RecordingInfo['status'] = 'recording'): RecordingInfo => ({
  name: `segment-${String(segment).padStart(4, '0')}.mkv`,
  segment,
  startedAt: new Date(0).toISOString(),
  codecs: ['vp8'],
  status,
});

describe('RecordingIndex', () => {
  it('is empty for a session without recordings', async () => {
    expect(await new RecordingIndex(dataDir).read('s_none_yet')).toEqual([]);
  });

  it('applies concurrent updates one after the other and leaves no temporary files', async () => {
    const index = new RecordingIndex(dataDir);
    await Promise.all([1, 2, 3, 4, 5].map((n) => index.put('s_idx_test', entry(n))));
    await index.put('s_idx_test', entry(3, 'finished'));
    const list = await index.read('s_idx_test');
    expect(list.map((r) => [r.segment, r.status])).toEqual([
      [1, 'recording'],
      [2, 'recording'],
      [3, 'finished'],
      [4, 'recording'],
      [5, 'recording'],
    ]);
    const dir = index.dir('s_idx_test');
    expect(dir).toBe(path.join(dataDir, 'sessions', 's_idx_test', 'recordings'));
    expect(await readdir(dir)).toEqual(['index.json']);
    expect(JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'))).toEqual({ recordings: list });
  });

  it('refuses session ids that could leave the data directory', () => {
    const index = new RecordingIndex(dataDir);
    for (const id of ['..', '../x', 'a/b', '', 'x'.repeat(65)]) expect(() => index.dir(id)).toThrow(ValidationError);
  });
});
