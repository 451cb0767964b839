import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { framesDecoded, launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, framesKeepRising, liveSession } from '../support/session.js';

/**
 * Redis unavailable for 30 s in the middle of a live call (the process frozen, as a hung Redis
 * looks): the video goes on, what the dispatcher does meanwhile waits and then lands, nothing in
 * the session log is lost or doubled, and the server neither crashes nor spins.
 */
let redis: RedisServer;
let server: TestServer;
let dispatcher: Device;
let caller: Device;

const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
};

beforeAll(async () => {
  redis = await startRedisServer();
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, REDIS_URL: redis.url });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  await redis?.stop();
});

describe('Redis outage', () => {
  it('keeps the call going through 30 s without Redis and loses nothing', async () => {
    const { sessionId, c } = await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-REDIS' });
    // "live" on the card means the caller produces; the console's consumer may still be on its
    // way (and would then wait for Redis with the rest). The claim is about video already flowing.
    await framesKeepRising(dispatcher.page);

    process.kill(redis.pid, 'SIGSTOP');
    const cpuBefore = cpuSeconds(server.pid);
    try {
      const framesAtStart = await framesDecoded(dispatcher.page);
      await dispatcher.page.type(c.sel('chat-input'), 'sent while Redis is down');
      await dispatcher.page.click(c.sel('chat-send'));
      await new Promise((r) => setTimeout(r, 30_000));
      const frames = await framesDecoded(dispatcher.page);
      const state = `caller "${await callerStatus(caller.page)}", console "${await c.status()}"`;
      expect(frames, `video during the outage (${state})`).toBeGreaterThan(framesAtStart + 300);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    const cpuUsed = cpuSeconds(server.pid) - cpuBefore;
    process.stdout.write(`server CPU during the 30 s outage: ${cpuUsed.toFixed(1)} s\n`);
    expect(cpuUsed).toBeLessThan(10);

    // The queued message lands once Redis is back, once.
    await waitFor(
      'chat delivered after the outage',
      () => caller.page.$eval(sel('chat-log'), (el) => el.textContent?.includes('sent while Redis is down')),
      15_000,
    );
    const token = await login(server);
    const detail = await http('GET', `${server.url}/api/sessions/${sessionId}`, { token });
    const chats = detail.body.events.filter(
      (e: { type: string; details?: { text?: string } }) => e.type === 'chat' && e.details?.text === 'sent while Redis is down',
    );
    expect(chats).toHaveLength(1);
    const seqs = detail.body.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
    const supervisor = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${sessionId}/verify`, { token: supervisor })).body).toMatchObject({ intact: true });
    expect(await framesDecoded(dispatcher.page)).toBeGreaterThan(0);
  });
});
