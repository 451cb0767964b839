import type { ErrorBody } from '@sightline/shared';

/** An error answer from the REST API, with its machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const unauthorizedListeners = new Set<(err: ApiError) => void>();

/**
 * Observes every 401 answer to a request that carried a token: the token no longer holds (it
 * expired while the laptop slept, or the server now signs with another key), so the page must sign
 * in again. A login's own 401 (no token sent) is a wrong password and is not reported here.
 * Returns the unsubscribe.
 */
export function onUnauthorized(listener: (err: ApiError) => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function api<T>(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    cache: 'no-store',
  });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (data as ErrorBody | undefined)?.error;
    const failure = new ApiError(res.status, err?.code ?? 'internal', err?.message ?? `HTTP ${res.status}`);
    if (res.status === 401 && opts.token) reportUnauthorized(failure);
    throw failure;
  }
  return data as T;
}

/**
 * fetch() with the staff bearer token, for bodies and answers that are not JSON (camera stills,
 * exports): the caller reads the Response; a 401 is reported to `onUnauthorized` as api() does.
 */
export async function fetchWithToken(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401) reportUnauthorized(new ApiError(401, 'unauthorized', 'the server no longer takes this token'));
  return res;
}

function reportUnauthorized(failure: ApiError): void {
  for (const l of [...unauthorizedListeners]) {
    try {
      l(failure);
    } catch {
      // One broken observer must not keep the others (or the caller's own catch) from hearing it.
    }
  }
}
