import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RequestName } from '@sightline/shared';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { EVERYONE, MATRIX_PASSWORD, refusal, SOCKET, tokenKind, VALID, type Fixture, type RestCase, type Who } from './authzMatrix.js';
import { TINY_JPEG } from './image.js';
import { jsonOrText, REPO_ROOT } from './server.js';

/**
 * Runs the access matrix (authzMatrix.ts) against a live server: builds the principals and the
 * session under test, then tries each route and each socket message as each principal and reports
 * every answer that differs from the documented one.
 */
export type Tokens = Record<Who, string | undefined>;
const JPEG = TINY_JPEG;
let addressSeq = 0;

/**
 * Each request from its own client address (X-Forwarded-For, believed from loopback): the rate
 * limits per address are tested elsewhere and must not turn a success here into a 429.
 */
export async function request(
  base: string,
  method: string,
  route: string,
  opts: { token?: string; body?: unknown; image?: boolean } = {},
): Promise<{ status: number; body: any }> {
  addressSeq++;
  const headers: Record<string, string> = { 'x-forwarded-for': `10.77.${(addressSeq >> 8) & 255}.${addressSeq & 255}` };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let body: BodyInit | undefined;
  if (opts.image) {
    headers['content-type'] = 'image/jpeg';
    body = new Uint8Array(JPEG);
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${base}${route}`, { method, headers, body });
  return { status: res.status, body: await jsonOrText(res) };
}

/** The three staff users, added with the CLI (to the data directory, or to Redis when REDIS_URL is set). */
export async function addUsers(env: Record<string, string>): Promise<void> {
  const cli = path.join(REPO_ROOT, 'server/bin/sightline.js');
  for (const [name, role] of [
    ['dispatcher', 'dispatcher'],
    ['other', 'dispatcher'],
    ['supervisor', 'supervisor'],
  ] as const) {
    const child = promisify(execFile)(process.execPath, [cli, 'user', 'add', name, '--role', role], { env: { ...process.env, ...env } });
    child.child.stdin?.end(`${MATRIX_PASSWORD}\n`);
    await child;
  }
}

/** Ids of media objects that belong to the session's real caller and dispatcher (kept open for the run). */
export interface MediaRefs {
  rtpCapabilities: unknown;
  sendTransportId: string;
  recvTransportId: string;
  producerId: string;
  consumerId: string;
  /** The fixture's dispatcher shows the caller a picture (a new one each time): what the caller's show-me messages need. */
  showMe(): Promise<void>;
}

export interface Matrix {
  fx: Fixture;
  tokens: Tokens;
  /** A new login's token for a staff member (for calls that spend theirs: logout). */
  freshLogin(who: Who): Promise<string>;
  media: MediaRefs;
  close(): void;
}

/** Everything the matrix needs, made through `base` the way clients make it. `dataDir`: the server's, to hold a recording. */
export async function makeMatrix(base: string, dataDir: string, secret: string): Promise<Matrix> {
  const tokens = {} as Tokens;
  const login = async (username: string) => {
    const r = await request(base, 'POST', '/api/auth/login', { body: { username, password: MATRIX_PASSWORD } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  tokens['dispatcher'] = await login('dispatcher');
  tokens['other dispatcher'] = await login('other');
  tokens['supervisor'] = await login('supervisor');
  const create = async (token: string) => {
    const r = await request(base, 'POST', '/api/sessions', { token, body: { phone: '+4791234567' } });
    if (r.status !== 201) throw new Error(`create session: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id as string, code: String(r.body.inviteUrl).split('/j/')[1]! };
  };
  const redeem = async (code: string) => {
    const r = await request(base, 'POST', `/api/invites/${code}/redeem`);
    if (r.status !== 200) throw new Error(`redeem: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  const mine = await create(tokens['dispatcher']);
  const theirs = await create(tokens['other dispatcher']);
  const freshViewerInvite = async () => {
    const r = await request(base, 'POST', `/api/sessions/${mine.id}/viewers`, { token: tokens['dispatcher'], body: {} });
    if (r.status !== 201) throw new Error(`viewer invite: ${r.status}`);
    return String(r.body.inviteUrl).split('/j/')[1]!;
  };
  const freshSpokenCode = async () => {
    const s = await create(tokens['dispatcher']!);
    const r = await request(base, 'POST', `/api/sessions/${s.id}/code`, { token: tokens['dispatcher'] });
    if (r.status !== 201) throw new Error(`spoken code: ${r.status}`);
    return r.body.code as string;
  };
  tokens['caller'] = await redeem(mine.code);
  tokens['caller of another'] = await redeem(theirs.code);
  tokens['viewer'] = await redeem(await freshViewerInvite());
  Object.assign(tokens, forgedTokens(secret, tokens['dispatcher']));

  const snap = await request(base, 'POST', `/api/sessions/${mine.id}/snapshots`, { token: tokens['dispatcher'], image: true });
  if (snap.status !== 201) throw new Error(`snapshot: ${snap.status} ${JSON.stringify(snap.body)}`);
  const recordingName = await stageRecording(dataDir, mine.id);
  const clipName = await stageClip(dataDir);
  const { media, sockets } = await mediaRefs(base, mine.id, tokens);
  const fx: Fixture = {
    sessionId: mine.id,
    otherSessionId: theirs.id,
    callerInviteCode: mine.code,
    snapshotName: snap.body.name,
    recordingName,
    clipName,
    freshViewerInvite,
    freshSpokenCode,
    freshCallerInvite: async () => (await create(tokens['dispatcher']!)).code,
    freshSession: async () => (await create(tokens['dispatcher']!)).id,
  };
  const usernames: Partial<Record<Who, string>> = { dispatcher: 'dispatcher', 'other dispatcher': 'other', supervisor: 'supervisor' };
  const freshLogin = (who: Who) => login(usernames[who] ?? who);
  return { fx, tokens, freshLogin, media, close: () => sockets.forEach((s) => s.disconnect()) };
}

function forgedTokens(secret: string, dispatcher: string): Partial<Tokens> {
  const claims = { typ: 'staff', username: 'supervisor', role: 'supervisor' };
  const [h, p, s] = dispatcher.split('.');
  const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'supervisor' })).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    'no token': undefined,
    expired: jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, secret, { issuer: 'sightline', audience: 'sightline' }),
    tampered: `${h}.${elevated}.${s}`,
    'alg none': jwt.sign(claims, '', { algorithm: 'none', issuer: 'sightline', audience: 'sightline', expiresIn: 600 }),
    'RS256 (confusion)': jwt.sign(claims, privateKey, { algorithm: 'RS256', issuer: 'sightline', audience: 'sightline', expiresIn: 600 }),
  };
}

/**
 * A finished recording in the session's folder and index, as the recorder leaves one. Who may
 * play it is the question here, not whether it plays (the recording tests make real ones).
 */
async function stageRecording(dataDir: string, sessionId: string): Promise<string> {
  const dir = path.join(dataDir, 'sessions', sessionId, 'recordings');
  const name = 'segment-0001.mkv';
  const bytes = Buffer.from('staged recording for the access matrix');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), bytes);
  const now = new Date().toISOString();
  const info = { name, segment: 1, startedAt: now, endedAt: now, bytes: bytes.length, durationSec: 1, codecs: ['vp8'], status: 'finished' };
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ recordings: [info] }));
  return name;
}

/** A demonstration clip in the data directory, as `sightline clip add` leaves one (the route serves its bytes). */
async function stageClip(dataDir: string): Promise<string> {
  await mkdir(path.join(dataDir, 'clips'), { recursive: true });
  await writeFile(path.join(dataDir, 'clips', 'matrix-clip.webm'), Buffer.from('staged clip for the access matrix'));
  return 'matrix-clip';
}

export function connect(base: string, token: string | undefined): Promise<Socket | Error> {
  return new Promise((resolve) => {
    const s = io(base, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.disconnect();
      resolve(e);
    });
  });
}

type AckResult = { ok: true; data: any } | { ok: false; error: { code: string; message: string } };
const ask = (s: Socket, event: string, payload: unknown): Promise<AckResult> => s.timeout(15_000).emitWithAck(event, payload);

export const VP8 = (ssrc: number, mid = '0') => ({
  mid,
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: `matrix-${ssrc}`, reducedSize: true },
});
const OPUS = (ssrc: number) => ({
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: `matrix-${ssrc}`, reducedSize: true },
});
const DTLS = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':') }],
};

async function must(s: Socket, event: string, payload: unknown): Promise<any> {
  const ack = await ask(s, event, payload);
  if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
  return ack.data;
}

/** The session's caller publishes video and its dispatcher consumes it, over sockets that stay open. */
async function mediaRefs(base: string, sessionId: string, tokens: Tokens): Promise<{ media: MediaRefs; sockets: Socket[] }> {
  const caller = (await connect(base, tokens['caller'])) as Socket;
  const dispatcher = (await connect(base, tokens['dispatcher'])) as Socket;
  const joined = await must(caller, 'session:join', { sessionId });
  await must(dispatcher, 'session:join', { sessionId });
  const send = await must(caller, 'transport:create', { sessionId, direction: 'send' });
  const { producerId } = await must(caller, 'media:produce', { sessionId, transportId: send.id, kind: 'video', rtpParameters: VP8(11_111_111) });
  const recv = await must(dispatcher, 'transport:create', { sessionId, direction: 'recv' });
  const rtpCapabilities = joined.routerRtpCapabilities;
  const { consumerId } = await must(dispatcher, 'media:consume', { sessionId, transportId: recv.id, producerId, rtpCapabilities });
  const showSend = await must(dispatcher, 'transport:create', { sessionId, direction: 'send' });
  let ssrc = 33_333_333;
  const showMe = async () =>
    void (await must(dispatcher, 'show-me:produce', { sessionId, transportId: showSend.id, source: 'camera', rtpParameters: VP8(++ssrc, String(ssrc)) }));
  return { media: { rtpCapabilities, sendTransportId: send.id, recvTransportId: recv.id, producerId, consumerId, showMe }, sockets: [caller, dispatcher] };
}

/**
 * A valid payload for each message, built on the sender's own socket where the message needs media
 * objects of its own (a transport, a consumer). A sender refused those gets the real caller's and
 * dispatcher's ids instead: what a stranger who learnt them would send.
 */
type Ctx = { sessionId: string; who: Who; socket: Socket; media: MediaRefs };
const own = async (c: Ctx, direction: 'send' | 'recv'): Promise<string> => {
  const ack = await ask(c.socket, 'transport:create', { sessionId: c.sessionId, direction });
  return ack.ok ? ack.data.id : direction === 'send' ? c.media.sendTransportId : c.media.recvTransportId;
};
const direction = (c: Ctx) => (c.who === 'caller' ? 'send' : 'recv');
const PAYLOADS: Record<RequestName, (c: Ctx) => Promise<unknown>> = {
  'session:join': async (c) => ({ sessionId: c.sessionId }),
  'invite:redeem': async (c) => ({ sessionId: c.sessionId }),
  'transport:create': async (c) => ({ sessionId: c.sessionId, direction: direction(c) }),
  'transport:connect': async (c) => ({ sessionId: c.sessionId, transportId: await own(c, direction(c)), dtlsParameters: DTLS }),
  'transport:restart-ice': async (c) => ({ sessionId: c.sessionId, transportId: await own(c, direction(c)) }),
  // A transport of the sender's own: closing the session's real ones would starve the later cases.
  'transport:close': async (c) => ({ sessionId: c.sessionId, transportId: await own(c, direction(c)) }),
  // Audio: a second camera producer would replace the caller's video (the newest wins).
  'media:produce': async (c) => ({
    sessionId: c.sessionId,
    transportId: await own(c, 'send'),
    kind: 'audio',
    source: 'microphone',
    rtpParameters: OPUS(22_222_222),
  }),
  'media:consume': async (c) => ({
    sessionId: c.sessionId,
    transportId: await own(c, 'recv'),
    producerId: c.media.producerId,
    rtpCapabilities: c.media.rtpCapabilities,
  }),
  'media:resume': async (c) => {
    const consume = await ask(c.socket, 'media:consume', await PAYLOADS['media:consume'](c));
    return { sessionId: c.sessionId, consumerId: consume.ok ? consume.data.consumerId : c.media.consumerId };
  },
  'media:key-frame': async (c) => {
    const consume = await ask(c.socket, 'media:consume', await PAYLOADS['media:consume'](c));
    return { sessionId: c.sessionId, consumerId: consume.ok ? consume.data.consumerId : c.media.consumerId };
  },
  'media:first-frame': async (c) => ({ sessionId: c.sessionId, producerId: c.media.producerId }),
  'caller:camera': async (c) => ({ sessionId: c.sessionId, granted: true }),
  'caller:media': async (c) => ({ sessionId: c.sessionId, paused: false, facing: 'environment' }),
  'caller:location': async (c) => ({ sessionId: c.sessionId, lat: 59.9, lng: 10.7, accuracy: 10 }),
  'chat:send': async (c) => ({ sessionId: c.sessionId, text: `hello from ${c.who}` }),
  'control:request': async (c) => ({ sessionId: c.sessionId, action: 'flip' }),
  'control:reply': async (c) => ({ sessionId: c.sessionId, action: 'flip', outcome: 'done' }),
  // In this order (SOCKET's): CPR mode on first, so the window and the pause fall inside an episode.
  'cpr:mode': async (c) => ({ sessionId: c.sessionId, on: true }),
  'cpr:window': async (c) => ({ sessionId: c.sessionId, rate: 110, quality: 'ok', seconds: 2, handsOffSeconds: 0 }),
  'cpr:pause': async (c) => ({ sessionId: c.sessionId, seconds: 2.5 }),
  'cpr:metronome': async (c) => ({ sessionId: c.sessionId, on: true }),
  'caller:stop-video': async (c) => ({ sessionId: c.sessionId }),
  'show-me:produce': async (c) => ({ sessionId: c.sessionId, transportId: await own(c, 'send'), source: 'camera', rtpParameters: VP8(44_444_444) }),
  // A picture is shown (by the fixture's dispatcher, whose socket stays) before each try: the last try's socket took its own with it.
  'show-me:receive': async (c) => {
    await c.media.showMe();
    return { sessionId: c.sessionId, transportId: await own(c, 'recv'), rtpCapabilities: c.media.rtpCapabilities };
  },
  'show-me:resume': async (c) => {
    const receive = await ask(c.socket, 'show-me:receive', await PAYLOADS['show-me:receive'](c));
    return { sessionId: c.sessionId, consumerId: receive.ok ? receive.data.consumerId : c.media.consumerId };
  },
  'show-me:stop': async (c) => ({ sessionId: c.sessionId }),
  'show-me:close': async (c) => ({ sessionId: c.sessionId }),
};

/** Tries one route as everyone (the refused first: an allowed call may change state); returns the mismatches. */
export async function restMismatches(base: string, m: Matrix, key: string, c: RestCase): Promise<string[]> {
  const [method, route] = key.split(' ') as [string, string];
  const problems: string[] = [];
  const order = [...EVERYONE.filter((w) => !c.allowed.includes(w)), ...EVERYONE.filter((w) => c.allowed.includes(w))];
  const target = (await c.target?.(m.fx)) ?? {};
  for (const who of order) {
    const params = { ...target, ...(await c.params?.(m.fx)) };
    const path = route.replace(/:(\w+)/g, (_, p: string) => params[p] ?? `:${p}`);
    const body = await c.body?.(m.fx);
    const token = c.ownLogin && tokenKind(who) === 'staff' ? await m.freshLogin(who) : m.tokens[who];
    const r = await request(base, method, path, { token, body, image: c.image });
    const want = c.allowed.includes(who) ? c.success : refusal(c, who);
    if (r.status !== want) problems.push(`${who}: got ${r.status}, want ${want} ${r.status >= 400 ? JSON.stringify(r.body) : ''}`.trim());
  }
  return problems;
}

/** Sends one message as each authenticated principal, each on a new connection; returns the mismatches. */
export async function socketMismatches(base: string, m: Matrix, event: RequestName): Promise<string[]> {
  const problems: string[] = [];
  for (const who of VALID) {
    const socket = await connect(base, m.tokens[who]);
    if (socket instanceof Error) {
      problems.push(`${who}: cannot connect (${socket.message})`);
      continue;
    }
    try {
      const payload = await PAYLOADS[event]({ sessionId: m.fx.sessionId, who, socket, media: m.media });
      const ack = await ask(socket, event, payload);
      const allowed = SOCKET[event].includes(who);
      if (allowed && !ack.ok) problems.push(`${who}: refused, want ok: ${JSON.stringify(ack.error)}`);
      if (!allowed && (ack.ok || ack.error.code !== 'forbidden')) problems.push(`${who}: ${JSON.stringify(ack)}, want forbidden`);
    } finally {
      socket.disconnect();
    }
  }
  return problems;
}
