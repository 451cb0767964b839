import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11 (review of item 1): the deployment's cap of live spoken codes (MAX_LIVE_SPOKEN_CODES)
 * counts only codes that can still let a caller in. Before, the codes of ended sessions kept their
 * places until they expired, so 50 sessions ended early blocked every new code (503) for a code
 * lifetime. Now ending a session deletes its code, and so does its caller coming in by the link.
 * From outside, over HTTP, in memory mode and in Redis mode.
 */
const MAX_LIVE = 50; // MAX_LIVE_SPOKEN_CODES (server/src/ratelimit/limits.ts)

describe.each(['memory', 'redis'] as const)('the cap of live spoken codes (%s mode)', (mode) => {
  let server: TestServer;
  let redis: RedisServer | undefined;
  let dataDir: string | undefined;
  let token: string;

  beforeAll(async () => {
    if (mode === 'redis') {
      redis = await startRedisServer();
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-code-cap-'));
      server = await startServer({ REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir });
    } else {
      server = await startServer();
    }
    token = await login(server);
  });

  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const newSession = async (): Promise<string> => {
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const issue = (id: string) => http('POST', `${server.url}/api/sessions/${id}/code`, { token });

  it('frees the code of a session when it ends, and when its caller comes in by the link', async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_LIVE; i++) {
      ids.push(await newSession());
      expect((await issue(ids[i]!)).status).toBe(201);
    }
    const waiting = await newSession();
    expect((await issue(waiting)).status, 'the cap holds').toBe(503);

    // Two ends, two places (sessionsPerDispatcher, 60 an hour, bounds how many sessions one test makes).
    for (const id of ids.slice(0, 2)) expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token })).status).toBe(200);
    expect((await issue(waiting)).status, 'first code after two ends').toBe(201);
    expect((await issue(await newSession())).status, 'second code after two ends').toBe(201);
    expect((await issue(await newSession())).status, 'full again').toBe(503);

    // The caller of the third session taps the SMS link: that session's code has no use left.
    const detail = await http('GET', `${server.url}/api/sessions/${ids[2]}`, { token });
    const inviteCode = String(detail.body.inviteUrl).split('/j/')[1];
    expect((await http('POST', `${server.url}/api/invites/${inviteCode}/redeem`, {})).status).toBe(200);
    expect((await issue(await newSession())).status, 'code after a redemption by link').toBe(201);
  });
});
