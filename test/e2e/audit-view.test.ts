import type { Ack, SessionEvent } from '@sightline/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { auditLogin, openAuditSession } from '../support/audit.js';
import { sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The supervisor's view of one session (issue #14, part 5), in a real Chromium: an integrity badge
 * that never cries wolf, a search that finds a reference as typed and lists sessions at once after a
 * reload, time presets, and supervisor looks kept out of the dispatcher's live timeline.
 */
let server: TestServer;
let supervisor: Device;
let ended: string;

beforeAll(async () => {
  server = await startServer();
  const token = await login(server, 'dispatcher');
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-View-7' } });
  expect(created.status).toBe(201);
  ended = created.body.id;
  expect((await http('POST', `${server.url}/api/sessions/${ended}/end`, { token })).status).toBe(200);
  supervisor = await launchDevice();
  await supervisor.page.setViewport({ width: 1280, height: 720 });
  await auditLogin(supervisor.page, server.url);
});

afterAll(async () => {
  await supervisor?.close();
  await server?.stop();
});

describe('the integrity badge', () => {
  it('opening an ended session 20 times never shows "broken" (each view appends its own look while it verifies)', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) seen.push(await openAuditSession(supervisor.page, ended));
    expect(seen.filter((s) => s !== 'intact')).toEqual([]);
    const token = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${ended}/verify`, { token })).body).toMatchObject({ intact: true });
  });
});

const rowIds = (page: Device['page']) => page.$$eval(sel('session-row'), (els) => els.map((e) => e.getAttribute('data-session-id')));

describe('search', () => {
  it('finds an incident reference by any part of it, in any case', async () => {
    const page = supervisor.page;
    for (const typed of ['view-7', 'INC-VIEW', 'inc-view-7']) {
      await page.$eval('form#search', (f) => (f as HTMLFormElement).reset());
      await page.type(sel('search-incident'), typed);
      await page.click(sel('search-submit'));
      await waitFor(`"${typed}" finds the session`, async () => JSON.stringify(await rowIds(page)) === JSON.stringify([ended]));
    }
  });

  it('lists the sessions at once after a reload, without pressing Search', async () => {
    const page = supervisor.page;
    await page.reload();
    await page.waitForSelector(sel('search-submit'), { visible: true });
    await waitFor('rows after the reload', async () => (await rowIds(page)).includes(ended), 10_000);
  });

  it('fills the time window from a preset and searches: the last hour holds the session, "This shift" and "All" too', async () => {
    const page = supervisor.page;
    for (const preset of ['hour', 'shift', '24h', '7d', 'all']) {
      await page.$eval('#results', (el) => el.replaceChildren());
      await page.click(`[data-preset="${preset}"]`);
      await waitFor(`preset ${preset} lists the session`, async () => (await rowIds(page)).includes(ended));
      expect(await page.$eval(`[data-preset="${preset}"]`, (b) => b.getAttribute('aria-pressed'))).toBe('true');
    }
    await page.click('[data-preset="hour"]');
    const from = await page.$eval(sel('search-from'), (el) => (el as HTMLInputElement).value);
    expect(Math.abs(new Date(from).getTime() - (Date.now() - 3_600_000))).toBeLessThan(120_000);
  });
});

describe("the dispatcher's live timeline", () => {
  it('does not show a supervisor looking at the session, in pushes or in the join answer', async () => {
    const token = await login(server, 'dispatcher');
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-VIEW-LIVE' } });
    const id: string = created.body.id;
    const supervisorToken = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${id}`, { token: supervisorToken })).status).toBe(200);
    const socket: Socket = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      const pushed: SessionEvent[] = [];
      socket.on('session:event', ({ event }: { event: SessionEvent }) => pushed.push(event));
      const join = (await socket.timeout(10_000).emitWithAck('session:join', { sessionId: id })) as Ack<{ events: SessionEvent[] }>;
      expect(join.ok).toBe(true);
      if (!join.ok) return;
      expect(join.data.events.map((e) => e.type)).toContain('created');
      expect(join.data.events.map((e) => e.type)).not.toContain('supervisor_viewed');
      // A look now, then the dispatcher's own chat: the chat arrives, the look (logged before it) does not.
      expect((await http('GET', `${server.url}/api/sessions/${id}/verify`, { token: supervisorToken })).status).toBe(200);
      const chat = (await socket.timeout(10_000).emitWithAck('chat:send', { sessionId: id, text: 'Hello' })) as Ack<unknown>;
      expect(chat.ok).toBe(true);
      await waitFor('the chat pushed', async () => pushed.some((e) => e.type === 'chat'));
      expect(pushed.map((e) => e.type)).not.toContain('supervisor_viewed');
      const all = (await http('GET', `${server.url}/api/sessions/${id}`, { token: supervisorToken })).body.events as SessionEvent[];
      expect(all.filter((e) => e.type === 'supervisor_viewed').length).toBeGreaterThanOrEqual(2);
    } finally {
      socket.disconnect();
    }
  });
});
