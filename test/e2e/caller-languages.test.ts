import type { HTTPRequest } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ar } from '../../client/src/caller/i18n/ar.js';
import { da } from '../../client/src/caller/i18n/da.js';
import { en } from '../../client/src/caller/i18n/en.js';
import { fi } from '../../client/src/caller/i18n/fi.js';
import { nb } from '../../client/src/caller/i18n/nb.js';
import { nn } from '../../client/src/caller/i18n/nn.js';
import { pl } from '../../client/src/caller/i18n/pl.js';
import { so } from '../../client/src/caller/i18n/so.js';
import { sv } from '../../client/src/caller/i18n/sv.js';
import type { CallerText } from '../../client/src/caller/i18n/types.js';
import { uk } from '../../client/src/caller/i18n/uk.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';

/**
 * README "Caller page": consent switchable between nb, nn, sv, da, fi, en, ar (right-to-left),
 * pl, so and uk, stating the recording policy; "languages other than bokmål load as small chunks
 * when chosen". Every language is chosen in turn on one page, before the tap: its consent, policy
 * and button texts appear, the direction follows, and its script is fetched then and only then.
 */
const TEXTS: Record<string, CallerText> = { nb, nn, sv, da, fi, en, ar, pl, so, uk };
let server: TestServer;
let caller: Device;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  caller = await launchDevice({ mobile: true });
});

afterAll(async () => {
  await caller?.close();
  await server?.stop();
});

describe('the caller page languages', () => {
  it('switches consent, recording policy and button to each of the ten languages, fetching each one only when chosen', async () => {
    const token = await login(server);
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-LANG' } });
    expect(created.status).toBe(201);
    const scripts: string[] = [];
    caller.page.on('request', (r: HTTPRequest) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
    await caller.page.goto(created.body.inviteUrl);
    await waitFor('bokmål consent', () => caller.page.$eval(sel('consent-text'), (el, want) => el.textContent === want, nb.consent));
    const atLoad = [...scripts];

    const options = await caller.page.$$eval(`${sel('language-select')} option`, (els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options.sort()).toEqual(Object.keys(TEXTS).sort());
    // The page starts in the browser's own language until the invite says the session's (nb here).
    const browserLang = await caller.page.evaluate(() => navigator.language.slice(0, 2));
    for (const lang of Object.keys(TEXTS).filter((l) => l !== 'nb' && l !== browserLang)) {
      expect(
        atLoad.some((p) => new RegExp(`/assets/${lang}-[\\w-]+\\.js$`).test(p)),
        `${lang} fetched before it was chosen`,
      ).toBe(false);
    }

    for (const [lang, text] of Object.entries(TEXTS)) {
      const before = scripts.length;
      await caller.page.select(sel('language-select'), lang);
      await waitFor(`${lang} consent`, () => caller.page.$eval(sel('consent-text'), (el, want) => el.textContent === want, text.consent));
      expect(await caller.page.$eval(sel('recording-notice'), (el) => el.textContent)).toBe(text.recording['on-demand']);
      expect(await caller.page.$eval(sel('start-video'), (el) => el.textContent)).toBe(text.start);
      expect(await caller.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([lang, lang === 'ar' ? 'rtl' : 'ltr']);
      const fetched = scripts.slice(before);
      if (lang === 'nb' || lang === browserLang) expect(fetched, `${lang} was there already`).toEqual([]);
      else
        expect(
          fetched.filter((p) => new RegExp(`/assets/${lang}-[\\w-]+\\.js$`).test(p)),
          `${lang} fetched once, when chosen`,
        ).toHaveLength(1);
    }
  });
});
