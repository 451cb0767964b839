import './LanguageSwitch.css';
import type { StaffLocale } from '@sightline/shared';
import { h } from '../common/dom.js';
import { chooseLocale, locale, localeName, LOCALES, onLocale, t } from './locale.js';

/**
 * The header's language switch (`data-testid="staff-language"`): one option per staff language,
 * each named in itself and marked with its own `lang` for screen readers.
 *
 * `user()` names who is logged in ('' before login). `changed` runs after a choice: a page with
 * content built by its script reloads there (its shift carries on: the token is kept for the tab),
 * since the content was written in the language of the moment it was built.
 */
export function languageSwitch(user: () => string, changed: (l: StaffLocale) => void): HTMLSelectElement {
  const select = h(
    'select',
    { testid: 'staff-language', class: 'staff-language', 'aria-label': t('common.language'), 'data-i18n-aria-label': 'common.language' },
    ...LOCALES.map((l) => h('option', { value: l, lang: l }, localeName(l))),
  );
  select.value = locale();
  onLocale((l) => (select.value = l));
  select.addEventListener('change', () => {
    const l = select.value as StaffLocale;
    chooseLocale(l, user());
    changed(l);
  });
  return select;
}
