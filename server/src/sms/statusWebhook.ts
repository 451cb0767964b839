import type { ErrorBody, ErrorCode } from '@sightline/shared';
import express, { type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { Logger } from '../logging.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import type { SmsDispatch } from './SmsDispatch.js';
import { SMS_STATUS_PATH } from './TwilioSms.js';

export interface SmsStatusRouterOptions {
  authToken: string;
  /** PUBLIC_URL: the origin (and path prefix) Twilio calls, which is what it signs. */
  publicUrl: string;
  sms: Pick<SmsDispatch, 'status'>;
  /** Where refused callbacks are recorded: a bad signature, a replayed one. */
  security: Pick<SecurityEvents, 'record'>;
  log: Logger;
}

/** The fields we use from Twilio's message status callback; Twilio sends more and may add any time. */
const statusCallback = z.object({
  // Twilio's are SM/MM + 32 hex; Twilio-compatible gateways (TWILIO_API_URL) may use other ids.
  MessageSid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'MessageSid must be a message id'),
  MessageStatus: z.string().regex(/^[a-z_-]{1,32}$/, 'MessageStatus must be a status name'),
  ErrorCode: z
    .string()
    .regex(/^\d{1,10}$/, 'ErrorCode must be numeric')
    .optional(),
});

/**
 * POST /api/sms/status: Twilio's delivery callbacks. Mounted before the JSON API (it parses its own
 * form body). Only requests carrying a valid X-Twilio-Signature for `${publicUrl}${originalUrl}` are
 * believed; unknown message ids are still answered 204 so Twilio stops retrying. A signed callback
 * is good for ever (Twilio's signature has no time in it), so a repeat of one already seen, or one
 * for an ended session, is answered 204 and changes nothing; a repeat is recorded as a refusal.
 */
export function smsStatusRouter({ authToken, publicUrl, sms, security, log }: SmsStatusRouterOptions): express.Router {
  const base = publicUrl.replace(/\/+$/, '');
  const router = express.Router();
  router.post(SMS_STATUS_PATH, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 64 }), async (req, res) => {
    const params: Record<string, unknown> = isPlainObject(req.body) ? req.body : {};
    const signature = req.get('x-twilio-signature');
    if (!signature || !twilio.validateRequest(authToken, signature, `${base}${req.originalUrl}`, params)) {
      security.record({ kind: 'webhook_refused', reason: signature ? 'bad_signature' : 'unsigned', key: req.ip });
      return fail(res, 403, 'forbidden', 'invalid or missing X-Twilio-Signature');
    }
    const parsed = statusCallback.safeParse(params);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return fail(
        res,
        400,
        'bad_request',
        `invalid status callback${first?.path.length ? ` at ${first.path.join('.')}` : ''}: ${first?.message ?? 'bad value'}`,
      );
    }
    const { MessageSid, MessageStatus, ErrorCode } = parsed.data;
    const outcome = await sms.status(MessageSid, MessageStatus, ErrorCode);
    if (outcome === 'repeat')
      security.record({ kind: 'webhook_refused', reason: 'replay', key: req.ip, providerMessageId: MessageSid, providerStatus: MessageStatus });
    log.info({ providerMessageId: MessageSid, providerStatus: MessageStatus, errorCode: ErrorCode, outcome }, 'sms status callback');
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
