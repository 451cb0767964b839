import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promisify } from 'node:util';
import { http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * Stills fill a disk; a full disk must not cost the log. Found by review (issue #11, item 3): staff
 * snapshots had no count, rate or quota, and a log append ignored short writes, so the append that
 * met a full disk left half a line, after which the session's log neither parsed nor took another
 * record. Here the data directory is a real 8 MB tmpfs (root only), filled from outside through the
 * upload routes as a script would.
 */
const run = promisify(execFile);
const TMPFS_MB = 8;
const FLOOR_MB = 2;
let dir: string;
let server: TestServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MB}m`, 'tmpfs', dir]);
});

afterAll(async () => {
  await server?.stop();
  execFileSync('umount', [dir]);
  await rm(dir, { recursive: true, force: true });
});

const start = async () => (server = await startServer({ DATA_DIR: dir, MIN_FREE_DISK_MB: String(FLOOR_MB) }));

/** Random pixels as a JPEG of about 2 MB (about 1 MB once the server re-encodes it: noise does not compress). */
async function noisyJpeg(): Promise<Buffer> {
  return sharp(randomBytes(1400 * 1400 * 3), { raw: { width: 1400, height: 1400, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

async function snapshot(token: string, id: string, image: Buffer): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server!.url}/api/sessions/${id}/snapshots`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
    body: new Uint8Array(image),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

async function freeMb(): Promise<number> {
  const s = await statfs(dir);
  return (s.bavail * s.bsize) / 1024 / 1024;
}

async function securityCount(kind: string): Promise<number> {
  const text = await (await fetch(`${server!.url}/metrics`)).text();
  return Number(new RegExp(`sightline_security_events_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

describe('a data directory that fills up', () => {
  let sessionId: string;

  it('refuses new stills with 507 once free space nears the floor, and the log keeps taking whole records', async () => {
    await start();
    const dispatcher = await login(server!);
    const supervisor = await login(server!, 'supervisor');
    sessionId = (await http('POST', `${server!.url}/api/sessions`, { token: dispatcher, body: { phone: '+4791234567' } })).body.id;
    const image = await noisyJpeg();
    const statuses: number[] = [];
    for (let i = 0; i < 20 && !statuses.some((s) => s !== 201); i++) statuses.push((await snapshot(dispatcher, sessionId, image)).status);
    const refused = await snapshot(dispatcher, sessionId, image);
    expect(statuses, 'stills are taken, then refused as the disk nears its floor').toContain(201);
    expect(refused.status, `after ${statuses.join(',')}`).toBe(507);
    expect(refused.body.error.code).toBe('insufficient_storage');
    expect(await freeMb(), 'the floor is kept').toBeGreaterThan(FLOOR_MB * 0.9);
    expect(await securityCount('upload_refused')).toBeGreaterThan(0);

    // The log still takes records: each supervisor look is one (it fits in the room the floor keeps).
    for (let i = 0; i < 40; i++) expect((await http('GET', `${server!.url}/api/sessions/${sessionId}`, { token: supervisor })).status).toBe(200);
    const verify = await http('GET', `${server!.url}/api/sessions/${sessionId}/verify`, { token: supervisor });
    expect(verify.body).toMatchObject({ intact: true });
    const events = (await http('GET', `${server!.url}/api/sessions/${sessionId}`, { token: dispatcher })).body.events as { type: string }[];
    expect(events.filter((e) => e.type === 'snapshot').length, 'a record for each still kept').toBe(statuses.filter((s) => s === 201).length);
    expect(verify.body.records).toBe(events.length);
  });

  it('repairs a torn last line at start, says so, and keeps every whole record', async () => {
    await server!.stop();
    const log = path.join(dir, 'sessions', sessionId, 'log.jsonl');
    const before = (await readFile(log, 'utf8')).split('\n').filter(Boolean).length;
    // What a crash or a full disk in the middle of an append leaves: the start of a record, no newline.
    await appendFile(log, '{"at":"2026-11-30T10:00:00.000Z","type":"chat","act');
    await start();
    expect(server!.output()).toMatch(/torn last line/);
    expect(await securityCount('log_repaired')).toBe(1);
    // The restarted server rebuilds its memory index from the logs and ends the session the crash left
    // open (issue #14 §5): one `ended` record (server_restart) after every whole record kept. The
    // command line reads the log as the operator would.
    const env = { ...process.env, DATA_DIR: dir };
    const cli = path.join(REPO_ROOT, 'server/bin/sightline.js');
    expect((await run(process.execPath, [cli, 'verify', sessionId], { env })).stdout, 'every whole record is kept').toMatch(
      new RegExp(`^intact: ${before + 1} records`),
    );
    const last = JSON.parse((await readFile(log, 'utf8')).trim().split('\n').at(-1)!) as { type: string; details?: { reason?: string } };
    expect(last).toMatchObject({ type: 'ended', details: { reason: 'server_restart' } });
    await run(process.execPath, [cli, 'export', sessionId, path.join(os.tmpdir(), `${sessionId}.tar.gz`)], { env });
    await rm(path.join(os.tmpdir(), `${sessionId}.tar.gz`));
    expect((await run(process.execPath, [cli, 'verify', sessionId], { env })).stdout, 'and the log takes records again').toMatch(
      new RegExp(`^intact: ${before + 2} records`),
    );
  });
});
