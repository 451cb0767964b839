import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Tokens, passwords and invite codes never reach a log line; phone numbers are
 * masked by the code that logs them (see maskPhone).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'sightline' },
    redact: {
      paths: ['token', '*.token', 'password', '*.password', 'auth.token', 'code', '*.code', 'inviteUrl', '*.inviteUrl'],
      censor: '[redacted]',
    },
  };
  // stdout unless given (tests read the lines)
  return destination ? pino(options, destination) : pino(options);
}

/** "+4791234567" -> "+47*****567": enough to tell calls apart, not enough to identify a caller. */
export function maskPhone(phone: string): string {
  if (phone.length <= 6) return '***';
  return phone.slice(0, 3) + '*'.repeat(phone.length - 6) + phone.slice(-3);
}
