/**
 * The staff pages' languages (console and /audit, issue #16 §4): one catalogue per language
 * (en.ts, nb.ts), `t()` for a text, the centre's clock for times, and the header's switch.
 * The caller page has its own catalogues (caller/i18n/): a caller and an operator read different things.
 */
export {
  t,
  num,
  locale,
  timeZone,
  setTimeZone,
  formatTime,
  timeElement,
  translatePage,
  chooseLocale,
  localeForUser,
  resetLocale,
  onLocale,
  defaultLocale,
} from './locale.js';
export { formatNumber, type TextKey, type TextParams, type StaffCatalogue, type Plural } from './catalogue.js';
export { utcInstant, type TimeStyle } from './time.js';
export { languageSwitch } from './LanguageSwitch.js';
export { errorText } from './errors.js';
