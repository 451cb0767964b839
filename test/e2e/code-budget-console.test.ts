import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { dispatcherCreatesSession, sel, typeSpokenCode } from '../support/flow.js';
import { startServer, type TestServer } from '../support/server.js';

/**
 * A real caller still gets in while someone guesses spoken codes from unlimited addresses (issue
 * #11, item 1): the guesses spend the deployment's failure budget, the live code is replaced, the
 * dispatcher's console shows the new code and says to read it out, and the caller, typing the old
 * code first at `/c`, is refused and then gets in with the new one. Real console, real caller page,
 * each in its own browser.
 */
const BUDGET = 19; // LIMITS.codeFailureBudget
let server: TestServer;
let desk: Device;
let phone: Device;

beforeAll(async () => {
  server = await startServer();
  desk = await launchDevice();
  phone = await launchDevice({ mobile: true });
});

afterAll(async () => {
  await phone?.close();
  await desk?.close();
  await server?.stop();
});

async function guess(from: string, code: string): Promise<number> {
  const res = await fetch(`${server.url}/api/codes/redeem`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ code }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('spoken code replaced under a guessing attack', () => {
  it('shows the console the new code, refuses the old one at /c and lets the caller in with the new one', async () => {
    const { sessionId } = await dispatcherCreatesSession(desk.page, server.url, { incident: 'INC-BUDGET' });
    const card = `${sel('session-card')}[data-session-id="${sessionId}"]`;
    await desk.page.click(`${card} ${sel('spoken-code-button')}`);
    const codeText = () => desk.page.$eval(`${card} ${sel('spoken-code')}`, (el) => el.textContent?.trim() ?? '');
    const oldCode = await waitFor('the spoken code', async () => /^\d{6}$/.test(await codeText()) && codeText());
    expect(await desk.page.$eval(`${card} ${sel('spoken-code-replaced')}`, (el) => (el as HTMLElement).hidden)).toBe(true);

    // The attack: one wrong code from each of many /64s, until the budget is spent.
    const statuses: number[] = [];
    for (let i = 0; i <= BUDGET; i++) {
      const wrong = String((Number(oldCode) + 1 + i) % 1_000_000).padStart(6, '0');
      statuses.push(await guess(`2001:db8:77:${i.toString(16)}::1`, wrong));
    }
    expect(statuses.filter((s) => s === 404)).toHaveLength(BUDGET);

    const newCode = await waitFor(
      'the console to show a new code',
      async () => {
        const now = await codeText();
        return now !== oldCode && /^\d{6}$/.test(now) && now;
      },
      10_000,
    );
    const alert = await desk.page.$eval(`${card} ${sel('spoken-code-replaced')}`, (el) => ({ hidden: (el as HTMLElement).hidden, text: el.textContent ?? '' }));
    expect(alert.hidden).toBe(false);
    expect(alert.text).toContain(newCode);
    expect(alert.text).toMatch(/read out the new one/);

    // The caller has the old code: refused as wrong; the dispatcher reads out the new one.
    await phone.page.goto(`${server.url}/c`);
    await phone.page.waitForSelector(`${sel('code-submit')}:not([disabled])`);
    await typeSpokenCode(phone.page, oldCode);
    const state = () => phone.page.$eval(sel('caller-status'), (el) => el.getAttribute('data-state') ?? '');
    await waitFor('the old code refused', async () => (await state()) === 'error', 10_000);
    await typeSpokenCode(phone.page, newCode);
    await waitFor('the caller live with the new code', async () => (await state()) === 'live', 30_000);
    await waitFor(
      'the console to see the caller live',
      async () => {
        const status = await desk.page.$eval(`${card} ${sel('session-status')}`, (el) => el.textContent ?? '');
        return status.includes('live');
      },
      30_000,
    );
  });
});
