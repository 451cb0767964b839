import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { dispatcherCreatesSession, sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #16 §2: a session created through the REST API (a CAD integration, another tab) appears on
 * its dispatcher's open console at once, without a reload, and does not take the focus from the
 * session the dispatcher is working on. Another dispatcher's console does not get it.
 */
let server: TestServer;
let desk: Device;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
  desk = await launchDevice();
  await desk.page.setViewport({ width: 1280, height: 720 });
});

afterAll(async () => {
  await desk?.close();
  await server?.stop();
});

const row = (id: string) => `${sel('session-rail')} ${sel('session-row')}[data-session-id="${id}"]`;
const focused = () => desk.page.$eval(`${sel('session-card')}[data-focused="true"]`, (el) => el.getAttribute('data-session-id'));

describe('a session made elsewhere', () => {
  it('shows on the open console at once, in the rail and as a card, and leaves the focus where it was', async () => {
    const { sessionId: mine } = await dispatcherCreatesSession(desk.page, server.url, { incident: 'INC-HERE' });
    expect(await focused()).toBe(mine);

    // Someone else's socket (the supervisor's) hears nothing of it.
    const other = io(server.url, { auth: { token: await login(server, 'supervisor') }, transports: ['websocket'], reconnection: false });
    const heard: unknown[] = [];
    other.on('session:created', (p) => heard.push(p));
    await new Promise<void>((r) => other.once('connect', () => r()));

    const started = Date.now();
    const made = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234568', incidentRef: 'CAD-API-1' } });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    await desk.page.waitForSelector(row(id), { timeout: 5_000 });
    await waitFor('its card with the incident reference', () =>
      desk.page.$eval(`${sel('session-card')}[data-session-id="${id}"]`, (el) => el.textContent?.includes('CAD-API-1')),
    );
    console.log(`a session made over REST was on the console ${Date.now() - started} ms after the request`);
    expect(await focused(), 'the focus stays on the session being worked').toBe(mine);
    expect(await desk.page.$$eval(`${sel('session-card')}[data-session-id="${id}"]`, (els) => els.length), 'one card').toBe(1);
    expect(heard).toEqual([]);
    other.disconnect();
  });

  it("lays the dispatcher's own new session out focused from its first frame, though the server's announcement comes before the create answer", async () => {
    // Every card the page inserts, with its focus at that moment and on each change after (from the
    // next page load on: the helper below opens the console afresh).
    await desk.page.evaluateOnNewDocument(() => {
      const w = window as unknown as { cardStates: Record<string, string[]> };
      w.cardStates = {};
      const note = (el: Element) => {
        const id = el.getAttribute('data-session-id');
        if (id) (w.cardStates[id] ??= []).push(el.getAttribute('data-focused') ?? 'unset');
      };
      const observer = new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'attributes') note(r.target as Element);
          for (const n of Array.from(r.addedNodes)) if (n instanceof Element && n.matches('[data-testid="session-card"]')) note(n);
        }
      });
      document.addEventListener('DOMContentLoaded', () =>
        observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-focused'] }),
      );
    });
    const { sessionId } = await dispatcherCreatesSession(desk.page, server.url, { incident: 'INC-OWN' });
    const states = await desk.page.evaluate((id) => (window as unknown as { cardStates: Record<string, string[]> }).cardStates[id] ?? [], sessionId);
    expect(states, 'recorded').toContain('true');
    expect(
      states.filter((s) => s !== 'true' && s !== 'unset'),
      'never compact, then moved',
    ).toEqual([]);
  });
});
