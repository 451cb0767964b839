import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { SessionFolder } from './SessionFolder.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-folder-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('SessionFolder', () => {
  it('gives the paths of the log, recordings and stills under <dataDir>/sessions/<id>', () => {
    const folder = new SessionFolder(dataDir, 's_abcdefgh');
    expect(folder.path).toBe(path.join(dataDir, 'sessions', 's_abcdefgh'));
    expect(folder.log).toBe(path.join(dataDir, 'sessions', 's_abcdefgh', 'log.jsonl'));
    expect(folder.recordings).toBe(path.join(dataDir, 'sessions', 's_abcdefgh', 'recordings'));
    expect(folder.snapshots).toBe(path.join(dataDir, 'sessions', 's_abcdefgh', 'snapshots'));
  });

  it('refuses, once at construction, an id that is not a session id (so no path can leave the folder)', () => {
    for (const id of ['', '..', '../x', 'a/b', 's_short', 'x'.repeat(65)]) expect(() => new SessionFolder(dataDir, id), id).toThrow(ValidationError);
  });

  it('lists the session folders present, skipping names that are not session ids', async () => {
    expect(await SessionFolder.ids(path.join(dataDir, 'absent'))).toEqual([]);
    for (const name of ['s_bbbbbbbb', 's_aaaaaaaa', 'tmp', '.hidden']) await mkdir(path.join(dataDir, 'sessions', name), { recursive: true });
    expect(await SessionFolder.ids(dataDir)).toEqual(['s_aaaaaaaa', 's_bbbbbbbb']);
  });

  it("lists a session's media files, without the recordings index and hidden temporaries", async () => {
    const folder = new SessionFolder(dataDir, 's_mediaone');
    expect(await folder.mediaFiles()).toEqual([]);
    await mkdir(folder.recordings, { recursive: true });
    await mkdir(folder.snapshots, { recursive: true });
    await writeFile(path.join(folder.recordings, 'segment-0001.mkv'), 'abc');
    await writeFile(path.join(folder.recordings, 'index.json'), '{}');
    await writeFile(path.join(folder.recordings, '.segment-0002.mkv.tmp'), 'x');
    await writeFile(path.join(folder.snapshots, 'a.jpeg'), 'jpeg!');
    await writeFile(folder.log, '');
    expect(await folder.mediaFiles()).toEqual([
      { rel: 'recordings/segment-0001.mkv', bytes: 3 },
      { rel: 'snapshots/a.jpeg', bytes: 5 },
    ]);
  });
});
