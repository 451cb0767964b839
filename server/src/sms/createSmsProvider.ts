import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import { ConsoleSms } from './ConsoleSms.js';
import type { SmsProvider } from './SmsProvider.js';

export function createSmsProvider(config: Config): SmsProvider {
  if (config.smsProvider === 'twilio') throw new ConfigError('SMS_PROVIDER=twilio is not available yet; use console');
  return new ConsoleSms();
}
