import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { startRedisServer, type RedisServer } from '../../../server/src/testing/redisServer.js';
import { inboundVideo, newVideoDecoding, waitFor } from '../../support/browser.js';
import { restartableNodeEnv, startServer, type TestServer } from '../../support/server.js';
import { framesKeepRising, liveSession } from '../../support/session.js';
import { endRun, type Devices, type Scenario } from './common.js';

/** Exited (a zombie holds no sockets any more) or reaped. */
export function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

/** A process and its children (the mediasoup workers, which hold RTC_PORT). */
export function processTree(pid: number): number[] {
  const out = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).stdout.trim();
  return [pid, ...(out ? out.split('\n').map(Number) : [])];
}

/** The node SIGKILLed and started again on the same ports and data, Redis mode (test/e2e/node-restart.test.ts). */
export function nodeRestart(): Scenario {
  let redis: RedisServer;
  let server: TestServer;
  let dataDir: string;
  let env: Record<string, string>;
  let devices: Devices;
  return {
    name: 'node restart',
    what: 'from the restarted node answering /healthz; node-restart.test.ts asserts < 10 s',
    async setup(d) {
      devices = d;
      redis = await startRedisServer();
      ({ env, dataDir } = await restartableNodeEnv(redis.url, 'sightline-bench-restart-'));
      env['LOG_LEVEL'] = 'error';
      server = await startServer(env);
    },
    async run() {
      const { sessionId, c } = await liveSession(devices.dispatcher.page, devices.caller.page, server.url, { incident: 'BENCH-RESTART' });
      await framesKeepRising(devices.dispatcher.page);
      const before = await inboundVideo(devices.dispatcher.page);
      const tree = processTree(server.pid);
      process.kill(server.pid, 'SIGKILL');
      await waitFor('the killed node and its workers gone', async () => tree.every(gone), 10_000);
      server = await startServer(env);
      const upAt = Date.now();
      await newVideoDecoding(devices.dispatcher.page, before, 30_000);
      await c.waitStatus('live', 30_000);
      const ms = Date.now() - upAt;
      await endRun(devices, sessionId);
      return ms;
    },
    async teardown() {
      await server?.stop();
      await redis?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
