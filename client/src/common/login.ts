import type { StaffRole } from '@sightline/shared';
import { api, ApiError } from './api.js';
import { h } from './dom.js';

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
  wrongRole: string;
  onLogin: (token: string, username: string) => void | Promise<void>;
}): LoginForm {
  const banner = h('p', { class: 'signed-out', testid: 'signed-out', role: 'alert', hidden: true }, 'Signed out — log in again.');
  opts.form.prepend(banner);
  opts.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(opts.form);
    opts.error.textContent = '';
    api('POST /api/auth/login', { body: { username: String(data.get('username') ?? ''), password: String(data.get('password') ?? '') } })
      .then((r) => {
        if (r.role !== opts.role) throw new ApiError(403, 'forbidden', opts.wrongRole);
        sessionStorage.setItem(opts.tokenKey, r.token);
        banner.hidden = true;
        opts.form.reset();
        return opts.onLogin(r.token, String(data.get('username')));
      })
      .catch((err: Error) => (opts.error.textContent = err.message));
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
