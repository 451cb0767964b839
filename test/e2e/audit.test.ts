import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { DEMO_PASSWORD, freePort, http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';
import { liveSession } from '../support/session.js';

/**
 * Recording, the tamper-evident log and the supervisor's workspace, end to end: a recorded live
 * session, found and replayed in /audit, exported, every access on the record; the command line
 * verifies and exports; a dispatcher is refused every supervisor route.
 */
const run = promisify(execFile);
let server: TestServer;
let dataDir: string;
let dispatcher: Device;
let caller: Device;
let sessionId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-audit-'));
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, RECORDING_POLICY: 'on-demand', DATA_DIR: dataDir });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a recorded session under audit', () => {
  it('records a live session on demand into a playable file', async () => {
    const live = await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-AUDIT-1' });
    sessionId = live.sessionId;
    const c = live.c;
    await dispatcher.page.click(c.sel('record-button'));
    await waitFor('recording_started', async () => (await c.timeline()).includes('recording_started'));
    await new Promise((r) => setTimeout(r, 4000));
    await dispatcher.page.click(c.sel('record-button'));
    await waitFor('recording_ended', async () => (await c.timeline()).includes('recording_ended'), 20_000);
    await dispatcher.page.click(c.sel('end-session-button'));
    await c.waitStatus('ended');

    const token = await login(server);
    const list = await http('GET', `${server.url}/api/sessions/${sessionId}/recordings`, { token });
    expect(list.status).toBe(200);
    expect(list.body.recordings).toHaveLength(1);
    expect(list.body.recordings[0].durationSec).toBeGreaterThan(2.5);
    expect(list.body.recordings[0].durationSec).toBeLessThan(7);
  });

  it('lets a supervisor find the session, replay the recording with seeking, see the verified log', async () => {
    const page = dispatcher.page;
    await page.goto(`${server.url}/audit`);
    await page.type(sel('login-username'), 'supervisor');
    await page.type(sel('login-password'), DEMO_PASSWORD);
    await page.click(sel('login-submit'));
    await page.waitForSelector(sel('search-incident'), { visible: true });
    await page.type(sel('search-incident'), 'INC-AUDIT-1');
    await page.click(sel('search-submit'));
    // Click whichever row is there now: the list re-renders when a search answers.
    await waitFor('session row opened', () =>
      page.$eval(`${sel('session-row')}[data-session-id="${sessionId}"]`, (el) => {
        (el as HTMLElement).click();
        return true;
      }),
    );
    await waitFor('log verified', () => page.$eval(sel('log-integrity'), (el) => el.textContent === 'intact'));
    expect((await page.$$(sel('timeline-event'))).length).toBeGreaterThan(8);

    await page.waitForSelector(sel('recording-player'));
    const played = await page.$eval(sel('recording-player'), async (el) => {
      const v = el as HTMLVideoElement;
      v.muted = true;
      await v.play();
      await new Promise((r) => setTimeout(r, 1500));
      const t = v.currentTime;
      v.currentTime = Math.min(2, v.duration - 0.5);
      await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
      return { advanced: t, afterSeek: v.currentTime, duration: v.duration };
    });
    expect(played.advanced).toBeGreaterThan(0.3);
    expect(played.afterSeek).toBeGreaterThan(1);
  });

  it('exports one archive and keeps every supervisor access on the record', async () => {
    const token = await login(server, 'supervisor');
    const archive = await fetch(`${server.url}/api/sessions/${sessionId}/export`, { headers: { authorization: `Bearer ${token}` } });
    expect(archive.status).toBe(200);
    expect(archive.headers.get('content-type')).toBe('application/gzip');
    expect((await archive.arrayBuffer()).byteLength).toBeGreaterThan(10_000);

    const detail = await http('GET', `${server.url}/api/sessions/${sessionId}`, { token });
    const types = detail.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['supervisor_viewed', 'recording_played', 'session_exported']));
    const access = await http('GET', `${server.url}/api/audit/access`, { token });
    expect(access.body.records.some((r: { type: string; actor: string }) => r.type === 'sessions_searched' && r.actor === 'supervisor:supervisor')).toBe(true);
    expect((await http('GET', `${server.url}/api/sessions/${sessionId}/verify`, { token })).body).toMatchObject({ intact: true });
  });

  it('refuses a dispatcher every supervisor route', async () => {
    const token = await login(server, 'dispatcher');
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/sessions/${sessionId}/verify`],
      ['GET', `/api/sessions/${sessionId}/export`],
      ['POST', `/api/sessions/${sessionId}/hold`, { hold: true }],
      ['GET', '/api/audit/access'],
      ['GET', `/api/sessions/${sessionId}/recordings/segment.mkv`],
    ];
    for (const [method, route, body] of routes) {
      expect((await http(method, `${server.url}${route}`, { token, body })).status, `${method} ${route}`).toBe(403);
    }
  });

  it('verifies and exports from the command line, and names the first bad record after tampering', async () => {
    const env = { ...process.env, DATA_DIR: dataDir };
    const cli = path.join(REPO_ROOT, 'server/bin/sightline.js');
    const ok = await run(process.execPath, [cli, 'verify', sessionId], { env });
    expect(ok.stdout).toMatch(/^intact: \d+ records/);
    const out = path.join(dataDir, 'export.tar.gz');
    await run(process.execPath, [cli, 'export', sessionId, out], { env });
    expect((await readFile(out)).length).toBeGreaterThan(10_000);

    const logFile = path.join(dataDir, 'sessions', sessionId, 'log.jsonl');
    const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
    lines[2] = lines[2]!.replace('"actor":"caller"', '"actor":"someone"').replace('"actor":"dispatcher:dispatcher"', '"actor":"someone"');
    await writeFile(logFile, `${lines.join('\n')}\n`);
    const broken = await run(process.execPath, [cli, 'verify', sessionId], { env }).catch((e: { code: number; stderr: string }) => e);
    expect((broken as { code: number }).code).toBe(1);
    expect((broken as { stderr: string }).stderr).toMatch(/first bad record is seq 3/);
    const token = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${sessionId}/verify`, { token })).body).toMatchObject({ intact: false, firstBadSeq: 3 });
  });
});
