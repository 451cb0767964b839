import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import type { Logger } from '../logging.js';

/**
 * Serves the built client: `/console` (dispatcher), `/j/<code>` (caller or viewer) and the hashed
 * assets. The invite page is a static file: GET neither records an opening nor redeems.
 */
export function pagesRouter(clientDist: string, log: Logger): Router {
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

  router.get('/', (_req, res) => res.redirect('/console'));
  router.get('/console', page('console.html'));
  router.get('/audit', page('audit.html'));
  // Serving the page records nothing: previewers and scanners fetch links too (HEAD, or GET without
  // running a script). The page's own script reports the opening (POST /api/invites/:code/opened).
  router.get('/j/:code', page('caller.html', { 'Referrer-Policy': 'no-referrer' }));
  // Spoken-code entry: the same caller page, asking for the code instead of carrying it in the link.
  router.get('/c', page('caller.html', { 'Referrer-Policy': 'no-referrer' }));
  router.use('/assets', express.static(path.join(clientDist, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  return router;
}
