import type { ErrorBody, RestAnswer, RestRequest, RestRoute } from '@sightline/shared';

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

/**
 * One REST request, typed by the contract (shared/src/api/routes.ts): `route` is a key such as
 * `'GET /api/sessions/:id'`, `params` fill its `:name`s, and the answer's type is the route's. A
 * 204 answers `undefined`.
 * @throws ApiError with the server's status and error code; a 401 to a request that carried a token
 *   is also reported to `onUnauthorized`.
 */
export async function api<K extends RestRoute>(route: K, ...[opts]: RequestArgs<K>): Promise<RestAnswer<K>> {
  const { token, params, query, body } = (opts ?? {}) as {
    token?: string;
    params?: Record<string, string>;
    query?: Record<string, string> | URLSearchParams;
    body?: unknown;
  };
  const space = route.indexOf(' ');
  const method = route.slice(0, space);
  const search =
    query === undefined ? '' : `?${query instanceof URLSearchParams ? query : new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined))}`;
  const path = route.slice(space + 1).replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params?.[name] ?? '')) + search;
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (data as ErrorBody | undefined)?.error;
    const failure = new ApiError(res.status, err?.code ?? 'internal', err?.message ?? `HTTP ${res.status}`);
    if (res.status === 401 && token) reportUnauthorized(failure);
    throw failure;
  }
  return data as RestAnswer<K>;
}

/** The options argument: required when the route has path parameters or a body, else optional. */
type RequestArgs<K extends RestRoute> = Partial<RestRequest<K>> extends RestRequest<K> ? [opts?: RestRequest<K>] : [opts: RestRequest<K>];

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
