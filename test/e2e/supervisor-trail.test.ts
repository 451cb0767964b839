import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SessionEvent } from '@sightline/shared';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST } from '../support/authzMatrix.js';
import { addUsers, connect, makeMatrix, request, type Matrix } from '../support/authzRun.js';
import { startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11, item 7: a supervisor cannot look at a session without leaving a trace, whatever path
 * the look takes. Tried from outside as a supervisor would: every route a supervisor may call on a
 * session (generated from the access matrix, so a new route is tried too), a recording fetched with
 * every kind of Range header, and the live session joined and watched over the socket. After each
 * look the session's log (as its dispatcher reads it, which is itself not logged) must hold one more
 * record by the supervisor.
 */
const SECRET = randomBytes(32).toString('hex');
const SUPERVISOR = 'supervisor:supervisor';
let server: TestServer;
let dataDir: string;
let m: Matrix;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-trail-'));
  await addUsers({ DATA_DIR: dataDir });
  server = await startServer({ DATA_DIR: dataDir, JWT_SECRET: SECRET });
  m = await makeMatrix(server.url, dataDir, SECRET);
});

afterAll(async () => {
  m?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The session's log as its own dispatcher sees it (the owner's look is not a supervisor's). */
async function events(): Promise<SessionEvent[]> {
  const r = await request(server.url, 'GET', `/api/sessions/${m.fx.sessionId}`, { token: m.tokens['dispatcher'] });
  if (r.status !== 200) throw new Error(`session view: ${r.status}`);
  return r.body.events as SessionEvent[];
}
const bySupervisor = async () => (await events()).filter((e) => e.actor === SUPERVISOR);

/** Runs `look`, then says which supervisor records it added to the log. */
async function trailOf(look: () => Promise<unknown>): Promise<SessionEvent[]> {
  const before = (await bySupervisor()).length;
  await look();
  return (await bySupervisor()).slice(before);
}

describe('every supervisor route on a session leaves a record', () => {
  // Generated from the documented matrix: a new route a supervisor may call on a session is tried here too.
  const routes = Object.entries(REST).filter(([key, c]) => key.includes('/api/sessions/:id') && c.allowed.includes('supervisor'));

  it('covers the routes a supervisor reads a session through', () => {
    expect(routes.map(([k]) => k)).toEqual(
      expect.arrayContaining([
        'GET /api/sessions/:id',
        'GET /api/sessions/:id/snapshots',
        'GET /api/sessions/:id/snapshots/:name',
        'GET /api/sessions/:id/recordings',
        'GET /api/sessions/:id/recordings/:name',
        'POST /api/sessions/:id/recordings/:name/played',
        'GET /api/sessions/:id/verify',
        'GET /api/sessions/:id/export',
      ]),
    );
  });

  for (const [key, c] of routes) {
    it(key, async () => {
      const [method, route] = key.split(' ') as [string, string];
      const params = { ...(await c.target?.(m.fx)), ...(await c.params?.(m.fx)) };
      const url = route.replace(/:(\w+)/g, (_, p: string) => params[p] ?? `:${p}`);
      let status = 0;
      const added = await trailOf(async () => {
        status = (await request(server.url, method, url, { token: m.tokens['supervisor'], body: await c.body?.(m.fx) })).status;
      });
      expect(status).toBe(c.success);
      expect(added.length, `${key} left no record by the supervisor`).toBeGreaterThanOrEqual(1);
    });
  }
});

describe('a recording fetched with any Range header leaves a record', () => {
  // The staged recording is 38 bytes (authzRun.ts stageRecording).
  const cases: [string | undefined, number[]][] = [
    [undefined, [200]],
    ['x', [200]],
    ['bytes=0-0', [206]],
    ['bytes=5-9', [206]],
    ['bytes=-5', [206]],
    ['bytes=0-1,5-9', [200, 206]],
    ['bytes=5-9,0-1', [200, 206]],
    ['bytes=9-5', [200, 416]],
    ['bytes=100000-', [416]],
    ['items=0-5', [200]],
  ];
  for (const [range, statuses] of cases) {
    it(`Range: ${range ?? '(none)'}`, async () => {
      const url = `${server.url}/api/sessions/${m.fx.sessionId}/recordings/${m.fx.recordingName}`;
      let res: Response | undefined;
      const added = await trailOf(async () => {
        res = await fetch(url, { headers: { authorization: `Bearer ${m.tokens['supervisor']}`, ...(range && { range }) } });
        await res.arrayBuffer();
      });
      expect(statuses).toContain(res!.status);
      if (res!.status === 206) expect(res!.headers.get('content-range')).toMatch(/^bytes \d+-\d+\/38$/);
      if (res!.status === 200) expect(Number(res!.headers.get('content-length'))).toBe(38);
      // A read of the file is a look; a playback is logged when the player starts playing (…/played, issue #14 part 5).
      expect(added.map((e) => e.type)).toEqual(['supervisor_viewed']);
      expect(added[0]!.details).toMatchObject({ what: 'recording file', name: m.fx.recordingName });
    });
  }
});

describe('the live session over the socket', () => {
  const ask = (s: Socket, event: string, payload: unknown) => s.timeout(15_000).emitWithAck(event, payload);

  it('logs a supervisor joining the session (timeline) and consuming its video', async () => {
    const socket = (await connect(server.url, m.tokens['supervisor'])) as Socket;
    try {
      const joined = await trailOf(async () => expect((await ask(socket, 'session:join', { sessionId: m.fx.sessionId })).ok).toBe(true));
      expect(joined.map((e) => e.type)).toEqual(['supervisor_viewed']);
      const watched = await trailOf(async () => {
        const t = await ask(socket, 'transport:create', { sessionId: m.fx.sessionId, direction: 'recv' });
        expect(t.ok).toBe(true);
        const c = await ask(socket, 'media:consume', {
          sessionId: m.fx.sessionId,
          transportId: t.data.id,
          producerId: m.media.producerId,
          rtpCapabilities: m.media.rtpCapabilities,
        });
        expect(c.ok).toBe(true);
      });
      expect(watched.map((e) => e.type)).toEqual(['supervisor_viewed']);
      expect(watched[0]!.details).toMatchObject({ what: 'live video', via: 'socket' });
    } finally {
      socket.disconnect();
    }
  });

  it('logs again on a new socket (a new look), and never for the dispatcher who owns the session', async () => {
    const again = (await connect(server.url, m.tokens['supervisor'])) as Socket;
    const owner = (await connect(server.url, m.tokens['dispatcher'])) as Socket;
    try {
      expect(await trailOf(async () => expect((await ask(again, 'session:join', { sessionId: m.fx.sessionId })).ok).toBe(true))).toHaveLength(1);
      const before = (await events()).length;
      expect((await ask(owner, 'session:join', { sessionId: m.fx.sessionId })).ok).toBe(true);
      expect((await events()).length).toBe(before);
    } finally {
      again.disconnect();
      owner.disconnect();
    }
  });
});
