import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Ack, SessionSummary } from '@sightline/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { DEMO_PASSWORD, http, REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * The supervisor's workspace beyond one incident look-up: search by time, dispatcher, incident,
 * status and has-recording (REST and the /audit form), and a session view with its chat
 * transcript, location trail, media-quality section and stills. The staff are added the way an
 * operator does without Redis, `npx sightline user add` into $DATA_DIR/users.json, so the demo
 * users are not seeded. Chat, location and a photo come over the caller's and dispatcher's own
 * socket and REST calls; no camera is needed for what is checked here.
 */
let dataDir: string;
let server: TestServer;
let supervisorPage: Device | undefined;
const sockets: Socket[] = [];
const staff = { ann: 'ann-password-123', bob: 'bob-password-123', sue: 'sue-password-123' };
const tokens: Record<string, string> = {};
const ids: Record<'s1' | 's2' | 's3', string> = { s1: '', s2: '', s3: '' };
let between = '';

function userAdd(name: string, role: string, password: string) {
  const { REDIS_URL: _none, ...env } = process.env; // the file store: no Redis
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'server/bin/sightline.js'), 'user', 'add', name, '--role', role], {
    cwd: REPO_ROOT,
    input: `${password}\n`,
    encoding: 'utf8',
    env: { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
}

async function login(username: string, password: string) {
  return http('POST', `${server.url}/api/auth/login`, { body: { username, password } });
}

async function createSession(token: string, incidentRef: string): Promise<{ id: string; code: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef } });
  expect(r.status).toBe(201);
  return { id: r.body.id, code: String(r.body.inviteUrl).split('/j/')[1]! };
}

async function connect(token: string): Promise<Socket> {
  const s = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

async function acked(s: Socket, name: string, payload: unknown): Promise<void> {
  const ack = (await s.timeout(10_000).emitWithAck(name, payload)) as Ack<unknown>;
  if (!ack.ok) throw new Error(`${name} refused: ${ack.error.code} ${ack.error.message}`);
}

const search = async (query: Record<string, string>) => {
  const r = await http('GET', `${server.url}/api/sessions?${new URLSearchParams(query)}`, { token: tokens['sue'] });
  expect(r.status).toBe(200);
  return (r.body.sessions as SessionSummary[])
    .map((s) => s.id)
    .filter((id) => Object.values(ids).includes(id))
    .sort();
};
const idsOf = (...keys: (keyof typeof ids)[]) => keys.map((k) => ids[k]).sort();

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-audit-search-'));
  for (const [name, role] of [
    ['ann', 'dispatcher'],
    ['bob', 'dispatcher'],
    ['sue', 'supervisor'],
  ] as const) {
    const r = userAdd(name, role, staff[name]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }
  server = await startServer({ DATA_DIR: dataDir });
  for (const name of Object.keys(staff) as (keyof typeof staff)[]) tokens[name] = (await login(name, staff[name])).body.token;

  // s1: ann's, with chat both ways, a location, a pause and a photo; s2: bob's, ended; s3: ann's, with a recording.
  const s1 = await createSession(tokens['ann']!, 'INC-SEARCH-1');
  ids.s1 = s1.id;
  await new Promise((r) => setTimeout(r, 20)); // createdAt has millisecond resolution
  between = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  ids.s2 = (await createSession(tokens['bob']!, 'INC-SEARCH-2')).id;
  expect((await http('POST', `${server.url}/api/sessions/${ids.s2}/end`, { token: tokens['bob'] })).status).toBe(200);
  ids.s3 = (await createSession(tokens['ann']!, 'INC-SEARCH-3')).id;
  // Has-recording is read off the data directory: a finished segment file there is what it means.
  await mkdir(path.join(dataDir, 'sessions', ids.s3, 'recordings'), { recursive: true });
  await writeFile(path.join(dataDir, 'sessions', ids.s3, 'recordings', 'segment-0001.mkv'), Buffer.alloc(1024));

  const caller = (await http('POST', `${server.url}/api/invites/${s1.code}/redeem`)).body.token as string;
  const callerSocket = await connect(caller);
  const annSocket = await connect(tokens['ann']!);
  for (const s of [callerSocket, annSocket]) await acked(s, 'session:join', { sessionId: ids.s1 });
  await acked(annSocket, 'chat:send', { sessionId: ids.s1, text: 'Is the patient breathing?' });
  await acked(callerSocket, 'chat:send', { sessionId: ids.s1, text: 'Yes, slowly' });
  await acked(callerSocket, 'caller:location', { sessionId: ids.s1, lat: 59.91273, lng: 10.74609, accuracy: 12 });
  const photo = execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=blue:s=64x48',
    '-frames:v',
    '1',
    '-c:v',
    'mjpeg',
    '-f',
    'image2pipe',
    'pipe:1',
  ]);
  const upload = await fetch(`${server.url}/api/sessions/${ids.s1}/photos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${caller}`, 'content-type': 'image/jpeg' },
    body: new Uint8Array(photo),
  });
  expect(upload.status).toBe(201);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await supervisorPage?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('staff from npx sightline user add, without Redis', () => {
  it('keeps them in $DATA_DIR/users.json as scrypt hashes, logs them in, and seeds no demo users', async () => {
    const users = JSON.parse(await readFile(path.join(dataDir, 'users.json'), 'utf8')) as unknown;
    const text = JSON.stringify(users);
    for (const [name, password] of Object.entries(staff)) {
      expect(text).toContain(name);
      expect(text).not.toContain(password);
    }
    expect(text.match(/scrypt\$/g)).toHaveLength(3);
    expect(Object.values(tokens).every(Boolean)).toBe(true);
    expect((await login('sue', staff.sue)).body.role).toBe('supervisor');
    expect((await login('dispatcher', DEMO_PASSWORD)).status).toBe(401);
    const again = userAdd('ann', 'dispatcher', 'another-password-1');
    expect(again.status).toBe(1);
    expect((await login('ann', staff.ann)).status).toBe(200);
  });
});

describe('supervisor search', () => {
  it('filters by dispatcher, incident, status, has-recording and time, and logs each search', async () => {
    expect(await search({})).toEqual(idsOf('s1', 's2', 's3'));
    expect(await search({ dispatcher: 'ann' })).toEqual(idsOf('s1', 's3'));
    expect(await search({ incidentRef: 'INC-SEARCH-2' })).toEqual(idsOf('s2'));
    expect(await search({ status: 'ended' })).toEqual(idsOf('s2'));
    expect(await search({ status: 'sms_sent', dispatcher: 'ann' })).toEqual(idsOf('s3'));
    expect(await search({ hasRecording: 'true' })).toEqual(idsOf('s3'));
    expect(await search({ hasRecording: 'false' })).toEqual(idsOf('s1', 's2'));
    expect(await search({ from: between })).toEqual(idsOf('s2', 's3'));
    expect(await search({ to: between })).toEqual(idsOf('s1'));
    // A dispatcher's list is their own, whatever they ask for.
    const bobs = await http('GET', `${server.url}/api/sessions?dispatcher=ann`, { token: tokens['bob'] });
    expect((bobs.body.sessions as SessionSummary[]).map((s) => s.id)).toEqual([ids.s2]);

    const access = await http('GET', `${server.url}/api/audit/access`, { token: tokens['sue'] });
    const searches = (access.body.records as { type: string; actor: string }[]).filter((r) => r.type === 'sessions_searched' && r.actor === 'supervisor:sue');
    expect(searches.length).toBeGreaterThanOrEqual(9);
  });

  it('searches from the /audit form and opens a session with its chat transcript, location trail, media quality and stills', async () => {
    supervisorPage = await launchDevice();
    const page = supervisorPage.page;
    await page.goto(`${server.url}/audit`);
    await page.waitForSelector(sel('login-username'), { visible: true });
    await page.type(sel('login-username'), 'sue');
    await page.type(sel('login-password'), staff.sue);
    await page.click(sel('login-submit'));
    await page.waitForSelector(sel('search-submit'), { visible: true });
    const rows = () => page.$$eval(sel('session-row'), (els) => els.map((e) => e.getAttribute('data-session-id')!).sort());
    const submit = async (fill: () => Promise<void>, want: string[]) => {
      await page.$eval('form#search', (f) => (f as HTMLFormElement).reset());
      await fill();
      await page.click(sel('search-submit'));
      await waitFor(
        `rows ${want.join(',')}`,
        async () => JSON.stringify((await rows()).filter((id) => Object.values(ids).includes(id))) === JSON.stringify(want),
      );
    };
    // Each search's answer differs from the one before, so a form field that is not sent shows.
    await submit(() => page.type(sel('search-dispatcher'), 'bob'), idsOf('s2'));
    await submit(() => page.select(sel('search-recording'), 'true').then(() => undefined), idsOf('s3'));
    await submit(() => page.select(sel('search-status'), 'ended').then(() => undefined), idsOf('s2'));
    // The time fields: from a minute ahead finds nothing.
    const ahead = new Date(Date.now() + 120_000);
    const local = new Date(ahead.getTime() - ahead.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await submit(() => page.$eval(sel('search-from'), (el, v) => void ((el as HTMLInputElement).value = v), local), []);
    await submit(() => page.type(sel('search-incident'), 'INC-SEARCH-1'), idsOf('s1'));

    await page.click(`${sel('session-row')}[data-session-id="${ids.s1}"]`);
    await waitFor('log verified', () => page.$eval(sel('log-integrity'), (el) => el.textContent === 'intact').catch(() => false));
    const transcript = await page.$eval(sel('chat-transcript'), (el) => el.textContent ?? '');
    expect(transcript).toContain('Is the patient breathing?');
    expect(transcript).toContain('Yes, slowly');
    expect(await page.$eval(sel('location-trail'), (el) => el.textContent ?? '')).toContain('59.91273, 10.74609 ±12 m');
    expect(await page.$eval(sel('quality-summary'), (el) => el.parentElement?.textContent ?? '')).toContain('0 reconnection(s)');
    const still = await waitFor('the photo shown', () =>
      page.$$eval('.snapshots img', (imgs) =>
        imgs.map((i) => ({ alt: i.getAttribute('alt') ?? '', w: (i as HTMLImageElement).naturalWidth })).find((i) => i.w > 0),
      ),
    );
    expect(still).toMatchObject({ w: 64 });
    expect(still.alt).toMatch(/^caller /);
  });
});
