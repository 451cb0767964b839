import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '@sightline/shared';
import { AppError, RateLimitedError, reasonOf, toAppError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';

/**
 * Turns anything thrown into `{"error":{"code","message"}}` with a fitting status. Every 429, from
 * whichever route and limit, is recorded here once as `rate_limited` (reason: the limit's name;
 * path: the route's pattern, never the URL, which may hold an invite code).
 */
export function errorHandler(log: Logger, security?: SecurityEvents): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = fromBodyParser(err) ?? fromRouter(err) ?? toAppError(err);
    if (appError.status >= 500 || res.headersSent) log.error({ err, method: req.method, path: req.route?.path }, 'request failed');
    // A stream that failed after its headers went (an export, a download) cannot be answered any more:
    // the connection is cut, so the receiver sees a broken transfer rather than a short file passed off as whole.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError instanceof RateLimitedError) {
      res.set('Retry-After', String(appError.retryAfterSeconds));
      security?.record({ kind: 'rate_limited', reason: appError.limit ?? 'unnamed', status: 429, method: req.method, path: routePath(req), key: req.ip });
    }
    const body: ErrorBody = { error: { code: appError.code, message: appError.message } };
    const reason = reasonOf(appError);
    if (reason) body.error.reason = reason;
    if (appError.details !== undefined) body.error.details = appError.details;
    res.status(appError.status).json(body);
  };
}

/** The matched route's pattern (`/api/invites/:code/redeem`), not the URL, which may hold an invite code. */
function routePath(req: Parameters<ErrorRequestHandler>[1]): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? pattern : 'unmatched';
}

export const notFound: RequestHandler = (_req, res) => {
  const body: ErrorBody = { error: { code: 'not_found', message: 'no such route' } };
  res.status(404).json(body);
};

/** express.json() errors arrive as plain errors with a `type`. */
function fromBodyParser(err: unknown): AppError | undefined {
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') return new AppError('bad_request', 400, 'body is not valid JSON');
  if (type === 'entity.too.large') return new AppError('payload_too_large', 413, 'body is too large');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new AppError('bad_request', 415 as never, 'unsupported body encoding');
  return undefined;
}

/** A path parameter that is not valid percent-encoding (`/snapshots/%`): express's router refuses it with a URIError marked 400. */
function fromRouter(err: unknown): AppError | undefined {
  if (err instanceof URIError && (err as { status?: number }).status === 400) return new AppError('bad_request', 400, 'malformed path parameter');
  return undefined;
}
