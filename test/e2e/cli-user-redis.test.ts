import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { http, REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * `npx sightline user add` with REDIS_URL: the user goes to Redis (where every node looks), not
 * to `$DATA_DIR/users.json`, and can then log in on a server that shares only that Redis with the
 * command (its own DATA_DIR). The command is the operator's binary, server/bin/sightline.js.
 */
let redis: RedisServer;
let cliDataDir: string;
let server: TestServer | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
  cliDataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-cli-user-'));
});

afterAll(async () => {
  await server?.stop();
  await redis?.stop();
  if (cliDataDir) await rm(cliDataDir, { recursive: true, force: true });
});

function userAdd(name: string, role: string, password: string) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'server/bin/sightline.js'), 'user', 'add', name, '--role', role], {
    cwd: REPO_ROOT,
    input: `${password}\n`,
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: redis.url, DATA_DIR: cliDataDir, LOG_LEVEL: 'warn' },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

const redisGet = (key: string) => execFileSync('redis-cli', ['-p', String(redis.port), '--raw', 'GET', key], { encoding: 'utf8' }).trim();
const redisCli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(redis.port), '--raw', ...args], { encoding: 'utf8' }).trim();

describe('npx sightline user add with REDIS_URL', () => {
  it('puts the user in Redis with a scrypt hash, and nothing in DATA_DIR', async () => {
    const added = userAdd('alice', 'supervisor', 'alice-first-password');
    expect(added.out).toContain('added supervisor alice');
    expect(added.status).toBe(0);

    const stored = JSON.parse(redisGet('sl:user:alice') || 'null') as { username: string; role: string; passwordHash: string } | null;
    expect(stored, 'sl:user:alice in Redis').not.toBeNull();
    expect(stored).toMatchObject({ username: 'alice', role: 'supervisor' });
    expect(stored!.passwordHash).toMatch(/^scrypt\$/);
    expect(stored!.passwordHash).not.toContain('alice-first-password');
    expect(redisCli('SISMEMBER', 'sl:users', 'alice')).toBe('1');
    expect(existsSync(path.join(cliDataDir, 'users.json')), 'users.json written despite REDIS_URL').toBe(false);
    expect(await readdir(cliDataDir)).toEqual([]);
  });

  it('refuses a second add of the same name and keeps the first password', () => {
    const before = redisGet('sl:user:alice');
    const again = userAdd('alice', 'dispatcher', 'alice-other-password');
    expect(again.status).toBe(1);
    expect(again.out).toContain('user alice exists already');
    expect(redisGet('sl:user:alice')).toBe(before);
  });

  it('lets the user log in on a server that shares only that Redis', async () => {
    server = await startServer({ REDIS_URL: redis.url });
    const ok = await http('POST', `${server.url}/api/auth/login`, { body: { username: 'alice', password: 'alice-first-password' } });
    expect(ok.status).toBe(200);
    expect(ok.body.role).toBe('supervisor');
    const refused = await http('POST', `${server.url}/api/auth/login`, { body: { username: 'alice', password: 'alice-other-password' } });
    expect(refused.status).toBe(401);
    // The role came along: the supervisors' access record is open to alice.
    expect((await http('GET', `${server.url}/api/audit/access`, { token: ok.body.token })).status).toBe(200);
  });
});
