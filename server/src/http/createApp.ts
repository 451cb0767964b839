import compression from 'compression';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { TokenService } from '../auth/TokenService.js';
import type { SupervisorTrail } from '../audit/supervisorTrail.js';
import type { Logger } from '../logging.js';
import { errorHandler, notFound } from './errorHandler.js';
import { pagesRouter, type StaffPageDefaults } from './pages.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import { mountRoutes, type RouteSpec, type StaffCheck } from './route.js';

export interface AppParts {
  tokens: TokenService;
  routes: RouteSpec[];
  /** Where a supervisor's request to any session route is logged (mountRoutes). */
  trail?: SupervisorTrail;
  /** Every staff request's login is checked here after its token (revocation, shift end). */
  checkStaff?: StaffCheck;
  /** Every 429 answered, from any route, is recorded here (`rate_limited`). */
  security?: SecurityEvents;
  clientDist: string;
  /** LOCALE and the centre's time zone, written into the staff pages' shells. */
  staffPages?: StaffPageDefaults;
  health: () => boolean;
  /** GET /metrics (Prometheus text, loopback only). */
  metrics?: express.RequestHandler;
  /** Served over TLS by this process: then browsers are told to stay on HTTPS (HSTS). */
  tls?: boolean;
  /** Routers with their own body parsing (e.g. form-encoded provider webhooks), mounted before the JSON API. */
  webhooks?: express.Router[];
  /** Which proxies' X-Forwarded-For to believe (per-IP rate limits need the client's address). */
  trustProxy?: string[];
  log: Logger;
}

/** The express app: security headers, a small JSON body limit, the gated API routes and the pages. */
export function createApp({
  tokens,
  routes,
  trail,
  checkStaff,
  security,
  clientDist,
  staffPages,
  health,
  metrics,
  tls = false,
  webhooks = [],
  trustProxy = ['loopback'],
  log,
}: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'blob:'],
          'connect-src': ["'self'"],
          'frame-ancestors': ["'none'"],
          'upgrade-insecure-requests': null,
        },
      },
      strictTransportSecurity: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  // Every byte counts on the caller's mobile link: the page and its scripts go out compressed.
  app.use(compression());
  app.get('/healthz', (_req, res) => {
    if (health()) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable' });
  });
  for (const router of webhooks) app.use(router);
  if (metrics) app.get('/metrics', metrics);
  app.use('/api', express.json({ limit: '16kb' }));
  const api = express.Router();
  mountRoutes(api, tokens, routes, { trail, checkStaff });
  app.use(api);
  app.use('/api', notFound);
  app.use(pagesRouter(clientDist, log, staffPages));
  app.use(notFound);
  app.use(errorHandler(log, security));
  return app;
}
