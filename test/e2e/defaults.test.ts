import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../server/src/testing/ports.js';
import { waitFor } from '../support/browser.js';
import { DEMO_PASSWORD, http, REPO_ROOT } from '../support/server.js';

/**
 * `npm start` on the embedded defaults (README "Two commands"): nothing set but the ports, a data
 * directory and the demo password. One mediasoup worker per core, each with one WebRtcServer on
 * one UDP and one TCP port (RTC_PORT + i); every socket, HTTP and RTC, on 127.0.0.1 only; the
 * in-memory store; SMS printed on the terminal, link first. (Other e2e servers set
 * MEDIASOUP_WORKERS=1; this one does not.)
 */
const cores = os.availableParallelism();
let child: ChildProcess;
let out = '';
let url = '';
let port = 0;
let rtcPort = 0;
let dataDir = '';

beforeAll(async () => {
  port = await freePortRange(1);
  rtcPort = await freePortRange(cores);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-defaults-'));
  // Only what an operator's shell has, plus the three settings; no test defaults.
  const env = { PATH: process.env['PATH']!, HOME: os.homedir(), PORT: String(port), RTC_PORT: String(rtcPort), DATA_DIR: dataDir, DEMO_PASSWORD };
  child = spawn(process.execPath, [path.join(REPO_ROOT, 'server/dist/main.js')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  url = `http://127.0.0.1:${port}`;
  await waitFor(
    'healthy',
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200;
    },
    30_000,
    100,
  );
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Listening sockets of the server and its worker processes, as `proto address:port`. */
function listening(): string[] {
  const pids = new Set([
    String(child.pid),
    ...execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean),
  ]);
  const lines = execFileSync('ss', ['-H', '-lntup'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return lines
    .filter((l) => [...l.matchAll(/pid=(\d+)/g)].some((m) => pids.has(m[1]!)))
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return `${f[0]} ${f[4]}`;
    })
    .sort();
}

describe('npm start on the embedded defaults', () => {
  it('runs one mediasoup worker per core, each with one UDP and one TCP port, and listens on 127.0.0.1 only', async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^sightline_mediasoup_workers ${cores}$`, 'm'));
    expect(
      execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean),
    ).toHaveLength(cores);

    const sockets = listening();
    const want = [`tcp 127.0.0.1:${port}`];
    for (let i = 0; i < cores; i++) want.push(`tcp 127.0.0.1:${rtcPort + i}`, `udp 127.0.0.1:${rtcPort + i}`);
    expect(sockets).toEqual(want.sort());
  });

  it('keeps sessions in memory and prints each SMS on the terminal, link first', async () => {
    const login = await http('POST', `${url}/api/auth/login`, { body: { username: 'dispatcher', password: DEMO_PASSWORD } });
    expect(login.status).toBe(200);
    const created = await http('POST', `${url}/api/sessions`, { token: login.body.token, body: { phone: '+4791234567', incidentRef: 'INC-DEFAULTS' } });
    expect(created.status).toBe(201);
    const inviteUrl = created.body.inviteUrl as string;
    // PUBLIC_URL defaults to http://localhost:$PORT.
    expect(inviteUrl.startsWith(`http://localhost:${port}/j/`)).toBe(true);
    const line = await waitFor('the SMS line', async () => out.split('\n').find((l) => l.includes(inviteUrl)));
    expect(line.startsWith('[sms → ')).toBe(true);
    expect(line.split(`session ${created.body.id}] `)[1]?.startsWith(inviteUrl), line).toBe(true);
    expect(line).not.toContain('91234567');
    const detail = await http('GET', `${url}/api/sessions/${created.body.id}`, { token: login.body.token });
    expect(detail.body.status).toBe('sms_sent');
  });
});
