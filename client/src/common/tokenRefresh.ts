import type { LoginResponse } from '@sightline/shared';
import { api } from './api.js';

/**
 * Staff tokens live 30 minutes; while the page is open it trades its token for a fresh one every 10.
 * `onToken` lets holders (the socket's reconnect auth, API callers) pick up the new one.
 */
export function keepTokenFresh(initial: string, storageKey: string, onToken: (token: string) => void): () => string {
  let current = initial;
  const timer = setInterval(() => {
    api<LoginResponse>('POST', '/api/auth/refresh', { token: current }).then(
      (r) => {
        current = r.token;
        sessionStorage.setItem(storageKey, r.token);
        onToken(r.token);
      },
      () => undefined,
    );
  }, 10 * 60_000);
  window.addEventListener('pagehide', () => clearInterval(timer));
  return () => current;
}
