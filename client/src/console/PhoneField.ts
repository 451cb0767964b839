import './PhoneField.css';
import { checkPhone, type PhoneCheck } from '@sightline/shared';
import { defaultCountry, onSettings } from './settings.js';
import { locale, t } from '../staff-i18n/index.js';

/**
 * A mobile-number field as a dispatcher types it while the caller reads it out: a live hint under
 * it (what the number will be, "+47 912 34 567 · Norway", or which rule it breaks so far), and the
 * check (shared/src/phone.ts, the same the server's gate makes) for the form to send E.164 only.
 * National numbers are taken as DEFAULT_COUNTRY's (settings.ts).
 */
export class PhoneField {
  constructor(
    readonly input: HTMLInputElement,
    readonly hint: HTMLElement,
  ) {
    input.setAttribute('aria-describedby', hint.id || (hint.id = `hint-${Math.random().toString(36).slice(2)}`));
    input.addEventListener('input', () => this.#show(false));
    // What was typed before the field lost focus is judged in full: an error now, not a hint.
    input.addEventListener('blur', () => input.value.trim() && this.#show(true));
    onSettings(() => this.#show(false));
    this.#show(false);
  }

  /** The check of what is in the field now; marks the field when it fails. */
  check(): PhoneCheck {
    return this.#show(true);
  }

  /** Back to empty, with the idle hint. */
  reset(): void {
    this.input.value = '';
    this.#show(false);
  }

  #show(final: boolean): PhoneCheck {
    const check = checkPhone(this.input.value, defaultCountry());
    const typing = !final && !check.ok;
    this.hint.dataset['state'] = check.ok ? 'ok' : typing ? 'typing' : 'error';
    if (check.ok) this.hint.textContent = `→ ${check.display}${check.country ? ` · ${regionName(check.country)}` : ''}`;
    else if (!this.input.value.trim() && !final) this.hint.textContent = t('console.phone.idle', { country: regionName(defaultCountry()) });
    else this.hint.textContent = phoneProblem(check);
    this.input.setAttribute('aria-invalid', String(!check.ok && !typing));
    return check;
  }
}

function regionName(country: string): string {
  try {
    return new Intl.DisplayNames([locale()], { type: 'region' }).of(country) ?? country;
  } catch {
    return country;
  }
}

/**
 * Why a number is refused, in the dispatcher's language: English keeps shared/phone.ts's own
 * sentence (it names the rule and the digit count); another language says which rule was broken.
 */
export function phoneProblem(check: Extract<PhoneCheck, { ok: false }>): string {
  return locale() === 'en' ? check.message : t(`console.phone.problem.${check.problem}`);
}
