import { ERROR_CODES, type ErrorCode } from '@sightline/shared';
import { ApiError } from '../common/api.js';
import { locale, t } from './locale.js';

/**
 * What a staff page shows for a failed request. In English, the server's own message, as before
 * (it is the most precise, and the tests read it). In another language, the catalogue's sentence for
 * the error's code: the server speaks English only, and half a sentence in English helps no one.
 */
export function errorText(err: Error): string {
  if (locale() === 'en') return err.message;
  if (err instanceof ApiError && (ERROR_CODES as readonly string[]).includes(err.code)) return t(`errors.${err.code as ErrorCode}`);
  if (err instanceof TypeError) return t('errors.network');
  return err.message;
}
