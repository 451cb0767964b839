import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import type { Logger } from '../logging.js';
import { ConsoleSms } from './ConsoleSms.js';
import type { SmsProvider } from './SmsProvider.js';
import { smsStatusRouter, type SmsStatusRouterOptions } from './statusWebhook.js';
import { TwilioSms } from './TwilioSms.js';

export function createSmsProvider(config: Config, log?: Logger): SmsProvider {
  if (config.smsProvider === 'twilio') {
    if (!config.twilio) throw new ConfigError('SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM');
    try {
      return new TwilioSms({ ...config.twilio, publicUrl: config.publicUrl, log });
    } catch (err) {
      // The SDK checks the credentials' shape (e.g. "accountSid must start with AC").
      throw new ConfigError(`SMS_PROVIDER=twilio: ${(err as Error).message}`);
    }
  }
  return new ConsoleSms();
}

/** The delivery-report webhooks to mount: only a provider that sends reports (Twilio) has one. */
export function smsWebhooks(config: Config, deps: Omit<SmsStatusRouterOptions, 'authToken' | 'publicUrl'>) {
  return config.smsProvider === 'twilio' && config.twilio
    ? [smsStatusRouter({ authToken: config.twilio.authToken, publicUrl: config.publicUrl, ...deps })]
    : [];
}
