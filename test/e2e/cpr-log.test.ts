import { cprEpisodes, type SessionEvent } from '@sightline/shared';
import type { Socket } from 'socket.io-client';
import { TestSockets } from '../support/sockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The CPR coach's record (issue #15 §2), over the real socket gate: the dispatcher's console reports
 * CPR mode, its measured windows and pauses, and the metronome; the server logs them inside an
 * episode only, pushes the metronome to the caller's page, and refuses bad or out-of-episode reports
 * with a clear error and nothing logged.
 */
let server: TestServer;
let token: string;
const sockets = new TestSockets();

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
});

afterAll(async () => {
  sockets.closeAll();
  await server?.stop();
});

const connect = (authToken: string): Promise<Socket> => sockets.connect(server.url, authToken);

const events = async (id: string): Promise<SessionEvent[]> => (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events;

describe('the CPR record', () => {
  it('logs an episode with its windows and pauses, tells the caller the metronome, and refuses reports outside an episode', async () => {
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    const id = created.body.id as string;
    const code = String(created.body.inviteUrl).split('/').pop();
    const callerToken = (await http('POST', `${server.url}/api/invites/${code}/redeem`)).body.token as string;
    const desk = await connect(token);
    const phone = await connect(callerToken);
    expect((await desk.emitWithAck('session:join', { sessionId: id })).ok).toBe(true);
    expect((await phone.emitWithAck('session:join', { sessionId: id })).ok).toBe(true);
    const metronome: unknown[] = [];
    phone.on('cpr:metronome', (p) => metronome.push(p));

    const outside = await desk.emitWithAck('cpr:window', { sessionId: id, rate: 110, quality: 'ok', seconds: 10, handsOffSeconds: 0 });
    expect(outside).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await desk.emitWithAck('cpr:mode', { sessionId: id, on: true })).toEqual({ ok: true, data: {} });
    expect((await desk.emitWithAck('cpr:mode', { sessionId: id, on: true })).ok, 'a repeat is harmless').toBe(true);
    expect((await desk.emitWithAck('cpr:metronome', { sessionId: id, on: true })).ok).toBe(true);
    // Windows as short as the slack (2 s) fit at once; real ones are 10 s, one every 10 s.
    expect((await desk.emitWithAck('cpr:window', { sessionId: id, rate: 104, quality: 'ok', seconds: 2, handsOffSeconds: 0 })).ok).toBe(true);
    expect((await desk.emitWithAck('cpr:pause', { sessionId: id, seconds: 3.04 })).ok).toBe(true);
    expect((await desk.emitWithAck('cpr:window', { sessionId: id, rate: null, quality: 'none', seconds: 2, handsOffSeconds: 2 })).ok).toBe(true);
    // A 10 s window right after the last one overlaps it (a second console measuring too): refused, nothing logged.
    expect(await desk.emitWithAck('cpr:window', { sessionId: id, rate: 110, quality: 'ok', seconds: 10, handsOffSeconds: 0 })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/overlaps/) },
    });

    // Bad reports: a rate without quality, "no reading" with a number, hands-off longer than the window, a caller reporting.
    for (const bad of [
      { rate: 110, quality: 'none', seconds: 10, handsOffSeconds: 0 },
      { rate: null, quality: 'ok', seconds: 10, handsOffSeconds: 0 },
      { rate: 110, quality: 'ok', seconds: 10, handsOffSeconds: 11 },
      { rate: 900, quality: 'ok', seconds: 10, handsOffSeconds: 0 },
      // Outside the rates the console can measure (40–200 /min).
      { rate: 30, quality: 'ok', seconds: 1, handsOffSeconds: 0 },
      { rate: 210, quality: 'ok', seconds: 1, handsOffSeconds: 0 },
    ]) {
      expect(await desk.emitWithAck('cpr:window', { sessionId: id, ...bad }), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await phone.emitWithAck('cpr:window', { sessionId: id, rate: 110, quality: 'ok', seconds: 10, handsOffSeconds: 0 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await desk.emitWithAck('cpr:mode', { sessionId: id, on: false })).ok).toBe(true);
    expect(await desk.emitWithAck('cpr:pause', { sessionId: id, seconds: 4 })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const log = await events(id);
    expect(log.filter((e) => e.type.startsWith('cpr_')).map((e) => e.type)).toEqual([
      'cpr_started',
      'cpr_metronome',
      'cpr_window',
      'cpr_pause',
      'cpr_window',
      'cpr_ended',
    ]);
    const [episode] = cprEpisodes(log);
    expect(episode!.windows.map((w) => w.rate)).toEqual([104, null]);
    expect(episode!.pauses).toEqual([{ at: expect.any(String), seconds: 3 }]);
    expect(episode!.endedAt).toBeDefined();
    await expect.poll(() => metronome).toEqual([{ sessionId: id, on: true, bpm: 110 }]);
  });
});
