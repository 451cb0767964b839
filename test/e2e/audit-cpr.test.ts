import type { Socket } from 'socket.io-client';
import { TestSockets } from '../support/sockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogin, openAuditSession } from '../support/audit.js';
import { axeSerious } from '../support/axe.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The CPR chart in /audit (issue #15 §2) at 1280×720: a session whose dispatcher ran two CPR
 * episodes (windows with and without a reading, two pauses, the metronome on and off), reported
 * over the real socket gate as the console does, shows `cpr-chart` beside its timeline with one
 * point per reading, a gap (not a zero) per window without one, one band per pause, the metronome's
 * span, the text summary and the caption. A session without CPR shows no chart.
 */
let server: TestServer;
let token: string;
let desk: Device;
const sockets = new TestSockets();

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
  desk = await launchDevice();
  await desk.page.setViewport({ width: 1280, height: 720 });
});

afterAll(async () => {
  sockets.closeAll();
  await desk?.close();
  await server?.stop();
});

const connect = (authToken: string): Promise<Socket> => sockets.connect(server.url, authToken);

/** A session with this incident ref, joined by a dispatcher socket; ended by `end()`. */
async function session(incidentRef: string): Promise<{ id: string; send: (name: string, body: object) => Promise<void>; end: () => Promise<void> }> {
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef } });
  const id = created.body.id as string;
  const socket = await connect(token);
  expect((await socket.emitWithAck('session:join', { sessionId: id })).ok).toBe(true);
  return {
    id,
    send: async (name, body) => {
      const answer = await socket.emitWithAck(name, { sessionId: id, ...body });
      expect(answer.ok, `${name} ${JSON.stringify(body)}: ${JSON.stringify(answer)}`).toBe(true);
    },
    end: async () => void expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token })).status).toBe(200),
  };
}

// Windows of 2 s (the server's slack): the test logs them back to back, where a console reports 10 s windows 10 s apart.
const ok = (rate: number) => ({ rate, quality: 'ok', seconds: 2, handsOffSeconds: 0 });
const none = { rate: null, quality: 'none', seconds: 2, handsOffSeconds: 1.5 };

type Series = { name: string; data: unknown[] }[];

describe('the CPR chart in /audit at 1280×720', () => {
  it('draws the rate with gaps for no reading, the pauses and the metronome, with a text summary and the caption', async () => {
    const s = await session('INC-CPR-CHART');
    await s.send('cpr:mode', { on: true });
    await s.send('cpr:metronome', { on: true });
    await s.send('cpr:window', ok(104));
    await s.send('cpr:pause', { seconds: 3.2 });
    await s.send('cpr:window', none);
    await s.send('cpr:window', ok(112));
    await s.send('cpr:window', ok(126));
    await s.send('cpr:metronome', { on: false });
    await s.send('cpr:mode', { on: false });
    await s.send('cpr:mode', { on: true });
    await s.send('cpr:window', ok(110));
    await s.send('cpr:pause', { seconds: 2.5 });
    await s.send('cpr:window', none);
    await s.end();
    const plain = await session('INC-CPR-NONE');
    await plain.end();

    const page = desk.page;
    await auditLogin(page, server.url);
    await page.type(sel('search-incident'), 'INC-CPR');
    await page.click(sel('search-submit'));
    expect(await openAuditSession(page, s.id)).toBe('intact');
    const chart = await waitFor('the CPR chart drawn', () =>
      page.$eval(sel('cpr-chart'), (el) => {
        const box = el.getBoundingClientRect();
        const series = (el as unknown as { seriesData?: () => Series }).seriesData?.();
        return series && el.querySelector('svg') ? { width: box.width, height: box.height, series } : undefined;
      }),
    );
    expect(chart.width).toBeGreaterThan(600);
    expect(chart.height).toBeGreaterThan(150);
    const byName = Object.fromEntries(chart.series.map((x) => [x.name, x.data]));
    const rates = (byName['Rate'] as [number, number | null][]).map(([, r]) => r);
    // One point per reading, a gap per window without one and at each episode's end; never a zero.
    expect(rates.filter((r) => r !== null)).toEqual([104, 112, 126, 110]);
    expect(rates).toEqual([104, null, 112, 126, null, 110, null, null]);
    expect((byName['Pause'] as number[][]).map((p) => p[2])).toEqual([3.2, 2.5]);
    expect(byName['Metronome']).toHaveLength(1);
    expect(byName['CPR mode']).toHaveLength(2);
    expect(await page.$eval(sel('cpr-summary'), (el) => el.textContent)).toMatch(
      /^2 CPR episodes, \d:\d\d in all · median rate 111\/min · 3 of 4 readings in target \(100–120\/min\) · 2 windows with no reading · 2 pauses, 5\.7 s in all$/,
    );
    expect(await page.$eval('.cpr', (el) => el.textContent)).toContain('Coaching aid, not a medical device measurement');
    // Beside the timeline: the swimlane chart is on the same view, above it.
    expect(await page.$(sel('session-timeline-chart'))).not.toBeNull();
    expect(await axeSerious(page)).toEqual([]);

    // A session without CPR has no CPR chart.
    expect(await openAuditSession(page, plain.id)).toBe('intact');
    await page.waitForSelector(sel('session-timeline-chart'));
    expect(await page.$(sel('cpr-chart'))).toBeNull();
  });
});
