import { cprEpisodes, type SessionEvent } from '@sightline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { CPR_CLIPS, cprClipFile, type CprClip } from '../support/cprClips.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { card, liveSession } from '../support/session.js';

/**
 * The CPR coach through the whole stack (issue #15 §2, "Tests"): the caller's phone (its own
 * Chromium) films a synthetic clip made by ffmpeg (test/support/cprClips.ts) with the fake camera,
 * through the SFU to the dispatcher's console (another Chromium, 1280×720), which measures the rate
 * from the frames it decodes and reports windows and pauses to the session log.
 */
let server: TestServer;
let token: string;
let desk: Device;
const files = new Map<string, string>();

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
  for (const clip of CPR_CLIPS) files.set(clip.name, await cprClipFile(clip));
  desk = await launchDevice();
  await desk.page.setViewport({ width: 1280, height: 720 });
});

afterAll(async () => {
  await desk?.close();
  await server?.stop();
});

const events = async (id: string): Promise<SessionEvent[]> => (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events;

interface Sample {
  /** Seconds since CPR mode was switched on. */
  s: number;
  text: string;
  quality: string;
}

/**
 * One clip: the caller goes live, the dispatcher switches CPR mode on, the console's `cpr-rate` is
 * sampled every 0.5 s for `seconds`, then CPR mode is switched off. Returns the samples and the log.
 */
async function measure(clip: CprClip, seconds: number, until?: (log: SessionEvent[]) => boolean) {
  const phone = await launchDevice({ mobile: true, fakeVideoFile: files.get(clip.name)! });
  try {
    const { sessionId, c } = await liveSession(desk.page, phone.page, server.url, { incident: clip.name });
    const panel = `${c.scope} .cpr-panel`;
    expect(await c.text('cpr-rate')).toBe('—');
    await desk.page.click(c.sel('cpr-mode-button'));
    const on = Date.now();
    await waitFor('CPR mode on', async () => (await desk.page.$eval(c.sel('cpr-mode-button'), (b) => b.getAttribute('aria-pressed'))) === 'true');
    const samples: Sample[] = [];
    for (;;) {
      const s = (Date.now() - on) / 1000;
      const { text, quality } = await desk.page.$eval(c.sel('cpr-rate'), (el) => ({
        text: el.textContent ?? '',
        quality: el.getAttribute('data-quality') ?? '',
      }));
      samples.push({ s, text, quality });
      if (s >= seconds && (!until || until(await events(sessionId)))) break;
      if (s > seconds + 20) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const cost = await desk.page.$eval(panel, (el) => ({
      mean: Number(el.getAttribute('data-sample-ms')),
      max: Number(el.getAttribute('data-sample-max-ms')),
      estimator: el.getAttribute('data-estimator'),
    }));
    await desk.page.click(c.sel('cpr-mode-button'));
    await waitFor('cpr_ended logged', async () => (await events(sessionId)).some((e) => e.type === 'cpr_ended'));
    const log = await events(sessionId);
    await card(desk.page, sessionId).end();
    return { samples, log, cost, episode: cprEpisodes(log)[0]! };
  } finally {
    await phone.close();
  }
}

async function readsRate(truth: number): Promise<void> {
  const clip = CPR_CLIPS.find((x) => x.name === `block-${truth}`)!;
  const { samples, episode, cost } = await measure(clip, 12);
  const first = samples.find((x) => x.quality === 'ok');
  expect(first, JSON.stringify(samples)).toBeDefined();
  expect(first!.s).toBeLessThanOrEqual(10);
  for (const r of rates(samples)) expect(Math.abs(r - truth), JSON.stringify(samples)).toBeLessThanOrEqual(3);
  expect(samples.every((x) => (x.quality === 'ok') === /^\d+$/.test(x.text) && (x.quality === 'ok' || x.text === '—'))).toBe(true);
  expect(episode.windows.length).toBeGreaterThanOrEqual(1);
  for (const w of episode.windows) if (w.rate !== null) expect(Math.abs(w.rate - truth)).toBeLessThanOrEqual(3);
  expect(episode.windows[0]!.quality).toBe('ok');
  expect(cost.estimator, 'the analysis runs off the main thread').toBe('worker');
  console.log(`cpr ${clip.name}: first reading at ${first!.s.toFixed(1)} s; sampling on the page ${cost.mean.toFixed(2)} ms/frame mean, ${cost.max} ms max`);
}

async function noReading(name: string): Promise<void> {
  const clip = CPR_CLIPS.find((x) => x.name === name)!;
  const { samples, episode, log } = await measure(clip, 11);
  const ok = samples.filter((x) => x.quality === 'ok').length;
  expect(ok / samples.length, JSON.stringify(samples)).toBeLessThanOrEqual(0.05);
  expect(episode.windows.length).toBeGreaterThanOrEqual(1);
  expect(episode.windows.every((w) => w.rate === null && w.quality === 'none')).toBe(true);
  expect(episode.pauses).toEqual([]);
  expect(log.filter((e) => e.type.startsWith('cpr_')).map((e) => e.type)).toEqual(['cpr_started', ...episode.windows.map(() => 'cpr_window'), 'cpr_ended']);
}

const rates = (samples: Sample[]) => samples.filter((x) => x.quality === 'ok').map((x) => Number(x.text));

describe('the CPR coach on synthetic video, caller → SFU → console', () => {
  it('shows CPR mode, the target and the coaching-aid statement on the card', async () => {
    const phone = await launchDevice({ mobile: true, fakeVideoFile: files.get('still')! });
    try {
      const { c, sessionId } = await liveSession(desk.page, phone.page, server.url);
      const text = await desk.page.$eval(`${c.scope} .cpr-panel`, (el) => (el as HTMLElement).innerText);
      expect(text).toContain('Coaching aid, not a medical device measurement');
      await desk.page.click(c.sel('cpr-mode-button'));
      await waitFor('target shown', async () => (await desk.page.$eval(`${c.scope} .cpr-panel`, (el) => (el as HTMLElement).innerText)).includes('100–120'));
      expect(await desk.page.$eval(c.sel('cpr-rate'), (el) => el.getAttribute('data-quality'))).toBe('none');
      expect(await desk.page.$(`${c.scope} .cpr-panel ${c.sel('metronome-button').split(' ').pop()}`), 'the metronome beside CPR mode').not.toBeNull();
      // Ending the session ends the episode (the log's `ended`), and the card stops measuring.
      await c.end();
      await waitFor('measuring stopped', async () => (await desk.page.$eval(c.sel('cpr-mode-button'), (b) => b.getAttribute('aria-pressed'))) === 'false');
      const episode = cprEpisodes(await events(sessionId))[0]!;
      expect(episode.endedAt).toBeDefined();
    } finally {
      await phone.close();
    }
  });

  it('reads 100 /min within ±3 within 10 s, and logs the windows', () => readsRate(100));
  it('reads 110 /min within ±3 within 10 s, and logs the windows', () => readsRate(110));
  it('reads 120 /min within ±3 within 10 s, and logs the windows', () => readsRate(120));

  it('flags the 3 s pause with its length within ±0.5 s', async () => {
    const clip = CPR_CLIPS.find((x) => x.name === 'block-110-pause')!;
    const { episode, log } = await measure(clip, 10, (l) => l.some((e) => e.type === 'cpr_pause'));
    expect(episode.pauses.length, JSON.stringify(log.filter((e) => e.type.startsWith('cpr_')))).toBeGreaterThanOrEqual(1);
    for (const p of episode.pauses) expect(Math.abs(p.seconds - 3)).toBeLessThanOrEqual(0.5);
    // The pause may straddle two windows: their hands-off time adds up to it.
    expect(episode.windows.reduce((sum, w) => sum + w.handsOffSeconds, 0)).toBeGreaterThanOrEqual(2.5);
  });

  it('gives no reading for noise in ≥ 95 % of readings and windows', () => noReading('noise'));
  it('gives no reading for still in ≥ 95 % of readings and windows', () => noReading('still'));
});
