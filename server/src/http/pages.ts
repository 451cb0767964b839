import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { inviteCodeParam } from '@sightline/shared';
import type { Logger } from '../logging.js';
import type { SessionService } from '../sessions/SessionService.js';

/**
 * Serves the built client: `/console` (dispatcher), `/j/<code>` (caller or viewer) and the hashed
 * assets. The invite page is a static file: GET records the opening and never redeems.
 */
export function pagesRouter(clientDist: string, sessions: SessionService, log: Logger): Router {
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
  router.get('/j/:code', (req, res) => {
    const parsed = inviteCodeParam.safeParse(req.params);
    if (parsed.success) {
      sessions.noteInviteOpened(parsed.data.code).catch((err: Error) => log.warn({ err: err.message }, 'could not note opening'));
    }
    page('caller.html', { 'Referrer-Policy': 'no-referrer' })(req, res);
  });
  // Spoken-code entry: the same caller page, asking for the code instead of carrying it in the link.
  router.get('/c', page('caller.html', { 'Referrer-Policy': 'no-referrer' }));
  router.use('/assets', express.static(path.join(clientDist, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  return router;
}
