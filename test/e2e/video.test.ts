import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesDecoded, launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo, cardScope, dispatcherCreatesSession, endSessionFromConsole, sel, statusOf } from '../support/flow.js';
import { startServer, type TestServer } from '../support/server.js';
import { callerStatus } from '../support/session.js';

/**
 * The walking skeleton end to end: a dispatcher in one Chromium, a caller with a fake camera in
 * another, a real mediasoup worker between them.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;

const cspViolations: string[] = [];
/** The CSP each page was actually served with (URL → header): no header would mean no violations to see. */
const pagePolicies = new Map<string, string | undefined>();

beforeAll(async () => {
  server = await startServer();
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  // The pages must live with the strict CSP they are served with: any refusal is a failure.
  for (const d of [dispatcher, caller]) {
    // Chromium prints a refusal only when the page does not catch it: a caught `new Function` under
    // the policy still counts (and is reported), so the pages' own violation events are read too.
    await d.page.evaluateOnNewDocument(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.log(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`),
      ),
    );
    d.page.on('console', (m) => /Content Security Policy/i.test(m.text()) && cspViolations.push(m.text()));
    d.page.on('response', (r) => {
      if (r.request().resourceType() === 'document' && r.url().startsWith('http'))
        pagePolicies.set(new URL(r.url()).pathname, r.headers()['content-security-policy']);
    });
  }
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

describe('caller video reaches the dispatcher console', () => {
  it('streams the caller camera into the console remote-video', async () => {
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-42' });
    expect(inviteUrl).toMatch(new RegExp(`^${server.url.replace('127.0.0.1', 'localhost')}/j/[A-Za-z0-9_-]{22}$|^http://localhost:\\d+/j/[A-Za-z0-9_-]{22}$`));
    // The console SMS provider printed the same link.
    expect(server.output()).toContain(inviteUrl);
    await waitFor('sms_sent', async () => (await statusOf(dispatcher.page, sessionId)) === 'sms_sent');

    // PUBLIC_URL defaults to localhost; the caller opens the same link.
    await callerStartsVideo(caller.page, inviteUrl);
    await waitFor('caller live', async () => (await callerStatus(caller.page)) === 'live', 20_000);
    await waitFor('console live', async () => (await statusOf(dispatcher.page, sessionId)) === 'live', 20_000);

    const first = await waitFor('decoded frames', async () => {
      const n = await framesDecoded(dispatcher.page);
      return n > 0 ? n : undefined;
    });
    // And it keeps coming (waited for, not timed: a busy machine is slow, not wrong).
    await waitFor('frames keep coming', async () => (await framesDecoded(dispatcher.page)) > first + 10, 15_000, 200);

    const timeline = await dispatcher.page.$$eval(`${sel('session-card')}[data-session-id="${sessionId}"] .timeline li`, (els) =>
      els.map((e) => e.getAttribute('data-type')),
    );
    expect(timeline.slice(0, 6)).toEqual(['created', 'sms_sent', 'link_opened', 'consent_given', 'camera_granted', 'live']);
    await waitFor('media_started logged', async () =>
      (
        await dispatcher.page.$$eval(`${sel('session-card')}[data-session-id="${sessionId}"] .timeline li`, (els) =>
          els.map((e) => e.getAttribute('data-type')),
        )
      ).includes('media_started'),
    );
  });

  it('ends the session from the console and tells the caller', async () => {
    const card = await dispatcher.page.$(sel('session-card'));
    const sessionId = await card!.evaluate((el) => el.getAttribute('data-session-id')!);
    await endSessionFromConsole(dispatcher.page, cardScope(sessionId));
    await waitFor('console ended', async () => (await statusOf(dispatcher.page, sessionId)) === 'ended');
    await waitFor('caller ended', async () => (await callerStatus(caller.page)) === 'ended');
  });

  it('ran both pages under the strict CSP without a single violation', () => {
    // Both pages were served, each with the strict policy (no inline script, no eval)...
    expect([...pagePolicies.keys()].sort()).toEqual(['/console', expect.stringMatching(/^\/j\/[A-Za-z0-9_-]{22}$/)].sort());
    for (const [page, csp] of pagePolicies) {
      expect(csp, page).toMatch(/(^|;)\s*script-src 'self'(;|$)/);
      expect(csp, page).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    // ...and ran under it without a single refusal.
    expect(cspViolations).toEqual([]);
  });
});
