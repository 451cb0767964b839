import type { ErrorCode, GoneReason } from '@sightline/shared';

/**
 * Errors that cross the edge (REST or socket) carry a code and an HTTP status. Anything else that
 * reaches the edge is a bug and is answered as `internal` without its message.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('bad_request', 400, message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'authentication required') {
    super('unauthorized', 401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'not allowed') {
    super('forbidden', 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', 404, `${what} not found`);
  }
}

export type { GoneReason };

export class GoneError extends AppError {
  constructor(
    readonly reason: GoneReason,
    what = 'invite',
  ) {
    super('gone', 410, `${what} is no longer valid (${reason})`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', 409, message);
  }
}

/** A receiver's browser cannot play the media it asked for; the message says why, in words for its screen. */
export class UnsupportedMediaError extends AppError {
  constructor(message: string) {
    super('unsupported_media', 415, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    /** Which limit, for security events and logs (e.g. 'chatPerToken'); the client sees only the code. */
    readonly limit?: string,
  ) {
    super('rate_limited', 429, `too many attempts; try again in ${retryAfterSeconds} s`);
  }
}

/**
 * Why new media was not stored (507): the data directory is at its free-space floor, or the session
 * has used its stills quota (count or bytes; 507 is WebDAV's answer for a quota, RFC 4918 §11.5).
 */
export type StorageRefusal = 'disk_floor' | 'count_quota' | 'bytes_quota';

export class InsufficientStorageError extends AppError {
  constructor(
    readonly reason: StorageRefusal,
    message: string,
  ) {
    super('insufficient_storage', 507, message, { reason });
  }
}

/** Why an image was refused before it was stored: it does not decode, or it decodes to too many pixels. */
export type ImageRefusal = 'undecodable' | 'too_many_pixels';

export class ImageRefusedError extends AppError {
  constructor(
    readonly reason: ImageRefusal,
    message: string,
  ) {
    super(reason === 'too_many_pixels' ? 'payload_too_large' : 'bad_request', reason === 'too_many_pixels' ? 413 : 400, message, { reason });
  }
}

export class UnavailableError extends AppError {
  constructor(message: string) {
    super('unavailable', 503, message);
  }
}

/** The reason an answer carries beside its code, when the error has one (`gone`: used, expired, ended). */
export function reasonOf(err: AppError): GoneReason | undefined {
  return err instanceof GoneError ? err.reason : undefined;
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('internal', 500, 'internal error');
}
