import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { waitFor } from '../support/browser.js';
import { http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * Signed log checkpoints in Redis mode: two nodes append to one session's log on the shared data
 * volume and both sign its heads into one checkpoint chain, which stays valid and monotonic however
 * they interleave. A log cut afterwards is named broken by either node and by the command line, which
 * with REDIS_URL also checks the store's event count.
 */
const run = promisify(execFile);
let redis: RedisServer;
let a: TestServer;
let b: TestServer;
let dataDir: string;
let keyDir: string;
let publicKeyFile: string;

beforeAll(async () => {
  redis = await startRedisServer();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-cp-cluster-'));
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-cp-cluster-key-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(path.join(keyDir, 'checkpoint.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  publicKeyFile = path.join(keyDir, 'checkpoint.pub.pem');
  await writeFile(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const shared = {
    REDIS_URL: redis.url,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    CHECKPOINT_KEY_FILE: path.join(keyDir, 'checkpoint.pem'),
    CHECKPOINT_INTERVAL_SECONDS: '1',
  };
  a = await startServer(shared);
  b = await startServer(shared);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(keyDir, { recursive: true, force: true });
});

type Entry = { seq: number; node: string; logs: Record<string, { seq: number }> };
const checkpoints = async (): Promise<Entry[]> =>
  (await readFile(path.join(dataDir, 'index', 'checkpoints.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Entry);

describe('signed checkpoints with two nodes on one Redis and one data volume', () => {
  it('both nodes sign the heads they append into one valid chain; a cut log is then broken on either node and on the command line', async () => {
    const tokenA = await login(a);
    const tokenB = await login(b);
    const created = await http('POST', `${a.url}/api/sessions`, { token: tokenA, body: { phone: '+4791234567', incidentRef: 'INC-CP-2N' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const logFile = path.join(dataDir, 'sessions', id, 'log.jsonl');
    const count = async () => (await readFile(logFile, 'utf8')).split('\n').filter(Boolean).length;
    // Each node appends in turn and waits for its own checkpoint of what it wrote.
    const signedBy = new Set<string>();
    for (const [node, token] of [
      [a, tokenA],
      [b, tokenB],
      [a, tokenA],
      [b, tokenB],
    ] as const) {
      expect((await http('POST', `${node.url}/api/sessions/${id}/viewers`, { token })).status).toBe(201);
      const n = await count();
      const entry = await waitFor(`checkpoint at seq ${n}`, async () => (await checkpoints()).find((e) => (e.logs[id]?.seq ?? 0) >= n));
      signedBy.add(entry.node);
    }
    expect(signedBy.size).toBe(2);
    const heads = (await checkpoints()).map((e) => e.logs[id]?.seq).filter((s): s is number => s !== undefined);
    expect(heads).toEqual([...heads].sort((x, y) => x - y));

    const supA = await login(a, 'supervisor');
    const supB = await login(b, 'supervisor');
    for (const [node, token] of [
      [a, supA],
      [b, supB],
    ] as const) {
      expect((await http('GET', `${node.url}/api/sessions/${id}/verify`, { token })).body).toMatchObject({ intact: true });
    }
    // Each verify above was itself logged (a supervisor's look): wait until those are signed too.
    const n = await count();
    await waitFor(`checkpoint at seq ${n}`, async () => (await checkpoints()).some((e) => (e.logs[id]?.seq ?? 0) >= n));
    const env = { ...process.env, DATA_DIR: dataDir, REDIS_URL: redis.url, CHECKPOINT_KEY_FILE: '', CHECKPOINT_PUBLIC_KEY_FILE: publicKeyFile };
    const cli = path.join(REPO_ROOT, 'server/bin/sightline.js');
    expect((await run(process.execPath, [cli, 'verify', id], { env })).stdout).toMatch(new RegExp(`^intact: ${n} records`));

    const lines = (await readFile(logFile, 'utf8')).split('\n').filter(Boolean);
    await writeFile(
      logFile,
      lines
        .slice(0, -1)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const broken = await run(process.execPath, [cli, 'verify', id], { env }).catch((e: { code: number; stderr: string }) => e);
    expect((broken as { code: number }).code).toBe(1);
    expect((broken as { stderr: string }).stderr).toMatch(
      new RegExp(`broken: first bad record is seq ${n}, link checkpoint \\(the log ends at seq ${n - 1}, records ${n}–${n} are missing`),
    );
    // Each REST verify appends its own record first (a supervisor's look), on top of the cut log, so
    // which link names the damage depends on what was appended since; broken it is on both nodes.
    for (const [node, token] of [
      [a, supA],
      [b, supB],
    ] as const) {
      const r = (await http('GET', `${node.url}/api/sessions/${id}/verify`, { token })).body;
      expect(r, node.url).toMatchObject({ intact: false });
      expect(r.reason, node.url).toBeTruthy();
    }
  });
});
