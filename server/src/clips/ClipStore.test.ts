import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipError, ClipStore } from './ClipStore.js';

/** Clips made here with ffmpeg (the repository ships none), added through the real ffprobe and ffmpeg. */
let dir: string;
let source: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-clips-'));
  source = path.join(dir, 'demo.mp4');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '2', '-pix_fmt', 'yuv420p', source]);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'added',
    (e: unknown) => (e instanceof ClipError ? e.reason : String(e)),
  );

describe('ClipStore', () => {
  it('keeps a playable VP8 WebM of at most 640x360, lists it and gives its file', async () => {
    const clips = new ClipStore(path.join(dir, 'data'));
    const added = await clips.add(source, 'cpr-hands');
    expect(added.durationSec).toBeGreaterThan(1.5);
    expect(await clips.list()).toEqual([{ name: 'cpr-hands', bytes: added.bytes, durationSec: added.durationSec }]);
    const file = (await clips.filePath('cpr-hands'))!;
    const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', file]).toString().trim();
    expect(probe).toBe('vp8,640,360');
  });

  it('refuses a bad name, a taken name, a file that is no video, and loses nothing', async () => {
    const clips = new ClipStore(path.join(dir, 'data2'));
    await clips.add(source, 'recovery');
    const text = path.join(dir, 'notes.txt');
    await writeFile(text, 'not a video');
    expect(await reason(clips.add(source, '../etc'))).toBe('bad_name');
    expect(await reason(clips.add(source, 'Recovery Position'))).toBe('bad_name');
    expect(await reason(clips.add(source, 'recovery'))).toBe('exists');
    expect(await reason(clips.add(text, 'notes'))).toBe('unreadable');
    expect(await reason(clips.add(path.join(dir, 'missing.mp4'), 'missing'))).toBe('unreadable');
    expect((await clips.list()).map((c) => c.name)).toEqual(['recovery']);
    expect((await readdir(clips.dir)).sort()).toEqual(['recovery.json', 'recovery.webm']);
    expect(await clips.filePath('../data2/clips/recovery')).toBeUndefined();
    expect(await clips.remove('recovery')).toBe(true);
    expect(await clips.list()).toEqual([]);
  });

  it('lists the clips it can serve, past a dangling link or a folder named like a clip', async () => {
    const clips = new ClipStore(path.join(dir, 'data3'));
    // Listing reads names and sizes only: a file of any bytes stands for a clip here.
    await mkdir(clips.dir, { recursive: true });
    await writeFile(path.join(clips.dir, 'airway.webm'), 'webm bytes');
    await symlink(path.join(dir, 'nowhere.webm'), path.join(clips.dir, 'dangling.webm'));
    await mkdir(path.join(clips.dir, 'folder.webm'));
    expect((await clips.list()).map((c) => c.name)).toEqual(['airway']);
  });

  it("of two adds of one name at once, one wins and the other is told the name is taken; the sidecar is the winner's", async () => {
    const clips = new ClipStore(path.join(dir, 'data4'));
    const outcomes = await Promise.all([reason(clips.add(source, 'twice')), reason(clips.add(source, 'twice'))]);
    expect(outcomes.sort()).toEqual(['added', 'exists']);
    expect((await readdir(clips.dir)).sort()).toEqual(['twice.json', 'twice.webm']);
    const [listed] = await clips.list();
    expect(JSON.parse(await readFile(path.join(clips.dir, 'twice.json'), 'utf8'))).toMatchObject({ durationSec: listed!.durationSec });
  });
});
