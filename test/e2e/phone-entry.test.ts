import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { openConsole, sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { card } from '../support/session.js';

/**
 * Issue #14, section 4 "Phone entry": the console takes a number as the caller reads it out
 * ("912 34 567", "0047 91234567"), with DEFAULT_COUNTRY (NO, the embedded default) for numbers
 * without a country code; refuses a number libphonenumber's mobile data refuses, saying which rule
 * it broke, before anything is sent; stores E.164; and reads the number back large once the SMS is
 * out. The console at 1280×720.
 */
let server: TestServer;
let dispatcher: Device;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
  dispatcher = await launchDevice();
  await dispatcher.page.setViewport({ width: 1280, height: 720 });
  await openConsole(dispatcher.page, server.url);
});

afterAll(async () => {
  await dispatcher?.close();
  await server?.stop();
});

const page = () => dispatcher.page;
const hint = () => page().$eval(sel('phone-hint'), (el) => ({ text: el.textContent ?? '', state: el.getAttribute('data-state') ?? '' }));
const sessionCount = async () => (await http('GET', `${server.url}/api/sessions`, { token })).body.sessions.length as number;

async function typePhone(text: string): Promise<void> {
  await page().$eval(sel('new-session-phone'), (el) => ((el as HTMLInputElement).value = ''));
  await page().type(sel('new-session-phone'), text);
}

/** Submits the form and waits for the card of the new session; returns its id. */
async function submitAndWaitForCard(): Promise<string> {
  const before = await page().$$eval(sel('session-card'), (els) => els.map((e) => e.getAttribute('data-session-id')));
  await page().click(sel('new-session-submit'));
  return waitFor('a new session card', () =>
    page().$$eval(
      sel('session-card'),
      (els, known) => els.map((e) => e.getAttribute('data-session-id')).find((id) => id && !known.includes(id)) ?? undefined,
      before,
    ),
  );
}

describe('phone entry on the console (1280×720)', () => {
  it('takes "912 34 567" as a Norwegian mobile, shows what it will send while typing, and reads it back after sending', async () => {
    await typePhone('912 34 567');
    expect(await hint()).toEqual({ text: '→ +47 912 34 567 · Norway', state: 'ok' });
    const id = await submitAndWaitForCard();
    const c = card(page(), id);
    await waitFor('the read-back', async () => (await c.text('sms-readback')) === 'SMS sent to +47 912 34 567');
    const fontPx = await page().$eval(c.sel('sms-readback'), (el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontPx, 'a large read-back').toBeGreaterThanOrEqual(22);
    expect((await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.phone).toBe('+4791234567');
    // The field is ready for the next caller.
    expect(await page().$eval(sel('new-session-phone'), (el) => (el as HTMLInputElement).value)).toBe('');
  });

  it("keeps the card's buttons where they first appeared while its details load (the read-back does not push them down)", async () => {
    // Where "Spoken code" sat in the card the moment the card was put on the page, before its details came.
    await page().evaluate(
      (card, button) => {
        const w = window as unknown as { firstTop?: number };
        delete w.firstTop;
        const seen = new MutationObserver(() => {
          const el = document.querySelector(`${card}:not([data-attached]) ${button}`);
          if (!el || w.firstTop !== undefined) return;
          w.firstTop = el.getBoundingClientRect().top - el.closest(card)!.getBoundingClientRect().top;
          seen.disconnect();
        });
        seen.observe(document.body, { childList: true, subtree: true });
      },
      sel('session-card'),
      sel('spoken-code-button'),
    );
    await typePhone('912 34 567');
    const id = await submitAndWaitForCard();
    const c = card(page(), id);
    await page().waitForSelector(`${c.scope}[data-attached="true"]`);
    await waitFor('the read-back', async () => (await c.text('sms-readback')).includes('+47 912 34 567'));
    const first = await page().evaluate(() => (window as unknown as { firstTop?: number }).firstTop);
    const now = await page().$eval(
      c.sel('spoken-code-button'),
      (el, scope) => el.getBoundingClientRect().top - el.closest(scope)!.getBoundingClientRect().top,
      c.scope,
    );
    expect(first, 'seen before the details loaded').toBeTypeOf('number');
    expect(now).toBeCloseTo(first!, 0);
  });

  it('takes "91234567" and "0047 91234567" as the same number, stored as E.164', async () => {
    for (const typed of ['91234567', '0047 91234567']) {
      await typePhone(typed);
      expect((await hint()).state, typed).toBe('ok');
      const id = await submitAndWaitForCard();
      expect((await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.phone, typed).toBe('+4791234567');
    }
  });

  it('refuses "+47912345" (a digit short) before sending, and says which rule it broke', async () => {
    const before = await sessionCount();
    await typePhone('+47912345');
    // While typing, a hint, not yet an error.
    expect(await hint()).toMatchObject({ state: 'typing' });
    await page().click(sel('new-session-submit'));
    await waitFor('the refusal', async () => (await page().$eval('#new-session-error', (el) => el.textContent ?? '')).length > 0);
    expect(await page().$eval('#new-session-error', (el) => el.textContent)).toBe(
      'Phone: too short: mobile numbers with +47 have 8 digits after it, this has 6',
    );
    expect(await hint()).toMatchObject({ state: 'error' });
    expect(await page().$eval(sel('new-session-phone'), (el) => el.getAttribute('aria-invalid'))).toBe('true');
    expect(await sessionCount(), 'nothing was sent').toBe(before);
  });

  it('names the other rules in the hint: a landline, letters', async () => {
    await typePhone('22 22 55 55');
    await page().click(sel('new-session-incident'));
    expect(await hint()).toEqual({ text: '+47 22 22 55 55 is not a mobile number in Norway: the link goes by SMS', state: 'error' });
    await typePhone('912 34 56x');
    expect((await hint()).text).toBe('a phone number has only digits, spaces and a leading +');
  });

  it('the REST gate refuses the same numbers for the same reasons (one check in shared/)', async () => {
    const short = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+47912345' } });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toContain('phone: too short: mobile numbers with +47 have 8 digits after it, this has 6');
    const landline = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4722225555' } });
    expect(landline.status).toBe(400);
    expect(landline.body.error.message).toContain('is not a mobile number in Norway');
    const spaced = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '0047 912 34 567' } });
    expect(spaced.status).toBe(201);
    expect((await http('GET', `${server.url}/api/sessions/${spaced.body.id}`, { token })).body.phone).toBe('+4791234567');
    expect((await http('GET', `${server.url}/api/settings`, { token })).body).toEqual({ defaultCountry: 'NO', locale: 'en', timeZone: expect.any(String) });
  });
});
