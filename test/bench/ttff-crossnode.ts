/**
 * One sitting of the time-to-first-frame measurement across two Sightline nodes on one real
 * redis-server (issue #12, item 1): the dispatcher's console is on the node that owns the
 * session's media, the caller's page loads from the other node, so every signalling request of the
 * caller after the tap (redeem aside) is forwarded to the owner over the node bus. Otherwise the
 * same method as ./ttff-sightline.ts: tap → first frame the console presents
 * (requestVideoFrameCallback), a fresh session per run, a warm-up run first. Never fails on timing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { startRedisServer } from '../../server/src/testing/redisServer.js';
import { launchDevice, waitFor } from '../support/browser.js';
import { cardScope, dispatcherCreatesSession, endSessionFromConsole } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { countBytes, recordRun, scrapeServer, type Sitting } from './measure.js';
import { armFirstFrameProbe, tapToFirstFrame } from './ttff-sightline.js';

/** Tries at creating a session that lands on the console's node before the run is given up. */
const PLACEMENT_TRIES = 5;

export async function crossNodeSitting(runs: number, label = 'cross-node '): Promise<Sitting> {
  const redis = await startRedisServer();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-ttff-2n-'));
  const shared = { LOG_LEVEL: 'error', REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir };
  const nodes: TestServer[] = [];
  const sitting: Sitting = { ttff: [], bytes: [], steps: [] };
  try {
    // node-a owns the sessions (ties in placement go to the lower id) and serves the console;
    // node-b serves the caller's page and signalling.
    const [owner, other] = await Promise.all([startServer({ ...shared, NODE_ID: 'node-a' }), startServer({ ...shared, NODE_ID: 'node-b' })]);
    nodes.push(owner, other);
    await waitFor('both nodes in the cluster', async () => /^sightline_cluster_nodes 2$/m.test(await metrics(owner)), 15_000, 200);
    const token = await login(owner);
    const [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
    try {
      for (let i = 0; i < runs + 1; i++) {
        const { sessionId, inviteUrl } = await sessionOnOwner(dispatcher.page, owner, token);
        await armFirstFrameProbe(dispatcher.page, sessionId);
        const cdp = await caller.page.createCDPSession();
        const counter = await countBytes(cdp);
        // The same link, reached through the node that does not own the session.
        const link = new URL(inviteUrl);
        await caller.page.goto(`${other.url}${link.pathname}${link.search}`);
        const { ttff, transferred, steps } = await tapToFirstFrame(caller.page, dispatcher.page, sessionId, counter, cdp, () => scrapeBoth(nodes));
        recordRun(i, ttff, transferred, sitting, label, steps);
        await endSession(dispatcher.page, sessionId);
        await caller.page.goto('about:blank');
      }
    } finally {
      await Promise.all([dispatcher.close(), caller.close()]);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return sitting;
}

/** Both nodes' figures added up: the consent is recorded by whichever node the caller's redemption reached. */
async function scrapeBoth(nodes: TestServer[]): Promise<Map<string, number>> {
  const sum = new Map<string, number>();
  for (const m of await Promise.all(nodes.map((n) => scrapeServer(n.url)))) for (const [k, v] of m) sum.set(k, (sum.get(k) ?? 0) + v);
  return sum;
}

const metrics = async (node: TestServer) => (await fetch(`${node.url}/metrics`)).text();

/**
 * A new session, through the console on `owner`, whose media runs on `owner`. Placement goes by the
 * load in the nodes' last heartbeats, so right after a run the owner may still look busier: wait
 * until it looks idle, and should the session land elsewhere anyway, end it and create another.
 */
async function sessionOnOwner(page: Page, owner: TestServer, token: string): Promise<{ sessionId: string; inviteUrl: string }> {
  for (let attempt = 1; ; attempt++) {
    await waitFor('the owner idle in its own view', async () => /^sightline_node_load\{node="node-a"\} 0$/m.test(await metrics(owner)), 15_000, 100);
    const created = await dispatcherCreatesSession(page, owner.url);
    const detail = await http('GET', `${owner.url}/api/sessions/${created.sessionId}`, { token });
    if (detail.body.mediaNode === 'node-a') return created;
    if (attempt >= PLACEMENT_TRIES) throw new Error(`session placed on ${detail.body.mediaNode} ${attempt} times in a row, not on the console's node`);
    process.stdout.write(`(session placed on ${detail.body.mediaNode}: ended, trying again)\n`);
    await endSession(page, created.sessionId);
  }
}

async function endSession(page: Page, sessionId: string): Promise<void> {
  await endSessionFromConsole(page, cardScope(sessionId));
}
