import { createClient } from 'redis';

function createRedisClient(url: string) {
  return createClient({ url });
}

/** A node-redis client as Sightline uses it (RESP defaults, no modules). */
export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * A connected client for `url` (REDIS_URL). It reconnects by itself after a drop; its errors are
 * heard here, since without a listener node-redis rethrows them as uncaught and ends the process.
 * @throws when Redis cannot be reached at first.
 */
export async function connectRedis(url: string): Promise<RedisClient> {
  const client = createRedisClient(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}
