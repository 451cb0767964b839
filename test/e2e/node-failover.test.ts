import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { inboundVideo, launchDevice, newVideoDecoding, waitFor, type Device } from '../support/browser.js';
import { startFailoverProxy, type FailoverProxy } from '../support/failoverProxy.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, framesKeepRising, liveSession } from '../support/session.js';

/**
 * Two nodes on one Redis and one data volume, behind two failover proxies: the caller's (node A
 * first) and the console's (node B first). The session's media is placed on the least-loaded node,
 * so the console on B reaches it through B's signalling proxy. Node A is then SIGKILLed: B takes
 * the session over, the caller reconnects through its proxy to B, and the dispatcher sees video
 * again within 15 s, with one intact log.
 */
let redis: RedisServer;
let a: TestServer;
let b: TestServer;
let callerProxy: FailoverProxy;
let consoleProxy: FailoverProxy;
let dataDir: string;
let shared: Record<string, string>;
let envA: Record<string, string>;
let dispatcher: Device;
let caller: Device;

type Detail = {
  mediaNode?: string;
  status: string;
  recording?: { active: boolean };
  events: { seq: number; type: string; details?: Record<string, unknown> }[];
};

/** Parent pids of the ffmpeg recorders writing into this test's data directory. */
function recorderParents(): number[] {
  const parents: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.startsWith('ffmpeg') || !cmd.includes(dataDir)) continue;
      parents.push(Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]));
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}

/** Each node's load (live consumers) from a node's /metrics: its own heartbeat listing. */
function nodeLoads(metrics: string): Record<string, number> {
  return Object.fromEntries([...metrics.matchAll(/^sightline_node_load\{node="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

beforeAll(async () => {
  redis = await startRedisServer();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-failover-'));
  const [portA, portB] = [await freePort(), await freePort()];
  callerProxy = await startFailoverProxy([portA, portB]);
  consoleProxy = await startFailoverProxy([portB, portA]);
  shared = { REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir, PUBLIC_URL: callerProxy.url };
  [a, b] = await Promise.all([
    startServer((envA = { ...shared, PORT: String(portA), NODE_ID: 'node-a' })),
    startServer({ ...shared, PORT: String(portB), NODE_ID: 'node-b' }),
  ]);
  // Placement below assumes each node has seen the other's heartbeat.
  await waitFor('both nodes in the cluster', async () => /^sightline_cluster_nodes 2$/m.test(await (await fetch(`${b.url}/metrics`)).text()), 10_000, 200);
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([callerProxy?.close(), consoleProxy?.close()]);
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('two nodes, one killed', () => {
  it("places sessions on the least-loaded node and continues a dead node's session on the survivor within 15 s", async () => {
    const { sessionId, c } = await liveSession(dispatcher.page, caller.page, consoleProxy.url, { incident: 'INC-FAILOVER' });
    await framesKeepRising(dispatcher.page);
    const token = await login(b);
    const detail = async (): Promise<Detail> => (await http('GET', `${b.url}/api/sessions/${sessionId}`, { token })).body;
    // Both nodes idle at creation: the tie goes to node-a, although the console is on node-b.
    expect((await detail()).mediaNode).toBe('node-a');

    // Node A now carries the console's consumer; once node B has its heartbeat saying so, a new
    // session goes to B. The metrics show the very listing that placement reads.
    const metricsText = async () => (await fetch(`${b.url}/metrics`)).text();
    await waitFor(
      "node-a heavier than node-b in B's view",
      async () => {
        const load = nodeLoads(await metricsText());
        return (load['node-a'] ?? 0) > (load['node-b'] ?? 0);
      },
      15_000,
      100,
    );
    const second = await http('POST', `${b.url}/api/sessions`, { token, body: { phone: '+4791234568', incidentRef: 'INC-SECOND' } });
    expect(second.status).toBe(201);
    expect((await http('GET', `${b.url}/api/sessions/${second.body.id}`, { token })).body.mediaNode).toBe('node-b');

    // The dispatcher's recording request reaches node B and runs where the media is, on node A.
    const rec = await http('POST', `${b.url}/api/sessions/${sessionId}/recording`, { token, body: { action: 'start' } });
    expect(rec.body).toEqual({ active: true });
    expect((await detail()).recording?.active).toBe(true);
    await waitFor('a recording segment running', async () => (await detail()).events.some((e) => e.type === 'recording_started'), 10_000);

    const before = await inboundVideo(dispatcher.page);
    const killedAt = Date.now();
    process.kill(a.pid, 'SIGKILL');
    await waitFor('the session taken over by node-b', async () => (await detail()).mediaNode === 'node-b', 15_000, 100);
    // Taken over because node-a's bus stayed silent (node-b steady on Redis), not by the heartbeat
    // rule, which needs node-a's heartbeat lapsed (4 s) and missed 2 s more (issue #10, kind 13).
    expect(b.output(), 'takeover waited for the heartbeat rule').not.toContain('"msg":"node lost"');
    // A new consumer (its own SSRC) decoding on node-b: not the old one's last frames.
    await newVideoDecoding(dispatcher.page, before, 15_000 - (Date.now() - killedAt));
    await c.waitStatus('live', Math.max(1000, 15_000 - (Date.now() - killedAt)));
    const tookMs = Date.now() - killedAt;
    process.stdout.write(`video back ${tookMs} ms after node-a was killed\n`);
    expect(tookMs).toBeLessThan(15_000);
    expect(await callerStatus(caller.page)).toMatch(/^live/);

    const d = await detail();
    const seqs = d.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // The recording goes on on node B, in a new segment.
    await waitFor(
      'recording resumed on node-b',
      async () => {
        const now = await detail();
        const reset = now.events.findIndex((e) => e.type === 'media_reset');
        return now.recording?.active && now.events.slice(reset).some((e) => e.type === 'recording_started');
      },
      15_000,
    );
    // node-a's recorder died with it; what records now is node-b's.
    await waitFor('only node-b records', async () => recorderParents().every((ppid) => ppid === b.pid), 5000);
    expect(recorderParents()).toEqual([b.pid]);
    const resets = d.events.filter((e) => e.type === 'media_reset');
    expect(resets).toHaveLength(1);
    expect(resets[0]!.details).toMatchObject({ reason: 'media node lost', from: 'node-a', to: 'node-b' });
    // The takeover came first (a call to a node with no listener fails at once); the membership
    // follows when node-a's heartbeat has lapsed.
    const metrics = await waitFor(
      'node-a out of the cluster',
      async () => {
        const text = await metricsText();
        return /^sightline_cluster_nodes 1$/m.test(text) && text;
      },
      15_000,
      250,
    );
    expect(metrics).toMatch(/^sightline_takeovers_total 1$/m);
    expect(metrics).toMatch(/^sightline_node_load\{node="node-b"\} \d+$/m);
    const supervisor = await login(b, 'supervisor');
    expect((await http('GET', `${b.url}/api/sessions/${sessionId}/verify`, { token: supervisor })).body).toMatchObject({ intact: true });

    // node-a comes back: it rejoins the cluster, leaves the session where it now is, and being the
    // less loaded node it gets the next one.
    a = await startServer(envA);
    await waitFor('node-a back in the cluster', async () => /^sightline_cluster_nodes 2$/m.test(await metricsText()), 10_000, 250);
    await waitFor(
      "node-a lighter than node-b in B's view",
      async () => {
        const load = nodeLoads(await metricsText());
        return load['node-a'] !== undefined && load['node-a'] < (load['node-b'] ?? 0);
      },
      15_000,
      100,
    );
    const third = await http('POST', `${b.url}/api/sessions`, { token, body: { phone: '+4791234569', incidentRef: 'INC-THIRD' } });
    expect((await http('GET', `${b.url}/api/sessions/${third.body.id}`, { token })).body.mediaNode).toBe('node-a');
    expect((await detail()).mediaNode).toBe('node-b');
    await framesKeepRising(dispatcher.page);
  });
});
