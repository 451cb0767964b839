import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPlayable } from '../../server/src/testing/media.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { DEMO_PASSWORD, freePort, http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';
import { liveSession } from '../support/session.js';

/**
 * Recording, the tamper-evident log and the supervisor's workspace, end to end: a recorded live
 * session, found and replayed in /audit (seeking with real HTTP Range requests), exported with digests
 * that match the files in the archive, every access on the record; the command line verifies and
 * exports; a dispatcher is refused every supervisor route.
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
  await watchPeerConnections(caller.page);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a recorded session under audit', () => {
  it('records a live session on demand into a playable file, in the codec the caller sent', async () => {
    const live = await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-AUDIT-1' });
    sessionId = live.sessionId;
    const c = live.c;
    const asked = performance.now();
    const sentAsked = await callerVideo(caller.page);
    await dispatcher.page.click(c.sel('record-button'));
    await waitFor('recording_started', async () => (await c.timeline()).includes('recording_started'), 20_000, 20);
    const running = performance.now();
    const sentBefore = await callerVideo(caller.page);
    await new Promise((r) => setTimeout(r, 4000));
    const sentAfter = await callerVideo(caller.page);
    const stopping = performance.now();
    await dispatcher.page.click(c.sel('record-button'));
    await waitFor('recording_ended', async () => (await c.timeline()).includes('recording_ended'), 20_000, 20);
    const ended = performance.now();
    const sentEnded = await callerVideo(caller.page);
    await c.end();
    await c.waitStatus('ended');

    // The codec is read off the caller's own RTCPeerConnection: what its encoder actually sent.
    // H264 is preferred whenever the browser can send it. Debian's Chromium here can (OpenH264), so
    // this records H264; VP8 recordings are checked in RecordingService.test.ts.
    expect(sentAfter.mimeType).toBe(sentBefore.mimeType);
    expect(sentAfter.mimeType).toBe(sentBefore.canSendH264 ? 'video/H264' : 'video/VP8');
    expect(sentAfter.mimeType).toBe('video/H264');
    const fps = (sentAfter.framesSent - sentBefore.framesSent) / ((stopping - running) / 1000);
    expect(fps).toBeGreaterThan(5);

    const token = await login(server, 'supervisor');
    const list = await http('GET', `${server.url}/api/sessions/${sessionId}/recordings`, { token });
    expect(list.status).toBe(200);
    expect(list.body.recordings).toHaveLength(1);
    const [info] = list.body.recordings;
    const recorded = sentAfter.mimeType.split('/')[1]!.toLowerCase();
    expect(info.codecs).toEqual([recorded]);
    // What a supervisor downloads decodes without an error, in that codec, as long as the test's
    // clock says the recording ran, with as many frames as the caller's encoder counted meanwhile.
    const file = path.join(dataDir, 'download.mkv');
    await writeFile(file, await download(`${server.url}/api/sessions/${sessionId}/recordings/${info.name}`, token));
    const decoded = await assertPlayable(file, {
      codecs: [recorded],
      recorded: { atLeastSec: (stopping - running) / 1000, atMostSec: (ended - asked) / 1000 },
      sent: { atLeast: sentAfter.framesSent - sentBefore.framesSent, atMost: sentEnded.framesSent - sentAsked.framesSent },
      fps,
    });
    expect(Math.abs(info.durationSec - decoded.videoSpanSec)).toBeLessThan(0.5);
  });

  it('serves a recording in byte ranges (HTTP Range): 206, Content-Range and exactly the bytes asked for', async () => {
    const token = await login(server, 'supervisor');
    const { recordings } = (await http('GET', `${server.url}/api/sessions/${sessionId}/recordings`, { token })).body;
    const name: string = recordings[0].name;
    const whole = await readFile(path.join(dataDir, 'sessions', sessionId, 'recordings', name));
    const url = `${server.url}/api/sessions/${sessionId}/recordings/${name}`;
    const get = (range?: string) => fetch(url, { headers: { authorization: `Bearer ${token}`, ...(range && { range }) } });

    const full = await get();
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await full.arrayBuffer()).equals(whole)).toBe(true);

    const middle = await get('bytes=1000-4999');
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes 1000-4999/${whole.length}`);
    expect(middle.headers.get('content-length')).toBe('4000');
    expect(Buffer.from(await middle.arrayBuffer()).equals(whole.subarray(1000, 5000))).toBe(true);

    const tail = await get(`bytes=${whole.length - 300}-`);
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${whole.length - 300}-${whole.length - 1}/${whole.length}`);
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 300))).toBe(true);

    const beyond = await get(`bytes=${whole.length + 10}-`);
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
  });

  it('lets a supervisor find the session, replay the recording with seeking, see the verified log', async () => {
    const page = dispatcher.page;
    // The player's own requests: seeking must be served as ranges (206), not by downloading again.
    const statuses: number[] = [];
    const onResponse = (r: { url(): string; status(): number }) => {
      if (r.url().includes(`/api/sessions/${sessionId}/recordings/`)) statuses.push(r.status());
    };
    page.on('response', onResponse);
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
    page.off('response', onResponse);
    expect(played.advanced).toBeGreaterThan(0.3);
    expect(played.afterSeek).toBeGreaterThan(1);
    expect(statuses).toContain(206);
  });

  it('exports one archive and keeps every supervisor access on the record', async () => {
    const token = await login(server, 'supervisor');
    const archive = await fetch(`${server.url}/api/sessions/${sessionId}/export`, { headers: { authorization: `Bearer ${token}` } });
    expect(archive.status).toBe(200);
    expect(archive.headers.get('content-type')).toBe('application/gzip');
    const tarball = path.join(dataDir, 'api-export.tar.gz');
    await writeFile(tarball, Buffer.from(await archive.arrayBuffer()));
    const unpacked = await expectDigestsMatch(tarball, sessionId);
    expect(unpacked).toEqual(expect.arrayContaining(['log.jsonl', expect.stringMatching(/^recordings\/segment-0001\.mkv$/)]));

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
    expect(await expectDigestsMatch(out, sessionId)).toContain('recordings/segment-0001.mkv');

    const logFile = path.join(dataDir, 'sessions', sessionId, 'log.jsonl');
    const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
    lines[2] = lines[2]!.replace('"actor":"caller"', '"actor":"someone"').replace('"actor":"dispatcher:dispatcher"', '"actor":"someone"');
    await writeFile(logFile, `${lines.join('\n')}\n`);
    const broken = await run(process.execPath, [cli, 'verify', sessionId], { env }).catch((e: { code: number; stderr: string }) => e);
    expect((broken as { code: number }).code).toBe(1);
    expect((broken as { stderr: string }).stderr).toMatch(/first bad record is seq 3, link hash /);
    const token = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${sessionId}/verify`, { token })).body).toMatchObject({
      intact: false,
      firstBadSeq: 3,
      link: 'hash',
    });
  });
});

/**
 * Unpacks an export with the system's tar and checks its report against the files actually in it:
 * every listed file is there with the listed size and SHA-256, and nothing else is (but the report).
 * Returns the listed paths.
 */
async function expectDigestsMatch(tarball: string, id: string): Promise<string[]> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'sightline-unpacked-'));
  try {
    await run('tar', ['-xzf', tarball, '-C', out]);
    const root = path.join(out, id);
    const report = JSON.parse(await readFile(path.join(root, 'verification.json'), 'utf8')) as {
      sessionId: string;
      log: { intact: boolean };
      files: { path: string; bytes: number; sha256: string }[];
    };
    expect(report).toMatchObject({ sessionId: id, log: { intact: true } });
    for (const f of report.files) {
      const bytes = await readFile(path.join(root, f.path));
      expect({ path: f.path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual(f);
    }
    const inArchive = (await run('find', [root, '-type', 'f', '-printf', '%P\n'])).stdout.trim().split('\n').sort();
    expect(inArchive).toEqual([...report.files.map((f) => f.path), 'verification.json'].sort());
    return report.files.map((f) => f.path);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Keeps every RTCPeerConnection the page makes, so the test can read what the page really sends. */
async function watchPeerConnections(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const Native = window.RTCPeerConnection;
    const seen: RTCPeerConnection[] = [];
    (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections = seen;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        seen.push(this);
      }
    };
  });
}

/**
 * The caller's outgoing video now: codec (from its own stats), frames sent, and whether it could send H264.
 * Read from the sender that carries the camera's track: the pre-tap connection leaves a disabled
 * transceiver (its refused placeholder) whose outbound-rtp entry still names a codec, and taking
 * whichever entry the stats map lists last read a frozen frame count when that one came last.
 */
async function callerVideo(page: Page): Promise<{ mimeType: string; framesSent: number; canSendH264: boolean }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections;
    let found: { mimeType: string; framesSent: number } | undefined;
    for (const pc of pcs) {
      if (pc.connectionState !== 'connected') continue;
      for (const sender of pc.getSenders()) {
        if (sender.track?.kind !== 'video' || sender.track.readyState !== 'live') continue;
        const report = (await sender.getStats()) as unknown as Map<string, { type: string; codecId?: string; framesSent?: number; mimeType?: string }>;
        for (const s of report.values()) {
          if (s.type !== 'outbound-rtp' || !s.codecId) continue;
          const codec = report.get(s.codecId);
          if (codec?.mimeType) found = { mimeType: codec.mimeType, framesSent: s.framesSent ?? 0 };
        }
      }
    }
    if (!found) throw new Error('the caller sends no video');
    const canSendH264 = (RTCRtpSender.getCapabilities('video')?.codecs ?? []).some((c) => c.mimeType.toLowerCase() === 'video/h264');
    return { ...found, canSendH264 };
  });
}

async function download(url: string, token: string): Promise<Buffer> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
