/**
 * The SMS seam: `console` (development, air-gapped demos) and `twilio` (production). A provider
 * either accepts the message (maybe with its own message id for delivery callbacks) or throws
 * SmsSendError with a reason the dispatcher can act on.
 */
export interface SmsProvider {
  readonly name: 'console' | 'twilio';
  send(message: { to: string; body: string; sessionId: string }): Promise<{ providerMessageId?: string }>;
}

export type SmsFailureReason = 'invalid_number' | 'provider_unavailable' | 'timeout' | 'rejected';

export class SmsSendError extends Error {
  override name = 'SmsSendError';
  constructor(
    readonly reason: SmsFailureReason,
    message: string,
  ) {
    super(message);
  }
}
