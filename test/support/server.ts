import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePortRange } from '../../server/src/testing/ports.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO_PASSWORD = 'e2e-demo-password';

/** A Sightline server started the way an operator starts it (`node server/dist/main.js`), on loopback. */
export interface TestServer {
  url: string;
  pid: number;
  /** Everything the process printed so far (console SMS lines included). */
  output(): string;
  stop(): Promise<void>;
}

export { freePort, freePortRange } from '../../server/src/testing/ports.js';

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const port = env['PORT'] ? Number(env['PORT']) : await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-e2e-'));
  // Worker i binds RTC_PORT + i for UDP and TCP: the whole range must be free.
  const rtcPort = env['RTC_PORT'] ?? String(await freePortRange(Number(env['MEDIASOUP_WORKERS'] ?? 1)));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'server/dist/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      RTC_PORT: rtcPort,
      MEDIASOUP_WORKERS: '1',
      DEMO_PASSWORD,
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const tls = Boolean(env['TLS_CERT_FILE']);
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
    try {
      if ((tls ? (await getInsecure(`${url}/healthz`)).status : (await fetch(`${url}/healthz`)).status) === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The environment of a Redis-mode node that a test stops and starts again as "the same node": fixed
 * HTTP and RTC ports, data directory and signing key, so the restarted process finds its clients,
 * its sessions and its tokens where the first one left them. The caller removes `dataDir`.
 */
export async function restartableNodeEnv(redisUrl: string, prefix: string): Promise<{ env: Record<string, string>; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const port = await freePort();
  const env = {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    REDIS_URL: redisUrl,
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString('hex'),
    RTC_PORT: String(await freePortRange(1)),
  };
  return { env, dataDir };
}

/** GET over HTTPS accepting a self-signed certificate (tests only). */
export function getInsecure(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

/** REST helper for tests: JSON in, `{status, body}` out. */
export async function http(method: string, url: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  return { status: res.status, body: await jsonOrText(res) };
}

/** A response body as JSON when it is JSON, else as text (pages, empty 204s). */
export async function jsonOrText(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function login(server: TestServer, username = 'dispatcher'): Promise<string> {
  const r = await http('POST', `${server.url}/api/auth/login`, { body: { username, password: DEMO_PASSWORD } });
  if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}
