/** Machine-readable error codes shared by REST answers and socket acknowledgements. */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'gone',
  'conflict',
  'rate_limited',
  'payload_too_large',
  /** A receiver cannot play the media it asked for (its browser decodes none of the sender's codecs). */
  'unsupported_media',
  'unavailable',
  /** The server's disk is at its free-space floor (507): new media is refused, the log keeps working. */
  'insufficient_storage',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Why something answered `gone` (410): the invite was used, it (or a spoken code) expired, or its
 * session ended. Clients act on it: a session that `ended` is final, never worth a retry.
 */
export const GONE_REASONS = ['used', 'expired', 'ended'] as const;
export type GoneReason = (typeof GONE_REASONS)[number];

/** The body of every REST error: `{"error":{"code":"...","message":"..."}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; reason?: GoneReason; details?: unknown };
}
