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
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The body of every REST error: `{"error":{"code":"...","message":"..."}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
