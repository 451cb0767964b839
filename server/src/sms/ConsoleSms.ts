import { maskPhone } from '../logging.js';
import type { SmsProvider } from './SmsProvider.js';

/**
 * Prints the message instead of sending it. The link is a credential, which is why it goes to the
 * operator's terminal as a plain line and never into the structured log.
 */
export class ConsoleSms implements SmsProvider {
  readonly name = 'console' as const;

  constructor(private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async send(message: { to: string; body: string; sessionId: string }): Promise<{ providerMessageId?: string }> {
    this.print(`[sms → ${maskPhone(message.to)} session ${message.sessionId}] ${message.body}`);
    return {};
  }
}
