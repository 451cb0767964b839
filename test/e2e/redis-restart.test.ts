import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { framesDecoded, inboundVideo, launchDevice, waitFor, type Device } from '../support/browser.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { framesKeepRising, liveSession } from '../support/session.js';

/**
 * Redis restarted under two live nodes (issue #10, kind 13). The session's media is on node-a, the
 * console on node-b (so every media request of the console crosses the node bus). Redis is down
 * longer than a heartbeat's TTL, so every heartbeat has lapsed when it is back, and the nodes come
 * back to it one after the other (each on its own reconnect back-off). Neither may take that for
 * the other's death: the video goes on with the same producer and the same consumer, the session
 * keeps its one owner, nobody logs "node lost". Three restarts, so passing is not luck of timing;
 * then Redis hung (SIGSTOP) as long, where nothing fails but every heartbeat comes back late; then
 * only the node buses' connections cut, while both nodes are steady and a silent bus would count.
 */
const RESTARTS = Number(process.env['REDIS_RESTARTS'] ?? 3);
const DOWN_MS = 5_000; // > the 4 s heartbeat TTL
const SETTLE_MS = 10_000; // > the time a node needs to be judged lost, with Redis up all along

let redis: RedisServer;
let a: TestServer;
let b: TestServer;
let dataDir: string;
let dispatcher: Device;
let caller: Device;

type Detail = { mediaNode?: string; events: { seq: number; type: string }[] };

const metric = async (node: TestServer, name: string) => {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(`${node.url}/metrics`)).text());
  return m ? Number(m[1]) : undefined;
};

beforeAll(async () => {
  redis = await startRedisServer({ persist: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-redis-restart-'));
  const portA = await freePort();
  const shared = { REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${portA}` };
  [a, b] = await Promise.all([startServer({ ...shared, PORT: String(portA), NODE_ID: 'node-a' }), startServer({ ...shared, NODE_ID: 'node-b' })]);
  await waitFor(
    'both nodes in the cluster',
    async () => (await metric(b, 'sightline_cluster_nodes')) === 2 && (await metric(a, 'sightline_cluster_nodes')) === 2,
    10_000,
    200,
  );
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('Redis restarted under two live nodes', () => {
  it('keeps the video on its one owner, same producer and consumer, through repeated restarts, a hung Redis and cut node buses', async () => {
    const { sessionId } = await liveSession(dispatcher.page, caller.page, b.url, { incident: 'INC-REDIS-RESTART' });
    await framesKeepRising(dispatcher.page);
    const token = await login(b);
    const detail = async (): Promise<Detail> => (await http('GET', `${b.url}/api/sessions/${sessionId}`, { token })).body;
    expect((await detail()).mediaNode).toBe('node-a');
    const mediaStarts = (await detail()).events.filter((e) => e.type === 'media_started').length;
    const consumer = (await inboundVideo(dispatcher.page))!;
    expect([await metric(a, 'sightline_rooms'), await metric(b, 'sightline_rooms')]).toEqual([2, 1]);
    expect(consumer).toBeDefined();

    const hang = async () => {
      process.kill(redis.pid, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, DOWN_MS));
      process.kill(redis.pid, 'SIGCONT');
    };
    // Only the node buses' connections dropped (killed every 100 ms for 3 s), Redis up all along:
    // both nodes are steady, so a bus that stays silent counts (ClusterMedia takes a session from a
    // node whose bus is unheard twice, 750 ms apart). node-a's bus is deaf after each kill until
    // node-redis reconnects it (milliseconds); the console's requests that cross to it meanwhile
    // must wait for it, not take the session.
    const cutBuses = async () => {
      const admin = createClient({ url: redis.url });
      await admin.connect();
      try {
        const listeners = async () => Number(((await admin.sendCommand(['PUBSUB', 'NUMSUB', 'sl:node-bus:node-a'])) as [string, number])[1]);
        expect(await listeners()).toBe(1);
        let killed = 0;
        const asking = (async () => {
          for (const until = Date.now() + 3000; Date.now() < until;) await detail();
        })();
        for (const until = Date.now() + 3000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
          killed += Number(await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']));
        }
        await asking;
        expect(killed, 'subscriber connections killed').toBeGreaterThanOrEqual(20);
        await waitFor("node-a's bus listening again", async () => (await listeners()) === 1, 5000, 50);
      } finally {
        await admin.close();
      }
    };
    const faults: [string, () => Promise<void>][] = [
      ...Array.from({ length: RESTARTS }, (_, i): [string, () => Promise<void>] => [`restart ${i + 1}`, () => redis.restart(DOWN_MS)]),
      ['hung Redis', hang],
      ['node buses cut', cutBuses],
    ];
    for (const [round, fault] of faults) {
      const framesBefore = await framesDecoded(dispatcher.page);
      await fault();
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      for (const node of [a, b]) {
        expect(node.output(), `${round}: a node declared lost`).not.toContain('"msg":"node lost"');
        expect(await metric(node, 'sightline_takeovers_total'), `${round}: takeovers`).toBe(0);
      }
      const d = await detail();
      expect(d.mediaNode, round).toBe('node-a');
      expect(
        d.events.filter((e) => e.type === 'media_reset'),
        round,
      ).toEqual([]);
      expect(d.events.filter((e) => e.type === 'media_started').length, `${round}: the caller published again`).toBe(mediaStarts);
      // The same consumer (its SSRC) has gone on decoding: nothing was rebuilt.
      const now = await inboundVideo(dispatcher.page);
      expect(now?.ssrc, `${round}: a new consumer on the console`).toBe(consumer.ssrc);
      expect(await framesDecoded(dispatcher.page), `${round}: frames`).toBeGreaterThan(framesBefore + (5 * (DOWN_MS + SETTLE_MS)) / 1000);
      // Exactly one owner: only node-a holds a room for the session (each node has its template room).
      expect(await metric(a, 'sightline_rooms'), round).toBe(2);
      expect(await metric(b, 'sightline_rooms'), round).toBe(1);
    }
  });
});
