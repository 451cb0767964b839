import { readdir, readFile } from 'node:fs/promises';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/browser.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11 item 8, from outside: a caller's produce is the only way its words reach ffmpeg's SDP,
 * and ffmpeg (like every child of the server) must not hold the server's secrets. The caller here
 * is a bare socket with a caller token: a transport need not even be connected for the server to
 * take a producer, and `RECORDING_POLICY=always` starts ffmpeg on the first one.
 */
const SECRETS = {
  JWT_SECRET: 'jwt-secret-that-no-child-may-see-0123456789',
  TURN_SECRET: 'turn-secret-that-no-child-may-see-0123',
  TWILIO_AUTH_TOKEN: 'twilio-token-that-no-child-may-see',
  REDIS_PASSWORD: 'redis-password-that-no-child-may-see',
};
/** What a child process may inherit: enough to find and run ffmpeg, nothing that grants anything. */
const CHILD_ENV_NAMES = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'LD_LIBRARY_PATH'];

let server: TestServer;
let token: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startServer({ RECORDING_POLICY: 'always', TURN_URLS: 'turn:turn.example.test:3478?transport=udp', ...SECRETS });
  token = await login(server);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop();
});

/** A new session's caller, joined on a socket, with a send transport (never connected). */
async function caller(): Promise<{ socket: Socket; sessionId: string; transportId: string }> {
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+47 912 34 567' } });
  expect(created.status).toBe(201);
  const code = String(created.body.inviteUrl).split('/j/')[1]!;
  const redeemed = await http('POST', `${server.url}/api/invites/${code}/redeem`);
  expect(redeemed.status).toBe(200);
  const socket = io(server.url, { auth: { token: redeemed.body.token }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const sessionId = created.body.id as string;
  expect((await socket.emitWithAck('session:join', { sessionId })).ok).toBe(true);
  const transport = await socket.emitWithAck('transport:create', { sessionId, direction: 'send' });
  expect(transport.ok).toBe(true);
  return { socket, sessionId, transportId: transport.data.id };
}

const vp8 = (parameters: Record<string, unknown>, cname = 'aBcD1234eFgH5678') => ({
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters, rtcpFeedback: [] }],
  encodings: [{ ssrc: 1234 + Math.floor(Math.random() * 1e6) }],
  headerExtensions: [],
  rtcp: { cname, reducedSize: true },
});

/** Processes whose parent is `pid`, with their command name (`/proc/<pid>/stat`). */
async function children(pid: number): Promise<{ pid: number; comm: string }[]> {
  const out: { pid: number; comm: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
    if (m && Number(m[2]) === pid) out.push({ pid: Number(entry), comm: m[1]! });
  }
  return out;
}

/** A running child's environment as name → value. */
async function environOf(pid: number): Promise<Record<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    raw
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** The SDP file a running ffmpeg reads (its `-i` argument), read while it runs. */
async function sdpOfRecorder(pid: number): Promise<string> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  return readFile(argv[argv.indexOf('-i') + 1]!, 'utf8');
}

async function recorderFor(sessionId: string): Promise<number> {
  let found: number | undefined;
  await waitFor(
    'ffmpeg recording the session',
    async () => {
      for (const child of await children(server.pid)) {
        if (child.comm !== 'ffmpeg') continue;
        const argv = await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '');
        if (argv.includes(sessionId)) found = child.pid;
      }
      return found !== undefined;
    },
    20_000,
  );
  return found!;
}

describe('the recorder (issue #11 item 8)', () => {
  it('refuses a produce whose codec parameters or CNAME carry SDP lines, and writes only checked values into the SDP', async () => {
    const { socket, sessionId, transportId } = await caller();
    const produce = (rtpParameters: unknown) => socket.emitWithAck('media:produce', { sessionId, transportId, kind: 'video', rtpParameters });

    const injected = [
      vp8({ 'x-google-start-bitrate': '1000\r\na=x-injected:fmtp-value' }),
      vp8({ 'x\r\nm=audio 9 RTP/AVP 0\r\na=x-injected': 1 }),
      vp8({}, 'cname\r\na=x-injected:cname'),
    ];
    for (const rtpParameters of injected) {
      expect(await produce(rtpParameters), JSON.stringify(rtpParameters)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }

    expect((await produce(vp8({ 'x-google-start-bitrate': 1000 }))).ok).toBe(true);
    const sdp = await sdpOfRecorder(await recorderFor(sessionId));
    expect(sdp).not.toContain('x-injected');
    // Every line is one of the forms recordingSdp writes, with values from our own lists.
    for (const line of sdp.trimEnd().split('\r\n')) {
      expect(line).toMatch(
        /^(v=0|o=- 0 0 IN IP4 127\.0\.0\.1|s=Sightline recording|c=IN IP4 127\.0\.0\.1|t=0 0|m=(video|audio) \d+ RTP\/AVP \d+|a=rtcp:\d+|a=rtpmap:\d+ (VP8|VP9|H264|AV1|opus)\/\d+(\/\d)?|a=fmtp:\d+ [A-Za-z][A-Za-z0-9-]*=[A-Za-z0-9._-]+(;[A-Za-z][A-Za-z0-9-]*=[A-Za-z0-9._-]+)*|a=recvonly)$/,
      );
    }
  });

  it('runs ffmpeg and the mediasoup worker without the server’s secrets in their environment', async () => {
    const { socket, sessionId, transportId } = await caller();
    expect((await socket.emitWithAck('media:produce', { sessionId, transportId, kind: 'video', rtpParameters: vp8({}) })).ok).toBe(true);
    const ffmpeg = await recorderFor(sessionId);
    const workers = (await children(server.pid)).filter((c) => c.comm.startsWith('mediasoup-work'));
    expect(workers.length).toBeGreaterThan(0);

    const ffmpegEnv = await environOf(ffmpeg);
    expect(
      Object.keys(ffmpegEnv).filter((name) => !CHILD_ENV_NAMES.includes(name)),
      'ffmpeg inherits only these names',
    ).toEqual([]);
    expect(ffmpegEnv['PATH']).toBeTruthy();
    for (const pid of [ffmpeg, ...workers.map((w) => w.pid)]) {
      const env = await environOf(pid);
      for (const [name, secret] of Object.entries(SECRETS)) {
        expect(
          Object.values(env).some((v) => v.includes(secret)),
          `${name} in the environment of ${pid}`,
        ).toBe(false);
      }
    }
  });
});
