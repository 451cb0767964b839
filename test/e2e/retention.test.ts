import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/browser.js';
import { http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * Retention end to end (README "Retention"): stills saved through the API, a legal hold set through
 * the supervisor's API, then retention as an operator runs it: `npx sightline retention run`, and the
 * server's own timer. "40 days later" is a clock moved forward in the retention process only
 * (test/support/clockShift.mjs); everything else is the product as shipped, RETENTION_DAYS 30.
 */
const run = promisify(execFile);
const DAY_MS = 86_400_000;
const CLOCK_SHIFT = `--import=${pathToFileURL(path.join(REPO_ROOT, 'test/support/clockShift.mjs')).href}`;
let server: TestServer;
let dataDir: string;
let still: Buffer;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-retention-'));
  server = await startServer({ DATA_DIR: dataDir });
  // A real JPEG (ffmpeg's test picture): the snapshot route takes only images.
  still = (
    await run(
      'ffmpeg',
      ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', '-'],
      { encoding: 'buffer' },
    )
  ).stdout;
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A session with one dispatcher snapshot, ended; returns its id. */
async function endedSessionWithStill(incidentRef: string): Promise<string> {
  const token = await login(server, 'dispatcher');
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef, language: 'nb' } });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const saved = await fetch(`${server.url}/api/sessions/${id}/snapshots`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
    body: new Uint8Array(still),
  });
  expect(saved.status).toBe(201);
  expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token })).status).toBe(200);
  expect(await stills(id)).toHaveLength(1);
  return id;
}

async function hold(id: string, on: boolean): Promise<void> {
  const token = await login(server, 'supervisor');
  const r = await http('POST', `${server.url}/api/sessions/${id}/hold`, { token, body: { hold: on, reason: 'complaint INC-7' } });
  expect(r).toMatchObject({ status: 200, body: { id, legalHold: on } });
}

function stills(id: string): Promise<string[]> {
  return readdir(path.join(dataDir, 'sessions', id, 'snapshots')).catch(() => []);
}

async function logOf(id: string): Promise<{ type: string; actor: string; details?: Record<string, unknown> }[]> {
  const text = await readFile(path.join(dataDir, 'sessions', id, 'log.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

/** `npx sightline retention run` on this DATA_DIR, with the clock `days` ahead. */
async function retentionRun(days: number): Promise<string> {
  const env = { ...process.env, DATA_DIR: dataDir, NODE_OPTIONS: CLOCK_SHIFT, SIGHTLINE_TEST_CLOCK_SHIFT_MS: String(days * DAY_MS) };
  const { stdout } = await run('npx', ['--no-install', 'sightline', 'retention', 'run'], { cwd: REPO_ROOT, env });
  return stdout;
}

describe('retention', () => {
  it('`npx sightline retention run` keeps media on a legal hold set through the API and deletes the rest, logging it', async () => {
    const held = await endedSessionWithStill('INC-RET-HELD');
    const free = await endedSessionWithStill('INC-RET-FREE');
    await hold(held, true);

    // 29 days on: nothing has expired yet.
    expect(await retentionRun(29)).toMatch(/^retention: 0 session\(s\) cleaned, 0 on hold$/m);
    expect(await stills(free)).toHaveLength(1);

    // 31 days on: the unheld session's still goes, the held one stays, and the command says so.
    const out = await retentionRun(31);
    expect(out).toContain(`deleted 1 file(s) of ${free}`);
    expect(out).toContain(`kept ${held} (legal hold)`);
    expect(await stills(free)).toEqual([]);
    expect(await stills(held)).toHaveLength(1);

    // The deletion is in the session's log (which stays, intact) and visible to a supervisor.
    expect((await logOf(free)).at(-1)).toMatchObject({
      type: 'media_deleted',
      actor: 'system:retention',
      details: { files: [expect.stringMatching(/^snapshots\//)], retentionDays: 30 },
    });
    expect((await logOf(held)).map((r) => r.type)).not.toContain('media_deleted');
    const token = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${free}/verify`, { token })).body).toMatchObject({ intact: true });
    const detail = await http('GET', `${server.url}/api/sessions/${free}`, { token });
    expect(detail.body.events.map((e: { type: string }) => e.type)).toContain('media_deleted');
    const [name] = await stills(held);
    expect((await fetch(`${server.url}/api/sessions/${held}/snapshots/${name}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    // Released, the held session's media goes at the next run.
    await hold(held, false);
    expect(await retentionRun(31)).toContain(`deleted 1 file(s) of ${held}`);
    expect(await stills(held)).toEqual([]);
  });

  it("the server's own timer runs retention (RETENTION_INTERVAL_MINUTES), keeping held media", async () => {
    const held = await endedSessionWithStill('INC-TIMER-HELD');
    const free = await endedSessionWithStill('INC-TIMER-FREE');
    await hold(held, true);

    // A second node on the same data, its clock 31 days on, its timer every 0.6 s (first run at once).
    const later = await startServer({
      DATA_DIR: dataDir,
      RETENTION_INTERVAL_MINUTES: '0.01',
      NODE_OPTIONS: CLOCK_SHIFT,
      SIGHTLINE_TEST_CLOCK_SHIFT_MS: String(31 * DAY_MS),
    });
    try {
      await waitFor('the timer deleted the expired still', async () => (await stills(free)).length === 0, 20_000, 100);
      const token = await login(later, 'supervisor');
      const access = await waitFor('the retention run in the access log', async () => {
        const records: { type: string; actor: string; details?: { sessions?: string[] } }[] = (await http('GET', `${later.url}/api/audit/access`, { token }))
          .body.records;
        return records.find((r) => r.type === 'retention_run' && r.details?.sessions?.includes(free));
      });
      expect(access.actor).toBe('system:retention');
      expect((await logOf(free)).filter((r) => r.type === 'media_deleted')).toHaveLength(1);
      expect(await stills(held)).toHaveLength(1);
    } finally {
      await later.stop();
    }
  });
});
