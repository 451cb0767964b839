import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

/** A real redis-server on a free loopback port, in a scratch directory, with no persistence unless asked. */
export interface RedisServer {
  url: string;
  port: number;
  /** For fault tests (SIGSTOP/SIGCONT). Changes on restart. */
  pid: number;
  /**
   * Stops the server (SIGTERM, as an orderly restart does), keeps it down for `downMs`, and starts
   * it again on the same port. With `persist`, what it held comes back (append-only file).
   */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** `args`: more redis-server options, after ours (a later option wins), e.g. a deployment file's command. */
export async function startRedisServer(opts: { persist?: boolean; args?: readonly string[] } = {}): Promise<RedisServer> {
  const bin = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-redis-'));
  const port = await freePort();
  const persistence = opts.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir, ...(opts.args ?? [])];
  let child = await launch(bin, args);
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    async restart(downMs) {
      await stopChild();
      await new Promise((r) => setTimeout(r, downMs));
      child = await launch(bin, args);
      server.pid = child.pid!;
    },
    async stop() {
      await stopChild();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

async function launch(bin: string, args: string[]): Promise<ChildProcess> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${bin} (install redis-server): ${err.message}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}
