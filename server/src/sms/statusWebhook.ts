import type { ErrorBody, ErrorCode } from '@sightline/shared';
import express, { type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { Logger } from '../logging.js';
import type { SessionService } from '../sessions/SessionService.js';
import { SMS_STATUS_PATH } from './TwilioSms.js';

export interface SmsStatusRouterOptions {
  authToken: string;
  /** PUBLIC_URL: the origin (and path prefix) Twilio calls, which is what it signs. */
  publicUrl: string;
  sessions: Pick<SessionService, 'smsStatus'>;
  log: Logger;
}

/** The fields we use from Twilio's message status callback; Twilio sends more and may add any time. */
const statusCallback = z.object({
  // Twilio's are SM/MM + 32 hex; Twilio-compatible gateways (TWILIO_API_URL) may use other ids.
  MessageSid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'MessageSid must be a message id'),
  MessageStatus: z.string().regex(/^[a-z_-]{1,32}$/, 'MessageStatus must be a status name'),
  ErrorCode: z.string().regex(/^\d{1,10}$/, 'ErrorCode must be numeric').optional(),
});

/**
 * POST /api/sms/status: Twilio's delivery callbacks. Mounted before the JSON API (it parses its own
 * form body). Only requests carrying a valid X-Twilio-Signature for `${publicUrl}${originalUrl}` are
 * believed; unknown message ids are still answered 204 so Twilio stops retrying.
 */
export function smsStatusRouter({ authToken, publicUrl, sessions, log }: SmsStatusRouterOptions): express.Router {
  const base = publicUrl.replace(/\/+$/, '');
  const router = express.Router();
  router.post(SMS_STATUS_PATH, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 64 }), async (req, res) => {
    const params: Record<string, unknown> = isPlainObject(req.body) ? req.body : {};
    const signature = req.get('x-twilio-signature');
    if (!signature || !twilio.validateRequest(authToken, signature, `${base}${req.originalUrl}`, params)) {
      log.warn({ path: req.path, signed: Boolean(signature) }, 'sms status callback with a bad signature');
      return fail(res, 403, 'forbidden', 'invalid or missing X-Twilio-Signature');
    }
    const parsed = statusCallback.safeParse(params);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return fail(res, 400, 'bad_request', `invalid status callback${first?.path.length ? ` at ${first.path.join('.')}` : ''}: ${first?.message ?? 'bad value'}`);
    }
    const { MessageSid, MessageStatus, ErrorCode } = parsed.data;
    const known = await sessions.smsStatus(MessageSid, MessageStatus, ErrorCode);
    log.info({ providerMessageId: MessageSid, providerStatus: MessageStatus, errorCode: ErrorCode, known }, 'sms status callback');
    res.status(204).end();
  });
  return router;
}

function fail(res: Response, status: number, code: ErrorCode, message: string): void {
  const body: ErrorBody = { error: { code, message } };
  res.status(status).json(body);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
