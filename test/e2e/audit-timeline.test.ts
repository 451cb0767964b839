import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RecordingInfo, SessionEvent } from '@sightline/shared';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogs } from '../../server/src/audit/AuditLogs.js';
import { auditLogin, openAuditSession } from '../support/audit.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The supervisor's timeline of one session (issue #14, part 5) in a real Chromium, at 1280×720 and on
 * a phone: the summary line, the swimlane chart (ECharts), a click on a mark seeking the recording,
 * the same marks on each player's scrub bar, and playbacks logged on play only. The session is one
 * that ran before this server started: its log and four recording segments (three playable VP8
 * files, one failed) are laid in DATA_DIR as a server leaves them, and the server finds it at start.
 */
const ID = 's_timeline_e2e_1';
let dataDir: string;
let server: TestServer;
let desk: Device;
let phone: Device;
let T0: number;

/** Seconds into the call → ISO time. */
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

async function stageSession(): Promise<void> {
  T0 = Date.now() - 30 * 60_000;
  const logs = new AuditLogs(dataDir);
  const events: [number, SessionEvent['type'], string, Record<string, unknown>?][] = [
    [0, 'created', 'dispatcher:dispatcher', { phone: '+47*****567', incidentRef: 'INC-TIMELINE-1', language: 'nb' }],
    [2, 'sms_sent', 'system'],
    [20, 'link_opened', 'caller'],
    [25, 'consent_given', 'caller'],
    [30, 'camera_granted', 'caller'],
    [40, 'live', 'system'],
    [42, 'recording_started', 'dispatcher:dispatcher'],
    [50, 'chat', 'caller', { from: 'caller', text: 'Han puster ikke' }],
    [55, 'location', 'caller', { lat: 59.91273, lng: 10.74609, accuracy: 12 }],
    [60, 'media_paused', 'caller'],
    [70, 'media_resumed', 'caller'],
    [100, 'reconnecting', 'system', { reason: 'caller network lost' }],
    [110, 'live', 'system'],
    [200, 'ended', 'dispatcher:dispatcher', { reason: 'dispatcher' }],
  ];
  for (const [sec, type, actor, details] of events) {
    await logs.appendSession(ID, { type, at: at(sec), actor, ...(details && { details }) }, type === 'ended');
  }
  // Three playable segments of 8 s (45–53, 55–63, 120–128 s) and one that failed (130–131 s).
  const dir = path.join(dataDir, 'sessions', ID, 'recordings');
  await mkdir(dir, { recursive: true });
  const recordings: RecordingInfo[] = [];
  for (const [segment, from] of [
    [1, 45],
    [2, 55],
    [3, 120],
  ] as const) {
    const name = `segment-000${segment}.mkv`;
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=15',
      '-t',
      '8',
      '-c:v',
      'libvpx',
      '-b:v',
      '300k',
      '-f',
      'webm',
      path.join(dir, name),
    ]);
    const { size } = await stat(path.join(dir, name));
    recordings.push({ name, segment, startedAt: at(from), endedAt: at(from + 8), bytes: size, durationSec: 8, codecs: ['vp8'], status: 'finished' });
  }
  recordings.push({ name: 'segment-0004.mkv', segment: 4, startedAt: at(130), endedAt: at(131), bytes: 0, durationSec: 0, codecs: [], status: 'failed' });
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ recordings }));
}

const played = async () => {
  const token = await login(server, 'supervisor');
  const events = (await http('GET', `${server.url}/api/sessions/${ID}`, { token })).body.events as SessionEvent[];
  return {
    playbacks: events.filter((e) => e.type === 'recording_played').map((e) => e.details?.['name']),
    fileReads: events.filter((e) => e.type === 'supervisor_viewed' && e.details?.['what'] === 'recording file').length,
  };
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-audit-timeline-'));
  await stageSession();
  server = await startServer({ DATA_DIR: dataDir });
  [desk, phone] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  await desk.page.setViewport({ width: 1280, height: 720 });
  await auditLogin(desk.page, server.url);
});

afterAll(async () => {
  await Promise.all([desk?.close(), phone?.close()]);
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The chart's first mark labelled `label`, clicked where it is drawn, with the real mouse. */
async function clickMark(page: Page, label: string, how: 'click' | 'tap' = 'click'): Promise<void> {
  const where = await page.$eval(
    sel('session-timeline-chart'),
    (el, label) => {
      el.scrollIntoView({ block: 'center' });
      const p = (el as unknown as { markPixel(label: string): [number, number] | undefined }).markPixel(label);
      const box = el.getBoundingClientRect();
      return p && { x: box.left + p[0], y: box.top + p[1] };
    },
    label,
  );
  if (!where) throw new Error(`mark "${label}" not drawn`);
  if (how === 'tap') await page.touchscreen.tap(where.x, where.y);
  else await page.mouse.click(where.x, where.y);
}

const CHAT = 'caller: Han puster ikke';

describe('the session timeline at 1280×720', () => {
  it('shows the summary line and the swimlane chart, and logs no playback for opening a session with four segments', async () => {
    const page = desk.page;
    await page.type(sel('search-incident'), 'timeline');
    await page.click(sel('search-submit'));
    expect(await openAuditSession(page, ID)).toBe('intact');
    expect(await page.$eval(sel('timeline-summary'), (el) => el.textContent)).toBe(
      'Time to video 0:40 · Live 2:20 · 1 pause · 1 reconnect · Recordings 3 of 4 playable',
    );
    const chart = await page.waitForSelector(`${sel('session-timeline-chart')} svg`);
    const box = await chart!.boundingBox();
    expect(box!.width).toBeGreaterThan(1000);
    expect(Number(await page.$eval(sel('session-timeline-chart'), (el) => el.getAttribute('data-marks')))).toBeGreaterThan(15);
    expect(await page.$$eval(sel('recording-player'), (vs) => vs.map((v) => (v as HTMLVideoElement).preload))).toEqual(['none', 'none', 'none', 'none']);
    // The scrub bar of segment 1 (45–53 s) carries the caller's chat (50 s) among its marks.
    const marks = await page.$$eval(`${sel('recording-scrub')}[data-recording="segment-0001.mkv"] .scrub-mark`, (els) =>
      els.map((e) => e.getAttribute('title')),
    );
    expect(marks).toContain('0:05 caller: Han puster ikke');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await played()).toEqual({ playbacks: [], fileReads: 0 });
  });

  it('seeks the recording to a mark clicked on the chart, without logging a playback', async () => {
    const page = desk.page;
    await clickMark(page, CHAT);
    await waitFor('the seek note', async () => (await page.$eval(sel('seek-note'), (el) => el.textContent ?? '')).includes('segment 1 at 0:05'));
    const t = await waitFor('segment 1 seeked to 5 s', () =>
      page.$eval('[data-recording="segment-0001.mkv"][data-testid="recording-player"]', (v) => {
        const video = v as HTMLVideoElement;
        return video.readyState >= 1 && Math.abs(video.currentTime - 5) < 0.6 ? video.currentTime : undefined;
      }),
    );
    expect(t).toBeGreaterThan(4.4);
    expect((await played()).playbacks).toEqual([]);
  });

  it('logs exactly one playback when a segment is played, however often it is paused and played again', async () => {
    const page = desk.page;
    await page.$eval('[data-recording="segment-0002.mkv"][data-testid="recording-player"]', async (v) => {
      const video = v as HTMLVideoElement;
      video.muted = true;
      await video.play();
      await new Promise((r) => setTimeout(r, 700));
      video.pause();
      await video.play();
      await new Promise((r) => setTimeout(r, 300));
      video.pause();
    });
    await waitFor('one playback logged', async () => (await played()).playbacks.length === 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await played()).playbacks).toEqual(['segment-0002.mkv']);
  });

  it('has no serious accessibility violations with a session open (axe-core)', async () => {
    const page = desk.page;
    await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
    const serious = await page.evaluate(async () => {
      const result = await (
        window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }
      ).axe.run(document);
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(serious).toEqual([]);
  });
});

describe('the session timeline on a phone (390×844)', () => {
  it('fits the chart and the players in the width, and a tap on a mark seeks', async () => {
    const page = phone.page;
    await auditLogin(page, server.url);
    expect(await openAuditSession(page, ID)).toBe('intact');
    await page.waitForSelector(`${sel('session-timeline-chart')} svg`);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      chart: document.querySelector('[data-testid="session-timeline-chart"]')!.getBoundingClientRect().width,
    }));
    expect(widths.chart).toBeGreaterThan(300);
    expect(widths.chart).toBeLessThanOrEqual(390);
    expect(widths.page).toBeLessThanOrEqual(390);
    await clickMark(page, CHAT, 'tap');
    await waitFor('the seek note', async () => (await page.$eval(sel('seek-note'), (el) => el.textContent ?? '')).includes('segment 1 at 0:05'));
  });
});
