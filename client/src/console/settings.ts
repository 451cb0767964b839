import type { PhoneCountry, StaffSettings } from '@sightline/shared';
import { api } from '../common/api.js';
import { defaultLocale, timeZone } from '../staff-i18n/index.js';

/**
 * The deployment's settings the console needs (`GET /api/settings`), loaded once a shift starts.
 * Until they arrive (or if they cannot be had) the embedded default holds: NO, as DEFAULT_COUNTRY's;
 * the language and the time zone the page was served with (pages.ts), which are the same settings.
 */
let settings: StaffSettings = { defaultCountry: 'NO', locale: defaultLocale(), timeZone: timeZone() };
const listeners = new Set<(s: StaffSettings) => void>();

export async function loadSettings(token: string): Promise<StaffSettings> {
  settings = await api('GET /api/settings', { token });
  for (const listener of [...listeners]) listener(settings);
  return settings;
}

/** DEFAULT_COUNTRY: whose numbers the console's phone fields take without a country code. */
export function defaultCountry(): PhoneCountry {
  return settings.defaultCountry;
}

/** Observes a settings load (a field made before the settings came); returns the unsubscribe. */
export function onSettings(listener: (s: StaffSettings) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
