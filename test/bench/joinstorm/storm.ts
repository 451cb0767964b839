import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserService } from '../../../server/src/auth/UserService.js';
import { createLogger } from '../../../server/src/logging.js';
import { createStore } from '../../../server/src/store/createStore.js';
import { startRedisServer } from '../../../server/src/testing/redisServer.js';
import { waitFor } from '../../support/browser.js';
import { startServer, type TestServer } from '../../support/server.js';
import { callerOpensLink, callerTaps, Dispatcher } from './actors.js';
import { loopback, type StormSocket } from './net.js';
import { LoadSampler, type LoadSample } from './LoadSampler.js';

const PASSWORD = 'join-storm-password';
/** SERVER_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to the server processes only, for profiling. */
const PROFILING: Record<string, string> = process.env['SERVER_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['SERVER_NODE_OPTIONS'] } : {};
/** Address blocks (net.ts loopback): dispatchers' workstations and callers' phones. */
const DISPATCHER_BLOCK = 20;
const CALLER_BLOCK = 30;

/** One deployment under test: its nodes by NODE_ID, started with the dispatchers' users in its store. */
export interface Topology {
  name: string;
  nodes: { id: string; server: TestServer }[];
  stop(): Promise<void>;
}

async function addDispatchers(redisUrl: string | undefined, dataDir: string, count: number): Promise<void> {
  const { store } = await createStore(redisUrl, dataDir);
  try {
    const users = new UserService(store, createLogger('warn'));
    for (let d = 0; d < count; d++) await users.add(`dispatcher${d}`, 'dispatcher', PASSWORD);
  } finally {
    await store.close();
  }
}

/**
 * The deployment's defaults except where noted: LOG_LEVEL info (the default), mediasoup workers as
 * given (one node: 2, one per core, the default on this machine; two nodes on this one machine: 1
 * each, so the two share the 2 cores as two 1-core hosts would not, which the report says).
 */
export async function oneNode(dispatchers: number): Promise<Topology> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-storm-'));
  await addDispatchers(undefined, dataDir, dispatchers);
  const server = await startServer({ DATA_DIR: dataDir, MEDIASOUP_WORKERS: '2', LOG_LEVEL: 'info', NODE_ID: 'node-a', ...PROFILING });
  return {
    name: 'one node (memory store)',
    nodes: [{ id: 'node-a', server }],
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function twoNodes(dispatchers: number): Promise<Topology> {
  const redis = await startRedisServer();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-storm-2n-'));
  await addDispatchers(redis.url, dataDir, dispatchers);
  const shared = {
    REDIS_URL: redis.url,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    MEDIASOUP_WORKERS: '1',
    LOG_LEVEL: 'info',
    ...PROFILING,
  };
  const [a, b] = await Promise.all([startServer({ ...shared, NODE_ID: 'node-a' }), startServer({ ...shared, NODE_ID: 'node-b' })]);
  await waitFor('both nodes in the cluster', async () => /^sightline_cluster_nodes 2$/m.test(await (await fetch(`${a.url}/metrics`)).text()), 15_000, 200);
  return {
    name: 'two nodes (one redis-server)',
    nodes: [
      { id: 'node-a', server: a },
      { id: 'node-b', server: b },
    ],
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One session of the storm, ms; `failure` says at which step and why when it did not get through. */
export interface SessionResult {
  n: number;
  createMs?: number;
  /** Caller's redeem request sent → its media:produce answered (producer on the server). */
  joinMs?: number;
  /** Caller's redeem request sent → the console's media:consume answered (consumer on the server). */
  consoleMs?: number;
  /** Storm start → the console's consumer answered. */
  doneAtMs?: number;
  callerCrossNode: boolean;
  failure?: string;
}

export interface StormResult {
  topology: string;
  pattern: string;
  sessions: SessionResult[];
  load: { node: string; sample: LoadSample }[];
  /** CPU seconds the bench's own clients used (they share the machine with the server). */
  clientCpuSeconds: number;
  wallSeconds: number;
  /** The servers' warnings and errors during the storm, counted by node and message. */
  warnings: Map<string, number>;
}

/** Counts pino lines at warn (40) and above in `output`, from character `from` on, as "node: msg". */
function countWarnings(into: Map<string, number>, node: string, output: string): void {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as { level?: number; msg?: string; err?: string };
      if ((rec.level ?? 0) < 40) continue;
      const key = `${node}: ${rec.msg ?? '?'}${rec.err ? ` (${String(rec.err).slice(0, 120)})` : ''}`;
      into.set(key, (into.get(key) ?? 0) + 1);
    } catch {
      // not a log record
    }
  }
}

const now = () => performance.timeOrigin + performance.now();

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing in ${ms / 1000} s`)), ms))]);
}

/**
 * Signs the dispatchers in (each at its own address, consoles spread over the nodes), runs `warmUp`
 * sessions that are not counted, then starts session n at `arrivalsMs[n]` after the storm's start:
 * the dispatcher creates it and its console attaches; the caller opens the link (on two nodes: on
 * the node that does not own the session for odd n, else on the owner) and taps.
 */
export async function runStorm(
  topo: Topology,
  pattern: string,
  arrivalsMs: readonly number[],
  opts: { dispatchers: number; warmUp: number },
): Promise<StormResult> {
  const consoles: Dispatcher[] = [];
  const callerSockets: StormSocket[] = [];
  try {
    for (let d = 0; d < opts.dispatchers; d++) {
      const node = topo.nodes[d % topo.nodes.length]!.server;
      consoles.push(await Dispatcher.signIn(node.url, `dispatcher${d}`, PASSWORD, loopback(DISPATCHER_BLOCK, d)));
    }
    const one = async (n: number, startedAt: number): Promise<SessionResult> => {
      const result: SessionResult = { n, callerCrossNode: topo.nodes.length > 1 && n % 2 === 1 };
      let step = 'create';
      try {
        const dispatcher = consoles[n % consoles.length]!;
        const t0 = now();
        const created = await dispatcher.createSession(n);
        result.createMs = now() - t0;
        step = 'console attach';
        const card = dispatcher.attach(created.id);
        const { mediaNode } = await withTimeout(card.ready, 30_000, step);
        const owner = topo.nodes.find((x) => x.id === mediaNode) ?? topo.nodes[0]!;
        const other = topo.nodes.find((x) => x !== owner) ?? owner;
        const page = (result.callerCrossNode ? other : owner).server.url;
        const address = loopback(CALLER_BLOCK, n);
        step = 'caller opens link';
        const { code, device } = await callerOpensLink(page, created.inviteUrl, address);
        step = 'caller tap';
        const join = await withTimeout(callerTaps(page, code, device, address), 30_000, step);
        callerSockets.push(join.socket);
        result.joinMs = join.producedAt - join.tapAt;
        step = 'console consumer';
        const consumerAt = await withTimeout(card.consumerAt, 30_000, step);
        result.consoleMs = consumerAt - join.tapAt;
        result.doneAtMs = consumerAt - startedAt;
      } catch (err) {
        result.failure = `${step}: ${(err as Error).message}`;
      }
      return result;
    };
    for (let w = 0; w < opts.warmUp; w++) {
      const r = await one(100_000 + w, now());
      if (r.failure) throw new Error(`warm-up session failed at ${r.failure}`);
    }
    const outputFrom = topo.nodes.map((x) => x.server.output().length);
    const samplers = topo.nodes.map((x) => ({ node: x.id, sampler: new LoadSampler(x.server.url) }));
    await Promise.all(samplers.map((s) => s.sampler.start()));
    const cpu0 = process.cpuUsage();
    const startedAt = now();
    const sessions = await Promise.all(arrivalsMs.map((at, n) => new Promise<SessionResult>((resolve) => setTimeout(() => resolve(one(n, startedAt)), at))));
    const wallSeconds = (now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const load = await Promise.all(samplers.map(async (s) => ({ node: s.node, sample: await s.sampler.stop() })));
    const warnings = new Map<string, number>();
    topo.nodes.forEach((x, i) => countWarnings(warnings, x.id, x.server.output().slice(outputFrom[i])));
    return { topology: topo.name, pattern, sessions, load, clientCpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds, warnings };
  } finally {
    for (const s of callerSockets) s.disconnect();
    for (const c of consoles) c.close();
  }
}
