import type { StaffRole } from '@sightline/shared';
import { api } from './api.js';
import { h } from './dom.js';
import { errorText, localeForUser, t, type TextKey } from '../staff-i18n/index.js';

/** What a page can do with its login form once wired. */
export interface LoginForm {
  /**
   * Shows the form again with a "signed out — log in again" banner (`data-testid="signed-out"`),
   * for a token the server no longer takes; the banner goes at the next successful login.
   */
  signedOut(): void;
}

/**
 * The staff login form of the console and the audit workspace: posts the credentials, refuses the
 * wrong role with a pointer to the right page, and keeps the token for this tab only.
 */
export function wireLogin(opts: {
  form: HTMLFormElement;
  error: HTMLElement;
  role: StaffRole;
  tokenKey: string;
  /** The refusal shown to the other role, a text key (it is written in the page's language at the time). */
  wrongRole: TextKey;
  onLogin: (token: string, username: string) => void | Promise<void>;
}): LoginForm {
  const banner = h(
    'p',
    { class: 'signed-out', testid: 'signed-out', role: 'alert', hidden: true, 'data-i18n': 'common.login.signedOut' },
    t('common.login.signedOut'),
  );
  opts.form.prepend(banner);
  opts.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(opts.form);
    opts.error.textContent = '';
    api('POST /api/auth/login', { body: { username: String(data.get('username') ?? ''), password: String(data.get('password') ?? '') } })
      .then((r) => {
        if (r.role !== opts.role) throw new Error(t(opts.wrongRole));
        sessionStorage.setItem(opts.tokenKey, r.token);
        banner.hidden = true;
        opts.form.reset();
        const username = String(data.get('username'));
        localeForUser(username);
        return opts.onLogin(r.token, username);
      })
      .catch((err: Error) => (opts.error.textContent = errorText(err)));
  });
  return {
    signedOut() {
      sessionStorage.removeItem(opts.tokenKey);
      banner.hidden = false;
      opts.form.hidden = false;
      opts.form.querySelector<HTMLInputElement>('input[name="username"]')?.focus();
    },
  };
}

/**
 * Who a staff token belongs to (its `sub`, the username: auth/TokenService.ts), read without
 * checking it (the server does that): a reload finds its user's language before the first answer.
 * '' for a token that is not a readable JWT.
 */
export function usernameOf(token: string): string {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const sub: unknown = (JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : '';
  } catch {
    return '';
  }
}
