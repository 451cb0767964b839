import type { InvitePeek, RedeemResponse, SessionDetail, SessionSummary, SnapshotInfo } from '@sightline/shared';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { api, ApiError } from './api.js';

/** Stubs fetch with one answer and records what was asked. */
function answer(status: number, body?: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('api(): requests by the REST contract', () => {
  it('fills the path parameters (encoded), sends the token and the JSON body, with the route’s method', async () => {
    const calls = answer(200, { active: true });
    const r = await api('POST /api/sessions/:id/recording', { token: 't.k', params: { id: 'abc_DEF-12' }, body: { action: 'start' } });
    expect(r).toEqual({ active: true });
    expect(calls[0]!.url).toBe('/api/sessions/abc_DEF-12/recording');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.body).toBe('{"action":"start"}');
    expect(new Headers(calls[0]!.init.headers).get('authorization')).toBe('Bearer t.k');

    await api('GET /api/invites/:code', { params: { code: 'a/b?c' } });
    expect(calls[1]!.url).toBe('/api/invites/a%2Fb%3Fc');
  });

  it('puts the query in the search string, leaving out what is undefined', async () => {
    const calls = answer(200, { sessions: [] });
    await api('GET /api/sessions', { token: 't', query: { status: 'live', incidentRef: undefined } });
    await api('GET /api/sessions', { token: 't' });
    await api('GET /api/sessions', { token: 't', query: new URLSearchParams({ dispatcher: 'ann' }) });
    expect(calls.map((c) => c.url)).toEqual(['/api/sessions?status=live', '/api/sessions', '/api/sessions?dispatcher=ann']);
  });

  it('answers undefined for a 204 and throws ApiError with the server’s code otherwise', async () => {
    answer(204);
    expect(await api('POST /api/auth/logout', { token: 't' })).toBeUndefined();
    answer(410, { error: { code: 'gone', message: 'invite is no longer valid (used)', reason: 'used' } });
    const err = await api('POST /api/invites/:code/redeem', { params: { code: 'x'.repeat(22) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 410, code: 'gone' });
  });

  it('infers each answer from the contract, and refuses what the contract does not allow (checked by typecheck)', () => {
    type Answer<K extends Parameters<typeof api>[0]> = Awaited<ReturnType<typeof api<K>>>;
    expectTypeOf<Answer<'GET /api/sessions/:id'>>().toEqualTypeOf<SessionDetail>();
    expectTypeOf<Answer<'GET /api/sessions'>>().toEqualTypeOf<{ sessions: SessionSummary[] }>();
    expectTypeOf<Answer<'GET /api/invites/:code'>>().toEqualTypeOf<InvitePeek>();
    expectTypeOf<Answer<'POST /api/codes/redeem'>>().toEqualTypeOf<RedeemResponse>();
    expectTypeOf<Answer<'GET /api/sessions/:id/snapshots'>>().toEqualTypeOf<{ snapshots: SnapshotInfo[] }>();
    expectTypeOf<Answer<'POST /api/auth/logout'>>().toEqualTypeOf<void>();
    // Only the type checker runs these; at run time each is a function never called.
    void (() => {
      // @ts-expect-error a route that is not in the contract
      void api('GET /api/nowhere');
      // @ts-expect-error a route with a `:id` needs its params
      void api('GET /api/sessions/:id', { token: 't' });
      // @ts-expect-error a body the route's schema does not take
      void api('POST /api/sessions/:id/recording', { params: { id: 'x' }, body: { action: 'pause' } });
      // @ts-expect-error a route without a body takes none
      void api('POST /api/sessions/:id/end', { params: { id: 'x' }, body: {} });
    });
  });
});
