import { api } from './api.js';

/**
 * Staff tokens live 30 minutes; while the page is open it trades its token for a fresh one at a
 * third of the token's life (every 10 minutes), so two tries can fail before it runs out.
 * `onToken` lets holders (the socket's reconnect auth, API callers) pick up the new one; `signal`
 * stops the refreshing (the page signed out). A refused refresh is reported through api.ts's
 * `onUnauthorized`.
 */
export function keepTokenFresh(initial: string, storageKey: string, onToken: (token: string) => void, signal?: AbortSignal): () => string {
  let current = initial;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped || signal?.aborted) return;
    timer = setTimeout(() => {
      api('POST /api/auth/refresh', { token: current })
        .then(
          (r) => {
            if (signal?.aborted) return;
            current = r.token;
            sessionStorage.setItem(storageKey, r.token);
            onToken(r.token);
          },
          () => undefined,
        )
        .finally(schedule);
    }, refreshAfterMs(current));
  };
  schedule();
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  window.addEventListener('pagehide', stop);
  signal?.addEventListener('abort', stop);
  return () => current;
}

/** A third of the token's life as its own `iat`/`exp` claims say; 10 minutes if they cannot be read. */
function refreshAfterMs(token: string): number {
  try {
    const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const { iat, exp } = JSON.parse(atob(payload)) as { iat?: unknown; exp?: unknown };
    if (typeof iat === 'number' && typeof exp === 'number' && exp > iat) return ((exp - iat) * 1000) / 3;
  } catch {
    // Not a JWT we can read: keep the documented schedule.
  }
  return 10 * 60_000;
}
