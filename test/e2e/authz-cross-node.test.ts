import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { requestSchemas, type RequestName } from '@sightline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { REST } from '../support/authzMatrix.js';
import { addUsers, makeMatrix, request, restMismatches, socketMismatches, type Matrix } from '../support/authzRun.js';
import { waitFor } from '../support/browser.js';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { builtRoutes, routeKey } from '../support/routeTable.js';
import { startServer, type TestServer } from '../support/server.js';

/**
 * The access matrix across nodes: two nodes on one real redis-server and one data volume. The
 * session under test has its media on one node (its owner); every route and every signalling
 * message is tried as every principal on both nodes. On the other node, socket messages pass its
 * gate and are carried to the owner over Redis: the owner's people must be served there and
 * everyone else refused, exactly as on the owner. Generated from the same route table and message
 * list as authz-matrix.test.ts.
 */
const SECRET = randomBytes(32).toString('hex');
const API = (await builtRoutes()).filter((r) => r.path.startsWith('/api/')).map(routeKey);
const MESSAGES = Object.keys(requestSchemas) as RequestName[];
let redis: RedisServer;
let fake: FakeTwilio;
let dataDir: string;
const nodes: Record<string, TestServer> = {};
let m: Matrix;
let owner: string;

beforeAll(async () => {
  redis = await startRedisServer();
  fake = await startFakeTwilio();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-matrix-2n-'));
  await addUsers({ REDIS_URL: redis.url, DATA_DIR: dataDir });
  const shared = {
    REDIS_URL: redis.url,
    JWT_SECRET: SECRET,
    DATA_DIR: dataDir,
    ...twilioEnv(fake),
  };
  const [a, b] = await Promise.all([startServer({ ...shared, NODE_ID: 'node-a' }), startServer({ ...shared, NODE_ID: 'node-b' })]);
  Object.assign(nodes, { 'node-a': a, 'node-b': b });
  for (const node of [a, b]) {
    await waitFor('both nodes in the cluster', async () => /^sightline_cluster_nodes 2$/m.test(await (await fetch(`${node.url}/metrics`)).text()), 15_000, 200);
  }
  m = await makeMatrix(a.url, dataDir, SECRET);
  const detail = await request(a.url, 'GET', `/api/sessions/${m.fx.sessionId}`, { token: m.tokens['dispatcher'] });
  owner = detail.body.mediaNode;
});

afterAll(async () => {
  m?.close();
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
  await fake?.close();
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

it("places the session's media on one of the two nodes", () => {
  expect(['node-a', 'node-b']).toContain(owner);
});

for (const where of ['on the other node', 'on the owner'] as const) {
  const base = () => nodes[where === 'on the owner' ? owner : owner === 'node-a' ? 'node-b' : 'node-a']!.url;

  describe(`REST ${where}`, () => {
    for (const key of API) {
      it(key, async () => {
        expect(REST[key], `no expectation for ${key}`).toBeDefined();
        expect(await restMismatches(base(), m, key, REST[key]!)).toEqual([]);
      });
    }
  });

  describe(`socket ${where}`, () => {
    for (const event of MESSAGES) {
      it(event, async () => {
        expect(await socketMismatches(base(), m, event)).toEqual([]);
      });
    }
  });
}

it("served the other node's sockets through the owner: no media objects on the other node", async () => {
  const gauge = async (node: string, name: string) =>
    Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(`${nodes[node]!.url}/metrics`)).text())?.[1]);
  const other = owner === 'node-a' ? 'node-b' : 'node-a';
  for (const name of ['sightline_producers', 'sightline_consumers']) {
    expect(await gauge(other, name), `${name} on ${other}`).toBe(0);
    expect(await gauge(owner, name), `${name} on ${owner}`).toBeGreaterThan(0);
  }
});
