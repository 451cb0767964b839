import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelResponse } from '@sightline/shared';
import { TokenService } from '../auth/TokenService.js';
import { errorHandler } from '../http/errorHandler.js';
import { mountRoutes } from '../http/route.js';
import { testLogger } from '../testing/logger.js';
import { sessionServices } from '../testing/sessionServices.js';
import { Pseudonyms } from './Pseudonyms.js';
import { analyticsRoutes, rangeOf } from './routes.js';

describe('rangeOf: the analytics date range', () => {
  it('reads bare dates as whole days (UTC without a zone), date-times as given, and refuses a range that ends before it starts', () => {
    expect(rangeOf({ from: '2026-11-30', to: '2026-11-30' })).toEqual({ from: '2026-11-30T00:00:00.000Z', to: '2026-11-30T23:59:59.999Z' });
    expect(rangeOf({ from: '2026-11-30T10:00:00+01:00' })).toEqual({ from: '2026-11-30T09:00:00.000Z' });
    expect(rangeOf({})).toEqual({});
    expect(() => rangeOf({ from: '2026-12-01', to: '2026-11-30' })).toThrow(/before/);
  });

  it("takes a bare date as the centre's day (TZ), across a daylight-saving change and a month's end", () => {
    // Oslo is UTC+1 in winter: 30 November runs from 23:00 UTC the day before.
    expect(rangeOf({ from: '2026-11-30', to: '2026-11-30' }, 'Europe/Oslo')).toEqual({ from: '2026-11-29T23:00:00.000Z', to: '2026-11-30T22:59:59.999Z' });
    // 29 March 2026 has 23 hours in Oslo (02:00 → 03:00): it ends at 21:59:59.999 UTC.
    expect(rangeOf({ from: '2026-03-29', to: '2026-03-29' }, 'Europe/Oslo')).toEqual({ from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T21:59:59.999Z' });
    expect(rangeOf({ to: '2026-10-31' }, 'America/New_York')).toEqual({ to: '2026-11-01T03:59:59.999Z' });
  });
});

describe('GET /api/analytics/funnel and /sessions.csv, through the route gate', () => {
  const tokens = new TokenService(randomBytes(32));
  const supervisor = tokens.issue({ typ: 'staff', username: 'sue', role: 'supervisor', sid: 'l1' });
  const dispatcher = tokens.issue({ typ: 'staff', username: 'ann', role: 'dispatcher', sid: 'l2' });
  const accesses: { actor: string; type: string; details: Record<string, unknown> }[] = [];
  let base = '';
  let close = () => {};
  let ids: string[] = [];

  beforeAll(async () => {
    const { sessions, invites } = sessionServices();
    const a = await invites.create('ann', { phone: '+4791234567', incidentRef: 'CAD-1', language: 'en' });
    const b = await invites.create('bob', { phone: '+4791234568' });
    await sessions.transition(a.id, 'link_opened', 'caller');
    await sessions.transition(a.id, 'consent_given', 'caller');
    await sessions.transition(a.id, 'camera_granted', 'caller');
    await sessions.record(a.id, 'first_frame', 'dispatcher:ann', { producerId: 'p1' });
    await sessions.end(b.id, 'dispatcher:bob', 'dispatcher');
    ids = [a.id, b.id];
    const app = express();
    const api = express.Router();
    const pseudonyms = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'analytics-')));
    mountRoutes(
      api,
      tokens,
      analyticsRoutes({ sessions, pseudonyms: async () => pseudonyms, accessed: async (actor, type, details) => void accesses.push({ actor, type, details }) }),
    );
    app.use(api);
    app.use(errorHandler(testLogger));
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const get = (path: string, token: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('answers a supervisor the funnel of the whole centre or of one dispatcher, and logs the access with the query', async () => {
    const res = await get('/api/analytics/funnel', supervisor);
    expect(res.status).toBe(200);
    const f = (await res.json()) as FunnelResponse;
    expect(f.sessions).toBe(2);
    expect(f.stages.find((s) => s.name === 'first_frame')).toMatchObject({ reached: 1 });
    expect(f.failures.never_opened).toBe(1);
    const ann = (await (await get('/api/analytics/funnel?dispatcher=ann', supervisor)).json()) as FunnelResponse;
    expect(ann.sessions).toBe(1);
    expect(accesses.at(-1)).toEqual({ actor: 'supervisor:sue', type: 'analytics_viewed', details: { query: { dispatcher: 'ann' }, sessions: 1 } });
  });

  it('counts no session outside the date range', async () => {
    const f = (await (await get('/api/analytics/funnel?from=2020-01-01&to=2020-01-31', supervisor)).json()) as FunnelResponse;
    expect(f.sessions).toBe(0);
  });

  it('refuses a dispatcher (403) and a bad query (400)', async () => {
    expect((await get('/api/analytics/funnel', dispatcher)).status).toBe(403);
    expect((await get('/api/analytics/sessions.csv', dispatcher)).status).toBe(403);
    expect((await get('/api/analytics/funnel?from=yesterday', supervisor)).status).toBe(400);
    expect((await get('/api/analytics/funnel?to=2026-01-01&from=2026-02-01', supervisor)).status).toBe(400);
  });

  it('exports the CSV as an attachment, one row per session, with no phone, username, incident or session id', async () => {
    const res = await get('/api/analytics/sessions.csv', supervisor);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="sightline-sessions[^"]*\.csv"$/);
    const text = await res.text();
    expect(parse(text, { columns: true })).toHaveLength(2);
    for (const secret of [...ids, 'ann', 'bob', 'CAD-1', '91234567', '+47']) expect(text).not.toContain(secret);
    expect(accesses.at(-1)).toEqual({ actor: 'supervisor:sue', type: 'analytics_exported', details: { query: {}, sessions: 2 } });
  });

  it("names the CSV by the days its range covers on the centre's calendar", async () => {
    const res = await get(`/api/analytics/sessions.csv?from=2026-11-02&to=${encodeURIComponent('2026-11-30T01:00:00+14:00')}`, supervisor);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="sightline-sessions-2026-11-02-2026-11-29.csv"');
  });
});
