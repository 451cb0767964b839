import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, request } from '../support/authzRun.js';
import { waitFor } from '../support/browser.js';
import { REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11, item 12: callers and viewers get only their part. A session with everything in it
 * (a CAD reference, a labelled viewer, chat from all three, the caller's location, a still, a control
 * request and answer, a supervisor's looks over REST and the socket), while a caller and a viewer
 * collect everything they receive: REST answers, socket acks and every push. Nothing they got may
 * name a staff member, a supervisor's access or the viewer's label, and the caller never gets the CAD
 * reference. The viewer (a doctor or ambulance crew on the same incident) gets the CAD reference and
 * the caller's location since issue #14 §4. Staff usernames here are unlike any role name, so a plain
 * text search finds them.
 */
const SECRET = randomBytes(32).toString('hex');
const PASSWORD = 'projection-password-1';
const DISPATCHER = 'alice-dispatch-7391';
const SUPERVISOR = 'bob-supervise-2846';
const CAD = 'CAD-SECRET-4711';
const LABEL = 'Ambulance-Label-Zulu';
const LAT = 59.912345;
let server: TestServer;
let dataDir: string;
const sockets: Socket[] = [];

/** Everything one party received, in order: REST bodies, acks and pushes. */
type Received = { via: string; name: string; payload: unknown }[];
const got: Record<'caller' | 'viewer', Received> = { caller: [], viewer: [] };

async function addUser(name: string, role: string): Promise<void> {
  const child = promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'server/bin/sightline.js'), 'user', 'add', name, '--role', role], {
    env: { ...process.env, DATA_DIR: dataDir },
  });
  child.child.stdin?.end(`${PASSWORD}\n`);
  await child;
}

async function must(r: Promise<{ status: number; body: any }>, want: number): Promise<any> {
  const { status, body } = await r;
  if (status !== want) throw new Error(`got ${status}, want ${want}: ${JSON.stringify(body)}`);
  return body;
}

async function open(token: string, who?: 'caller' | 'viewer'): Promise<Socket> {
  const s = await connect(server.url, token);
  if (s instanceof Error) throw s;
  sockets.push(s);
  if (who) s.onAny((name: string, payload: unknown) => got[who].push({ via: 'push', name, payload }));
  return s;
}

async function ask(s: Socket, event: string, payload: unknown, who?: 'caller' | 'viewer'): Promise<any> {
  const ack = await s.timeout(15_000).emitWithAck(event, payload);
  if (who) got[who].push({ via: 'ack', name: event, payload: ack });
  if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
  return ack.data;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-projection-'));
  await addUser(DISPATCHER, 'dispatcher');
  await addUser(SUPERVISOR, 'supervisor');
  server = await startServer({ DATA_DIR: dataDir, JWT_SECRET: SECRET });
  const base = server.url;
  const loginAs = async (username: string) =>
    (await must(request(base, 'POST', '/api/auth/login', { body: { username, password: PASSWORD } }), 200)).token as string;
  const dispatcherToken = await loginAs(DISPATCHER);
  const supervisorToken = await loginAs(SUPERVISOR);

  const created = await must(request(base, 'POST', '/api/sessions', { token: dispatcherToken, body: { phone: '+4791234567', incidentRef: CAD } }), 201);
  const sessionId = created.id as string;
  const callerCode = String(created.inviteUrl).split('/j/')[1]!;
  const viewerUrl = (await must(request(base, 'POST', `/api/sessions/${sessionId}/viewers`, { token: dispatcherToken, body: { label: LABEL } }), 201))
    .inviteUrl as string;
  const viewerCode = viewerUrl.split('/j/')[1]!;

  // What the caller's and the viewer's pages ask over REST.
  for (const [who, code] of [
    ['caller', callerCode],
    ['viewer', viewerCode],
  ] as const) {
    got[who].push({ via: 'rest', name: 'GET /api/invites/:code', payload: await must(request(base, 'GET', `/api/invites/${code}`), 200) });
  }
  const callerRedeemed = await must(request(base, 'POST', `/api/invites/${callerCode}/redeem`), 200);
  got.caller.push({ via: 'rest', name: 'POST /api/invites/:code/redeem', payload: callerRedeemed });
  const viewerRedeemed = await must(request(base, 'POST', `/api/invites/${viewerCode}/redeem`), 200);
  got.viewer.push({ via: 'rest', name: 'POST /api/invites/:code/redeem', payload: viewerRedeemed });

  const dispatcher = await open(dispatcherToken);
  const caller = await open(callerRedeemed.token, 'caller');
  const viewer = await open(viewerRedeemed.token, 'viewer');
  await ask(dispatcher, 'session:join', { sessionId });
  await ask(caller, 'session:join', { sessionId }, 'caller');
  await ask(viewer, 'session:join', { sessionId }, 'viewer');

  await ask(caller, 'caller:camera', { sessionId, granted: true }, 'caller');
  await ask(caller, 'caller:location', { sessionId, lat: LAT, lng: 10.754321, accuracy: 12 }, 'caller');
  await ask(caller, 'caller:media', { sessionId, paused: true, facing: 'environment' }, 'caller');
  await ask(dispatcher, 'chat:send', { sessionId, text: 'Is the patient breathing?' });
  await ask(viewer, 'chat:send', { sessionId, text: 'Doctor here: tilt the head back' }, 'viewer');
  // Bidi and control characters are taken out at the gate (they could make a log line read as another's).
  await ask(caller, 'chat:send', { sessionId, text: 'Yes, he is\u202e breathing\u0007' }, 'caller');
  await ask(dispatcher, 'control:request', { sessionId, action: 'flip' });
  await ask(caller, 'control:reply', { sessionId, action: 'flip', outcome: 'done' }, 'caller');
  const jpeg = await fetch(`${base}/api/sessions/${sessionId}/snapshots`, {
    method: 'POST',
    headers: { authorization: `Bearer ${dispatcherToken}`, 'content-type': 'image/jpeg' },
    body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1]),
  });
  expect([201, 400, 415, 422]).toContain(jpeg.status);
  // A supervisor looks, over REST and over the socket.
  await must(request(base, 'GET', `/api/sessions/${sessionId}`, { token: supervisorToken }), 200);
  await must(request(base, 'GET', `/api/sessions/${sessionId}/verify`, { token: supervisorToken }), 200);
  const supervisor = await open(supervisorToken);
  await ask(supervisor, 'session:join', { sessionId });
  // A rejoin (a reload, a network change) gets the session's history in the join answer.
  await ask(caller, 'session:join', { sessionId }, 'caller');
  await ask(viewer, 'session:join', { sessionId }, 'viewer');
  await ask(dispatcher, 'chat:send', { sessionId, text: 'last words' });
  await waitFor(
    'the last chat at caller and viewer',
    async () => (['caller', 'viewer'] as const).every((w) => got[w].some((r) => r.name === 'chat:message' && JSON.stringify(r.payload).includes('last words'))),
    15_000,
  );
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Every received item whose JSON holds `needle` (case-insensitive), named for the failure message. */
const holding = (who: 'caller' | 'viewer', needle: string) =>
  got[who]
    .filter((r) => JSON.stringify(r.payload).toLowerCase().includes(needle.toLowerCase()))
    .map((r) => `${r.via} ${r.name}: ${JSON.stringify(r.payload).slice(0, 300)}`);

describe('what a caller and a viewer receive', () => {
  const nothingOfStaff = (who: 'caller' | 'viewer') => {
    expect(got[who].length).toBeGreaterThan(8);
    expect(holding(who, DISPATCHER), 'dispatcher username').toEqual([]);
    expect(holding(who, SUPERVISOR), 'supervisor username').toEqual([]);
    expect(holding(who, LABEL), 'viewer label').toEqual([]);
    for (const type of ['supervisor_viewed', 'recording_played', 'session_exported', 'legal_hold']) expect(holding(who, type), type).toEqual([]);
  };
  it('gives the caller no staff username, CAD reference, supervisor access or viewer label', () => {
    nothingOfStaff('caller');
    expect(holding('caller', CAD), 'CAD reference').toEqual([]);
  });
  it('gives the viewer no staff username, supervisor access or viewer label', () => nothingOfStaff('viewer'));

  it('passes no bidi or control character on, from anyone', () => {
    for (const who of ['caller', 'viewer'] as const) expect(holding(who, '\u202e'), who).toEqual([]);
    for (const who of ['caller', 'viewer'] as const) expect(holding(who, '\u0007'), who).toEqual([]);
  });

  // Issue #14 §4: an invited doctor or ambulance crew works the same incident, so its page gets the
  // CAD reference and where the caller is, in the join answer and as the location moves; never as
  // staff events with their details.
  it("gives the viewer the CAD reference and the caller's location, and nothing of them to the caller", () => {
    const joins = got.viewer
      .filter((r) => r.name === 'session:join')
      .map((r) => (r.payload as { data?: { incidentRef?: string; location?: { lat: number } } }).data ?? {});
    expect(joins.some((j) => j.incidentRef === CAD)).toBe(true);
    expect(joins.some((j) => j.location?.lat === LAT)).toBe(true);
    expect(holding('viewer', '"type":"location"'), 'location events').toEqual([]);
    expect(holding('caller', String(LAT).slice(0, 6)), 'latitude at the caller').toEqual([]);
  });

  it('still gives each its part: chat by role label, the control request to the caller, where the session stands', () => {
    const chats = (who: 'caller' | 'viewer') =>
      got[who].filter((r) => r.name === 'chat:message').map((r) => (r.payload as { message: { from: string; text: string } }).message);
    for (const who of ['caller', 'viewer'] as const) {
      expect(chats(who)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ from: 'dispatcher', text: 'Is the patient breathing?' }),
          expect.objectContaining({ from: 'viewer', text: 'Doctor here: tilt the head back' }),
          expect.objectContaining({ from: 'caller', text: 'Yes, he is breathing' }),
        ]),
      );
    }
    expect(got.caller.some((r) => r.name === 'control:request')).toBe(true);
    // Where the session stands, by role and without details (the recording events go the same way: unit-tested).
    const statuses = got.caller.filter((r) => r.name === 'session:event').map((r) => (r.payload as { event: object }).event);
    expect(statuses).toContainEqual({ seq: expect.any(Number), type: 'camera_granted', at: expect.any(String), actor: 'caller' });
    expect(got.viewer.some((r) => r.name === 'session:event')).toBe(true);
  });
});
