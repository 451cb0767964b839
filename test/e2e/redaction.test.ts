import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VP8 } from '../support/authzRun.js';
import { waitFor } from '../support/browser.js';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { DEMO_PASSWORD, http, login, startServer, type TestServer } from '../support/server.js';

/**
 * What never reaches a log (docs/security.md): full phone numbers, tokens, invite codes, spoken
 * codes, the Twilio auth token, passwords. Checked with the server at `info` and at `debug`, where
 * the lines about the session are written (the other e2e servers run at `warn`, which prints none of
 * them): one whole session is driven through REST and sockets (create, SMS and its delivery report,
 * link opened, redeem, join, media, chat, control, location, viewer invite, spoken code, recording,
 * supervisor view, end), then the application log (stdout) and the session logs on disk are read.
 * First each must be shown to hold lines about those actions, so that finding nothing means something.
 */
const PUBLIC_URL = 'https://sightline-redaction.example.test';
const PHONE_A = '+4791234567';
const PHONE_B = '+4798765432';
type Ack = { ok: true; data: any } | { ok: false; error: unknown };

interface Run {
  server: TestServer;
  fake: FakeTwilio;
  dataDir: string;
  /** Every credential and number the run handled, by name. */
  secrets: Record<string, string>;
  sessions: string[];
  sockets: Socket[];
}

async function connect(run: Run, token: string): Promise<Socket> {
  const s = io(run.server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  run.sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

async function must(s: Socket, event: string, payload: unknown): Promise<any> {
  const ack: Ack = await s.timeout(15_000).emitWithAck(event, payload);
  if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
  return ack.data;
}

async function call(method: string, url: string, token: string | undefined, want: number, body?: unknown): Promise<any> {
  const r = await http(method, url, { token, body });
  if (r.status !== want) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const codeOf = (inviteUrl: string) => inviteUrl.split('/j/')[1]!;

async function eventTypes(run: Run, id: string, token: string): Promise<string[]> {
  return (await call('GET', `${run.server.url}/api/sessions/${id}`, token, 200)).events.map((e: { type: string }) => e.type);
}

/** One whole session, every action that handles a number or a credential. */
async function driveSession(run: Run): Promise<void> {
  const base = run.server.url;
  const staff = await login(run.server);
  const supervisor = await login(run.server, 'supervisor');
  const a = await call('POST', `${base}/api/sessions`, staff, 201, { phone: PHONE_A, incidentRef: 'INC-REDACT' });
  await call('POST', `${base}/api/sessions/${a.id}/sms`, staff, 202);
  expect((await run.fake.deliverStatus(run.fake.messages.at(-1)!, 'delivered', { via: base })).status).toBe(204);
  expect((await fetch(`${base}/j/${codeOf(a.inviteUrl)}`)).status).toBe(200);
  const caller = (await call('POST', `${base}/api/invites/${codeOf(a.inviteUrl)}/redeem`, undefined, 200)).token as string;
  const viewerUrl = (await call('POST', `${base}/api/sessions/${a.id}/viewers`, staff, 201, { label: 'ambulance' })).inviteUrl as string;
  const viewer = (await call('POST', `${base}/api/invites/${codeOf(viewerUrl)}/redeem`, undefined, 200)).token as string;

  const [d, c, v] = [await connect(run, staff), await connect(run, caller), await connect(run, viewer)];
  const joined = await must(c, 'session:join', { sessionId: a.id });
  await must(d, 'session:join', { sessionId: a.id });
  await must(v, 'session:join', { sessionId: a.id });
  await must(c, 'caller:camera', { sessionId: a.id, granted: true });
  const send = await must(c, 'transport:create', { sessionId: a.id, direction: 'send' });
  const { producerId } = await must(c, 'media:produce', { sessionId: a.id, transportId: send.id, kind: 'video', rtpParameters: VP8(33_333_333) });
  const recv = await must(d, 'transport:create', { sessionId: a.id, direction: 'recv' });
  const consumer = await must(d, 'media:consume', { sessionId: a.id, transportId: recv.id, producerId, rtpCapabilities: joined.routerRtpCapabilities });
  await must(d, 'media:resume', { sessionId: a.id, consumerId: consumer.consumerId });
  await must(c, 'caller:location', { sessionId: a.id, lat: 59.91, lng: 10.75, accuracy: 12 });
  await must(d, 'chat:send', { sessionId: a.id, text: 'Hold the phone steady' });
  await must(c, 'chat:send', { sessionId: a.id, text: 'He is breathing' });
  await must(v, 'chat:send', { sessionId: a.id, text: 'Ambulance 4 minutes away' });
  await must(d, 'control:request', { sessionId: a.id, action: 'torch_on' });
  await must(c, 'control:reply', { sessionId: a.id, action: 'torch_on', outcome: 'unsupported' });

  // A recording segment (the recorder logs at debug); there is no RTP, so it may end as failed.
  await call('POST', `${base}/api/sessions/${a.id}/recording`, staff, 200, { action: 'start' });
  await waitFor('a recording segment', async () => (await eventTypes(run, a.id, staff)).some((t) => t === 'recording_started' || t === 'recording_failed'));
  await call('POST', `${base}/api/sessions/${a.id}/recording`, staff, 200, { action: 'stop' });
  await waitFor('the segment closed', async () => (await eventTypes(run, a.id, staff)).some((t) => t === 'recording_ended' || t === 'recording_failed'));

  // The spoken code, on a second session whose link was not used.
  const b = await call('POST', `${base}/api/sessions`, staff, 201, { phone: PHONE_B });
  const spoken = (await call('POST', `${base}/api/sessions/${b.id}/code`, staff, 201)).code as string;
  const callerB = (await call('POST', `${base}/api/codes/redeem`, undefined, 200, { code: spoken })).token as string;
  await must(await connect(run, callerB), 'session:join', { sessionId: b.id });

  await call('GET', `${base}/api/sessions/${a.id}`, supervisor, 200);
  await call('GET', `${base}/api/sessions/${a.id}/verify`, supervisor, 200);
  for (const id of [a.id, b.id]) await call('POST', `${base}/api/sessions/${id}/end`, staff, 200);
  run.sessions.push(a.id, b.id);
  Object.assign(run.secrets, {
    'phone A': PHONE_A,
    'phone B': PHONE_B,
    'staff token': staff,
    'supervisor token': supervisor,
    'caller token': caller,
    'caller token (spoken code)': callerB,
    'viewer token': viewer,
    'caller invite A': codeOf(a.inviteUrl),
    'caller invite B': codeOf(b.inviteUrl),
    'viewer invite': codeOf(viewerUrl),
    'Twilio auth token': run.fake.authToken,
    password: DEMO_PASSWORD,
  });
  run.secrets['spoken code'] = spoken;
}

/** The leaks in `text`: each secret by name, any JWT or invite link at all. */
function leaks(text: string, secrets: Record<string, string>): string[] {
  const found = Object.entries(secrets)
    // The 6-digit code as a number of its own: not inside a longer figure (times, sizes).
    .filter(([name, value]) => (name === 'spoken code' ? new RegExp(`(?<![0-9])${value}(?![0-9])`).test(text) : text.includes(value)))
    .map(([name]) => name);
  if (/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./.test(text)) found.push('a JWT');
  if (/\/j\/[A-Za-z0-9_-]{16,}/.test(text)) found.push('an invite link');
  return found;
}

async function sessionLogs(dataDir: string): Promise<string> {
  const files = (await readdir(dataDir, { recursive: true })).filter((f) => f.endsWith('.jsonl'));
  return (await Promise.all(files.map((f) => readFile(path.join(dataDir, f), 'utf8')))).join('\n');
}

describe.each(['info', 'debug'] as const)('LOG_LEVEL=%s', (level) => {
  const run = { secrets: {}, sessions: [], sockets: [] } as unknown as Run;
  let lines: { level: number; msg: string; [k: string]: unknown }[];

  beforeAll(async () => {
    run.fake = await startFakeTwilio();
    run.dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-redaction-'));
    run.server = await startServer({
      LOG_LEVEL: level,
      DATA_DIR: run.dataDir,
      PUBLIC_URL,
      RECORDING_POLICY: 'on-demand',
      ...twilioEnv(run.fake),
    });
    await driveSession(run);
    for (const s of run.sockets) s.disconnect();
    // Lines written after the last action (disconnects, closed media) are in too.
    await new Promise((r) => setTimeout(r, 500));
    lines = run.server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  });

  afterAll(async () => {
    for (const s of run.sockets) s.disconnect();
    await run.server?.stop();
    await run.fake?.close();
    await rm(run.dataDir, { recursive: true, force: true });
  });

  it('logs the session at this level (so finding no secret below means something)', () => {
    const msgs = lines.map((l) => l.msg);
    for (const msg of ['session created', 'sms accepted by twilio', 'sms status callback', 'producer created', 'recording segment started', 'session ended']) {
      expect(msgs, msg).toContain(msg);
    }
    // The number is in the lines, masked.
    expect(lines.filter((l) => l.msg === 'session created').map((l) => l['phone'])).toEqual(['+47*****567', '+47*****432']);
    expect(lines.filter((l) => l.msg === 'sms accepted by twilio').map((l) => l['to'])).toContain('+47*****567');
    const debug = lines.filter((l) => l.level === 20);
    if (level === 'debug') expect(debug.map((l) => l.msg)).toContain('recorder ffmpeg started');
    else expect(debug).toEqual([]);
  });

  it('keeps every action in the session logs', async () => {
    const text = await sessionLogs(run.dataDir);
    for (const type of [
      'created',
      'sms_sent',
      'sms_resend',
      'sms_delivered',
      'link_opened',
      'consent_given',
      'viewer_invited',
      'viewer_joined',
      'chat',
      'location',
      'control_requested',
      'control_answered',
      'code_issued',
      'code_redeemed',
      'supervisor_viewed',
      'ended',
    ]) {
      expect(text, type).toContain(`"type":"${type}"`);
    }
    expect(text).toContain('+47*****567');
  });

  it('never writes a full phone number, a token, an invite code, the spoken code or the Twilio auth token to the application log', () => {
    expect(Object.keys(run.secrets)).toHaveLength(13);
    expect(leaks(run.server.output(), run.secrets)).toEqual([]);
  });

  it('nor to the session logs on disk', async () => {
    expect(leaks(await sessionLogs(run.dataDir), run.secrets)).toEqual([]);
  });
});
