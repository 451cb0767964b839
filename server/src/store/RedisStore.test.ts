import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from '../testing/redisServer.js';
import { RedisStore } from './RedisStore.js';
import { storeContract } from './Store.contract.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

// A fresh key prefix per store keeps the contract's cases independent on one server.
storeContract('redis (real redis-server)', async () => RedisStore.connect(redis.url, `t${randomUUID().slice(0, 8)}:`));
