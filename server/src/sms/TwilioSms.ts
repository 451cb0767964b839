import twilio from 'twilio';
import type RequestClientTypes from 'twilio/lib/base/RequestClient.js';
import { maskPhone, type Logger } from '../logging.js';
import { SmsSendError, type SmsFailureReason, type SmsProvider } from './SmsProvider.js';

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** Sender: an E.164 number or an alphanumeric sender id. */
  from: string;
  /** Base URL of a Twilio-compatible REST API instead of https://api.twilio.com (TWILIO_API_URL). */
  apiUrl?: string;
  /** PUBLIC_URL: delivery callbacks go to `${publicUrl}/api/sms/status`. */
  publicUrl: string;
  /** Upper bound for one send, connection included (default 10 s). */
  timeoutMs?: number;
  log?: Logger;
}

/** Twilio error codes that mean "this number cannot get an SMS": the dispatcher should fall back to the spoken code. */
const UNUSABLE_NUMBER_CODES = new Set([
  21211, // invalid 'To' phone number
  21217, // phone number does not appear to be valid
  21401, // invalid phone number
  21407, // this phone number type does not support SMS
  21612, // 'To' number is not currently reachable via SMS
  21614, // 'To' number is not a valid mobile number
  21635, // 'To' number is a landline
]);

const NETWORK_TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_CANCELED']);

export const SMS_STATUS_PATH = '/api/sms/status';

/**
 * The production SMS provider: Twilio's Messages API through the official SDK. One client for the
 * life of the process; a hard deadline per send so a hung Twilio never holds up the dispatcher.
 * Neither the auth token, nor the full number, nor the body (it holds the invite link) is logged.
 */
export class TwilioSms implements SmsProvider {
  readonly name = 'twilio' as const;
  readonly #client: twilio.Twilio;
  readonly #from: string;
  readonly #statusCallback: string;
  readonly #timeoutMs: number;
  readonly #log: Logger | undefined;

  constructor(opts: TwilioSmsOptions) {
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#from = opts.from;
    this.#statusCallback = `${opts.publicUrl.replace(/\/+$/, '')}${SMS_STATUS_PATH}`;
    this.#log = opts.log;
    // The SDK only applies `timeout` to the RequestClient it builds itself, so we build it (with
    // the timeout) in both cases. 429 auto-retry stays off: the dispatcher can resend by hand.
    const httpClient = opts.apiUrl
      ? new RebasingRequestClient(opts.apiUrl, { timeout: this.#timeoutMs })
      : new twilio.RequestClient({ timeout: this.#timeoutMs });
    this.#client = twilio(opts.accountSid, opts.authToken, { httpClient, autoRetry: false });
  }

  async send(message: { to: string; body: string; sessionId: string }): Promise<{ providerMessageId?: string }> {
    const to = maskPhone(message.to);
    try {
      const created = await withDeadline(
        this.#client.messages.create({ to: message.to, from: this.#from, body: message.body, statusCallback: this.#statusCallback }),
        // A little beyond the SDK's own (socket idle) timeout: this one also covers a trickling answer.
        this.#timeoutMs + 1_000,
      );
      if (typeof created.sid !== 'string' || !created.sid) {
        throw new SmsSendError('provider_unavailable', 'twilio answered without a message sid');
      }
      this.#log?.info({ sessionId: message.sessionId, to, providerMessageId: created.sid, providerStatus: created.status }, 'sms accepted by twilio');
      return { providerMessageId: created.sid };
    } catch (err) {
      const failure = toSmsSendError(err);
      this.#log?.warn({ sessionId: message.sessionId, to, reason: failure.reason, err: failure.message }, 'twilio did not take the sms');
      throw failure;
    }
  }
}

/**
 * TWILIO_API_URL support through the SDK's documented extension point (`httpClient`): the SDK still
 * builds every request (path, form body, basic auth, headers); only the origin changes. Any
 * *.twilio.com host is rebased, so edge/region host rewriting (TWILIO_EDGE, TWILIO_REGION) cannot
 * send traffic past the configured gateway. A path in the base URL is kept as a prefix.
 */
export class RebasingRequestClient extends twilio.RequestClient {
  readonly #base: URL;

  constructor(apiUrl: string, opts?: RequestClientTypes.RequestClientOptions) {
    super(opts);
    this.#base = new URL(apiUrl);
  }

  override request<TData>(opts: RequestClientTypes.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: this.rebase(opts.uri) });
  }

  rebase(uri: string): string {
    const target = new URL(uri);
    if (target.hostname !== 'twilio.com' && !target.hostname.endsWith('.twilio.com')) return uri;
    const prefix = this.#base.pathname.replace(/\/+$/, '');
    return `${this.#base.origin}${prefix}${target.pathname}${target.search}`;
  }
}

/** Twilio's answer or the network failure → the reason the dispatcher sees. Never carries Twilio's own text (it quotes the number). */
export function toSmsSendError(err: unknown): SmsSendError {
  if (err instanceof SmsSendError) return err;
  const e = err as { status?: unknown; code?: unknown; isAxiosError?: unknown };
  if (typeof e?.status === 'number' && !e.isAxiosError) {
    // RestException (legacy JSON errors) or TwilioServiceException (RFC 9457): both carry status and code.
    const status = e.status;
    const code = typeof e.code === 'number' ? e.code : undefined;
    const what = `twilio answered HTTP ${status}${code !== undefined ? ` (error ${code})` : ''}`;
    let reason: SmsFailureReason;
    if (code !== undefined && UNUSABLE_NUMBER_CODES.has(code)) reason = 'invalid_number';
    else if (status >= 500 || status === 429) reason = 'provider_unavailable';
    else reason = 'rejected';
    return new SmsSendError(reason, what);
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && NETWORK_TIMEOUT_CODES.has(code)) return new SmsSendError('timeout', `twilio did not answer in time (${code})`);
  return new SmsSendError('provider_unavailable', `twilio unreachable${code ? ` (${code})` : ''}`);
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmsSendError('timeout', `twilio did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
