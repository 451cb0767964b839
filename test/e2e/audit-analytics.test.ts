import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FunnelResponse } from '@sightline/shared';
import type { HTTPResponse, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogin } from '../support/audit.js';
import { axeSerious } from '../support/axe.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { demoDataDir, type DemoDataDir } from '../support/demoData.js';
import { sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The /audit analytics view (issue #16 §1) in Chromium, on a data directory filled by the real
 * `npx sightline demo-data --sessions 200`: a supervisor opens it from the header, the funnel chart,
 * the failure causes and the weekly uptake show what `GET /api/analytics/funnel` answers for the same
 * range, a dispatcher filter changes them to that dispatcher's, the CSV export of the range downloads
 * without a phone number, the access log records the looks and the export, and axe finds nothing
 * serious at 1280×720.
 */
let demo: DemoDataDir;
let server: TestServer;
let device: Device;
let page: Page;
let token: string;

type SeriesData = { name: string; data: (number | null)[] }[];
const series = (testid: string) => page.$eval(sel(testid), (el) => (el as unknown as { seriesData(): SeriesData }).seriesData());
const byName = (data: SeriesData, name: string) => data.find((s) => s.name === name)?.data;

async function funnelFromApi(query: Record<string, string>): Promise<FunnelResponse> {
  const r = await http('GET', `${server.url}/api/analytics/funnel?${new URLSearchParams(query)}`, { token });
  expect(r.status).toBe(200);
  return r.body as FunnelResponse;
}

/** The range the form shows now (its default: the last 8 weeks). */
async function formRange(): Promise<{ from: string; to: string }> {
  const value = (testid: string) => page.$eval(sel(testid), (el) => (el as HTMLInputElement).value);
  return { from: await value('analytics-from'), to: await value('analytics-to') };
}

/** The page's charts and tables hold exactly the answer's figures. */
async function expectShown(api: FunnelResponse): Promise<void> {
  const funnel = await series('funnel-chart');
  expect(byName(funnel, 'Reached')).toEqual(api.stages.map((s) => s.reached));
  expect(byName(funnel, 'Median')).toEqual(api.stages.map((s) => (s.p50Ms === null ? null : Math.round(s.p50Ms / 100) / 10)));
  expect(byName(funnel, '90th percentile')).toEqual(api.stages.map((s) => (s.p90Ms === null ? null : Math.round(s.p90Ms / 100) / 10)));
  const tableReached = await page.$$eval(`${sel('funnel-table')} tbody tr`, (rows) => rows.map((r) => Number(r.children[1]!.textContent)));
  expect(tableReached).toEqual(api.stages.map((s) => s.reached));
  // Causes top to bottom in the contract's order (the chart's category axis counts from the bottom).
  expect([...byName(await series('failures-chart'), 'Sessions')!].reverse()).toEqual(Object.values(api.failures));
  const uptake = await series('uptake-chart');
  expect(byName(uptake, 'Sessions')).toEqual(api.weeks.map((w) => w.sessions));
  expect(byName(uptake, 'With video')).toEqual(api.weeks.map((w) => w.withVideo));
  const synthetic = await page.$eval(sel('analytics-synthetic'), (el) => ((el as HTMLElement).hidden ? '' : (el.textContent ?? '')));
  expect(synthetic).toBe(api.synthetic ? `Includes ${api.synthetic} synthetic sessions (npx sightline demo-data).` : '');
}

beforeAll(async () => {
  demo = await demoDataDir();
  const filled = demo.cli('demo-data', '--sessions', '200', '--seed', '16');
  if (filled.status !== 0) throw new Error(`demo-data failed: ${filled.stderr}`);
  server = await startServer(demo.env);
  token = await login(server, 'supervisor');
  device = await launchDevice();
  page = device.page;
  await page.setViewport({ width: 1280, height: 720 });
});

afterAll(async () => {
  await device?.close();
  await server?.stop();
  await demo?.remove();
});

describe('/audit analytics view', () => {
  it('opens from the header and shows the funnel, causes and weekly uptake the API gives for the last 8 weeks', async () => {
    await auditLogin(page, server.url);
    await page.click(sel('analytics-link'));
    await page.waitForSelector(`${sel('funnel-chart')} svg`, { visible: true });
    expect(await page.$eval(sel('search-submit'), (el) => el.checkVisibility())).toBe(false);
    // The keyboard carries on at the view's heading, not at the top of the page.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('analytics-title');
    const range = await formRange();
    expect(Date.parse(range.to) - Date.parse(range.from)).toBe(56 * 86_400_000);
    const api = await funnelFromApi(range);
    expect(api.sessions).toBeGreaterThan(100);
    expect(api.synthetic).toBe(api.sessions);
    await expectShown(api);
    const summary = await page.$eval(sel('analytics-summary'), (el) => el.textContent ?? '');
    expect(summary).toContain(`${api.sessions} sessions from ${range.from} to ${range.to}, whole centre`);
    const alt = await page.$eval(sel('funnel-chart'), (el) => el.getAttribute('aria-label') ?? '');
    expect(alt).toContain(`Video on screen ${api.stages.at(-1)!.reached}`);
    process.stdout.write(
      `funnel (200 demo sessions, last 8 weeks): ${api.sessions} sessions; ${api.stages.map((s) => `${s.name} ${s.reached}${s.p50Ms === null ? '' : ` p50 ${s.p50Ms} ms p90 ${s.p90Ms} ms`}`).join('; ')}; failures ${JSON.stringify(api.failures)}\n`,
    );
  });

  it('shows one dispatcher’s figures when filtered by that dispatcher', async () => {
    const whole = await funnelFromApi(await formRange());
    await page.type(sel('analytics-dispatcher'), 'demo-kari');
    await page.click(sel('analytics-submit'));
    await waitFor('the filtered summary', async () =>
      (await page.$eval(sel('analytics-summary'), (el) => el.textContent ?? '')).includes('dispatcher demo-kari'),
    );
    const kari = await funnelFromApi({ ...(await formRange()), dispatcher: 'demo-kari' });
    expect(kari.sessions).toBeGreaterThan(0);
    expect(kari.sessions).toBeLessThan(whole.sessions);
    await expectShown(kari);
  });

  it('says a reversed range in words and leaves no figures of the query before on screen', async () => {
    const range = await formRange();
    const set = (field: string, value: string) => page.$eval(sel(field), (el, v) => ((el as HTMLInputElement).value = v), value);
    await set('analytics-from', range.to);
    await set('analytics-to', range.from);
    await page.click(sel('analytics-submit'));
    await waitFor('the reversed range said', async () =>
      (await page.$eval(sel('analytics-summary'), (el) => el.textContent ?? '')).includes('ends before it starts'),
    );
    expect(await page.$(sel('funnel-chart')), 'no chart of the query before').toBeNull();
    await set('analytics-from', range.from);
    await set('analytics-to', range.to);
    await page.click(sel('analytics-submit'));
    await page.waitForSelector(sel('funnel-chart'));
  });

  it('exports sessions.csv of the same range and dispatcher, without a phone number', async () => {
    const kari = await funnelFromApi({ ...(await formRange()), dispatcher: 'demo-kari' });
    const downloads = await mkdtemp(path.join(os.tmpdir(), 'sightline-analytics-downloads-'));
    const cdp = await page.browser().target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    const answered = new Promise<HTTPResponse>((resolve) => page.on('response', (r) => r.url().includes('/api/analytics/sessions.csv') && resolve(r)));
    await page.click(sel('analytics-export'));
    const res = await answered;
    expect(res.status()).toBe(200);
    expect(Object.fromEntries(new URL(res.url()).searchParams)).toEqual({ ...(await formRange()), dispatcher: 'demo-kari' });
    const range = await formRange();
    const file = path.join(downloads, `sightline-sessions-${range.from}-${range.to}.csv`);
    const csv = await waitFor('the downloaded file', () => readFile(file, 'utf8').catch(() => undefined));
    await rm(downloads, { recursive: true, force: true });
    const lines = csv.trim().split(/\r?\n/);
    expect(lines).toHaveLength(kari.sessions + 1);
    // No phone number, masked (+44*******447) or not, international or local (8 digits).
    expect(csv).not.toMatch(/\+\d|\*\*\*|\b\d{8,}\b/);
    expect(csv).not.toContain('demo-kari');
    expect(csv).not.toMatch(/\bs_[A-Za-z0-9_-]{8,}/); // no session id
    await waitFor('the export note cleared', async () => (await page.$eval(sel('analytics-export-note'), (el) => el.textContent)) === '');
  });

  it('records the views and the export in the supervisors’ access log', async () => {
    const r = await http('GET', `${server.url}/api/audit/access`, { token });
    const records = r.body.records as { type: string; actor: string; details?: { query?: Record<string, string> } }[];
    const views = records.filter((x) => x.type === 'analytics_viewed' && x.actor === 'supervisor:supervisor');
    expect(views.some((x) => x.details?.query?.['dispatcher'] === undefined)).toBe(true);
    expect(views.some((x) => x.details?.query?.['dispatcher'] === 'demo-kari')).toBe(true);
    expect(records.filter((x) => x.type === 'analytics_exported' && x.details?.query?.['dispatcher'] === 'demo-kari')).toHaveLength(1);
  });

  it('passes axe at 1280×720, and goes back to the search', async () => {
    expect(await axeSerious(page)).toEqual([]);
    await page.click(sel('analytics-back'));
    await page.waitForSelector(sel('search-submit'), { visible: true });
    expect(await page.$eval('#analytics', (el) => (el as HTMLElement).hidden)).toBe(true);
  });
});
