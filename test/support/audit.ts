import type { Page } from 'puppeteer-core';
import { waitFor } from './browser.js';
import { sel } from './flow.js';
import { DEMO_PASSWORD } from './server.js';

/** Logs a supervisor into /audit and waits for the workspace (the search form). */
export async function auditLogin(page: Page, baseUrl: string, username = 'supervisor', password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/audit`);
  await page.waitForSelector(sel('login-username'), { visible: true });
  await page.type(sel('login-username'), username);
  await page.type(sel('login-password'), password);
  await page.click(sel('login-submit'));
  await page.waitForSelector(sel('search-submit'), { visible: true });
}

/**
 * Opens one session from the result list (clicking whichever row is there now: the list re-renders
 * when a search answers) after clearing the detail pane, so what is read next is this view's own.
 * Resolves with the log integrity badge's text once the view has rendered.
 */
export async function openAuditSession(page: Page, sessionId: string): Promise<string> {
  await page.$eval('#detail', (el) => el.replaceChildren());
  await waitFor(`row ${sessionId} opened`, () =>
    page.$eval(`${sel('session-row')}[data-session-id="${sessionId}"]`, (el) => {
      (el as HTMLElement).click();
      return true;
    }),
  );
  return waitFor('log integrity shown', () => page.$eval(sel('log-integrity'), (el) => el.textContent ?? '').catch(() => undefined));
}
