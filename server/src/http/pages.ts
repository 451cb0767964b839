import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StaffLocale } from '@sightline/shared';
import express, { type Router } from 'express';
import type { Logger } from '../logging.js';

/** What the staff pages need before anyone logs in: LOCALE and the centre's time zone (issue #16 §4). */
export interface StaffPageDefaults {
  locale: StaffLocale;
  timeZone: string;
}

/**
 * Serves the built client: `/console` (dispatcher), `/audit` (supervisor), `/j/<code>` (caller or
 * viewer) and the hashed assets. The invite page is a static file: GET neither records an opening nor redeems.
 */
export function pagesRouter(clientDist: string, log: Logger, staff: StaffPageDefaults = { locale: 'en', timeZone: 'UTC' }): Router {
  const router = express.Router();
  if (!existsSync(path.join(clientDist, 'console.html'))) {
    log.warn({ clientDist }, 'client is not built; pages will 503 (run npm run build)');
  }
  const page = (name: string, extraHeaders: Record<string, string> = {}) =>
    ((_req, res) => {
      res.set({ 'Cache-Control': 'no-store', ...extraHeaders });
      res.sendFile(path.join(clientDist, name), (err) => {
        if (err && !res.headersSent) res.status(503).type('text/plain').send('client not built');
      });
    }) satisfies express.RequestHandler;
  // The staff pages carry the deployment's language and time zone in their <html> element, so the
  // login form is already in LOCALE's language (no English flash) and times need no second request.
  const staffPage = (name: string) =>
    (async (_req, res) => {
      res.set({ 'Cache-Control': 'no-store' });
      try {
        const html = await readFile(path.join(clientDist, name), 'utf8');
        res.type('html').send(withStaffDefaults(html, staff));
      } catch {
        res.status(503).type('text/plain').send('client not built');
      }
    }) satisfies express.RequestHandler;

  router.get('/', (_req, res) => res.redirect('/console'));
  router.get('/console', staffPage('console.html'));
  router.get('/audit', staffPage('audit.html'));
  // Serving the page records nothing: previewers and scanners fetch links too (HEAD, or GET without
  // running a script). The page's own script reports the opening (POST /api/invites/:code/opened).
  router.get('/j/:code', page('caller.html', { 'Referrer-Policy': 'no-referrer' }));
  // Spoken-code entry: the same caller page, asking for the code instead of carrying it in the link.
  router.get('/c', page('caller.html', { 'Referrer-Policy': 'no-referrer' }));
  router.use('/assets', express.static(path.join(clientDist, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  return router;
}

/**
 * The shell's `<html lang="en">` becomes `<html lang="nb" data-default-locale="nb" data-time-zone="Europe/Oslo">`.
 * Both values come from the validated configuration (an enum and a zone name Intl accepts); they
 * are escaped all the same.
 */
export function withStaffDefaults(html: string, staff: StaffPageDefaults): string {
  const attr = (v: string) => v.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return html.replace(
    /<html lang="[^"]*"/,
    `<html lang="${attr(staff.locale)}" data-default-locale="${attr(staff.locale)}" data-time-zone="${attr(staff.timeZone)}"`,
  );
}
