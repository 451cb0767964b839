import type { LoginResponse, StaffRole } from '@sightline/shared';
import { api, ApiError } from './api.js';

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
}): void {
  opts.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(opts.form);
    opts.error.textContent = '';
    api<LoginResponse>('POST', '/api/auth/login', { body: { username: data.get('username'), password: data.get('password') } })
      .then((r) => {
        if (r.role !== opts.role) throw new ApiError(403, 'forbidden', opts.wrongRole);
        sessionStorage.setItem(opts.tokenKey, r.token);
        return opts.onLogin(r.token, String(data.get('username')));
      })
      .catch((err: Error) => (opts.error.textContent = err.message));
  });
}
