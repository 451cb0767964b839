import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { inboundVideo, launchDevice, newVideoDecoding, waitFor, type Device } from '../support/browser.js';

import { http, login, restartableNodeEnv, startServer, type TestServer } from '../support/server.js';
import { callerStatus, framesKeepRising, liveSession } from '../support/session.js';

/**
 * A node killed outright and started again (Redis mode, same data): console and caller reconnect
 * and resume by themselves within 10 s, and the session log has nothing lost or doubled.
 */
let redis: RedisServer;
let server: TestServer;
let env: Record<string, string>;
let dataDir: string;
let dispatcher: Device;
let caller: Device;

function childPids(pid: number): number[] {
  const out = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).stdout.trim();
  return out ? out.split('\n').map(Number) : [];
}

/** Exited (a zombie holds no sockets any more) or reaped. */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

beforeAll(async () => {
  redis = await startRedisServer();
  ({ env, dataDir } = await restartableNodeEnv(redis.url, 'sightline-restart-'));
  server = await startServer(env);
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('node restart', () => {
  it('resumes the call within 10 s of the node coming back, log intact', async () => {
    const { sessionId, c } = await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-RESTART' });
    await framesKeepRising(dispatcher.page);
    const before = await inboundVideo(dispatcher.page);

    // The node comes back on the same ports: wait until the killed process and its mediasoup
    // workers (which hold RTC_PORT) are gone.
    const tree = [server.pid, ...childPids(server.pid)];
    process.kill(server.pid, 'SIGKILL');
    await waitFor('the killed node and its workers gone', async () => tree.every(gone), 10_000);
    server = await startServer(env);
    const upAt = Date.now();
    // A new consumer (its own SSRC) decoding: not the old one's last frames.
    await newVideoDecoding(dispatcher.page, before, 10_000);
    await c.waitStatus('live', 10_000 - (Date.now() - upAt));
    process.stdout.write(`video back ${Date.now() - upAt} ms after the node was up again\n`);
    await waitFor('caller live again', async () => (await callerStatus(caller.page)).startsWith('live'), 10_000);

    const token = await login(server);
    const detail = await http('GET', `${server.url}/api/sessions/${sessionId}`, { token });
    const seqs = detail.body.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
    const types = detail.body.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'created')).toHaveLength(1);
    expect(types).toContain('reconnecting');
    const supervisor = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${sessionId}/verify`, { token: supervisor })).body).toMatchObject({ intact: true });
  });
});
