import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startRedisServer, type RedisServer } from '../../../server/src/testing/redisServer.js';
import { inboundVideo, newVideoDecoding, waitFor } from '../../support/browser.js';
import { startFailoverProxy, type FailoverProxy } from '../../support/failoverProxy.js';
import { freePort, http, login, startServer, type TestServer } from '../../support/server.js';
import { framesKeepRising, liveSession } from '../../support/session.js';
import { endRun, type Devices, type Scenario } from './common.js';
import { gone, processTree } from './restart.js';

interface Node {
  id: string;
  env: Record<string, string>;
  server: TestServer;
}

const clusterSize = async (n: Node) => Number(/^sightline_cluster_nodes (\d+)$/m.exec(await (await fetch(`${n.server.url}/metrics`)).text())?.[1] ?? 0);

/**
 * Two nodes on one Redis behind failover proxies (caller's: A first; console's: B first); the node
 * carrying the session's media SIGKILLed, then started again for the next run
 * (test/e2e/node-failover.test.ts, here without a recording running).
 */
export function nodeFailover(): Scenario {
  let redis: RedisServer;
  let dataDir: string;
  let nodes: Node[] = [];
  let proxies: FailoverProxy[] = [];
  let devices: Devices;
  return {
    name: 'node failover',
    what: 'from the SIGKILL of the media node; node-failover.test.ts asserts < 15 s',
    async setup(d) {
      devices = d;
      redis = await startRedisServer();
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-bench-failover-'));
      const [portA, portB] = [await freePort(), await freePort()];
      const callerProxy = await startFailoverProxy([portA, portB]);
      const consoleProxy = await startFailoverProxy([portB, portA]);
      proxies = [callerProxy, consoleProxy];
      const shared = { REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir, PUBLIC_URL: callerProxy.url, LOG_LEVEL: 'error' };
      const envs = [
        { ...shared, PORT: String(portA), NODE_ID: 'node-a' },
        { ...shared, PORT: String(portB), NODE_ID: 'node-b' },
      ];
      nodes = await Promise.all(envs.map(async (env) => ({ id: env.NODE_ID, env, server: await startServer(env) })));
      await waitFor('both nodes in the cluster', async () => (await clusterSize(nodes[1]!)) === 2, 15_000, 200);
    },
    async run() {
      const consoleUrl = proxies[1]!.url;
      const { sessionId, c } = await liveSession(devices.dispatcher.page, devices.caller.page, consoleUrl, { incident: 'BENCH-FAILOVER' });
      await framesKeepRising(devices.dispatcher.page);
      const token = await login(nodes[0]!.server);
      const mediaNode = (await http('GET', `${nodes[0]!.server.url}/api/sessions/${sessionId}`, { token })).body.mediaNode as string;
      const victim = nodes.find((n) => n.id === mediaNode)!;
      const survivor = nodes.find((n) => n !== victim)!;
      const before = await inboundVideo(devices.dispatcher.page);
      const tree = processTree(victim.server.pid);
      process.kill(victim.server.pid, 'SIGKILL');
      const killedAt = Date.now();
      await newVideoDecoding(devices.dispatcher.page, before, 30_000);
      await c.waitStatus('live', 30_000);
      const ms = Date.now() - killedAt;
      await endRun(devices, sessionId);
      // Back to two nodes for the next run.
      await waitFor('the killed node gone', async () => tree.every(gone), 10_000);
      victim.server = await startServer(victim.env);
      await waitFor('two nodes again', async () => (await clusterSize(survivor)) === 2, 20_000, 200);
      process.stdout.write(`node failover: the media was on ${victim.id}, killed, back for the next run\n`);
      return ms;
    },
    async teardown() {
      await Promise.all(nodes.map((n) => n.server.stop()));
      await Promise.all(proxies.map((p) => p.close()));
      await redis?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
