import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import type { RedisStore } from '../store/RedisStore.js';

/** Where the generated key is kept in Redis (under the store's prefix). */
export const CLUSTER_SECRET_NAME = 'jwt-secret';

/**
 * The token signing key of a node started without JWT_SECRET in Redis mode. Each node brings its
 * own random candidate; the first one stored wins (SET NX in one step, so nodes starting at the
 * same moment still agree) and every node signs with that one. This keeps "starts on embedded
 * defaults" true for several nodes: without it each node signed with its own key and a token from
 * one node was refused by the others (issue #10, kind 11).
 *
 * The key lives in Redis with no expiry. If Redis loses it (restart without persistence), the next
 * reconnect puts this node's key back, which is the key the running nodes share; a node that
 * nevertheless finds another key there is logged as an error: its tokens and the others' no longer
 * mix until JWT_SECRET is set. Production requires JWT_SECRET (config.ts), so this path is for
 * development and demos. Neither key is ever logged.
 */
export async function clusterSecret(store: RedisStore, candidate: Buffer, log: Logger): Promise<Buffer> {
  const mine = candidate.toString('base64');
  const agreed = await store.agreeOn(CLUSTER_SECRET_NAME, mine);
  log.warn(
    { key: `${CLUSTER_SECRET_NAME} in Redis` },
    'JWT_SECRET is not set: using the signing key shared by the nodes on this Redis (set JWT_SECRET in production)',
  );
  store.client.on('ready', () => {
    store
      .agreeOn(CLUSTER_SECRET_NAME, agreed)
      .then((now) => {
        if (now !== agreed) log.error('the shared signing key in Redis changed (Redis lost it and another node stored its own): set JWT_SECRET on every node');
      })
      .catch(() => undefined);
  });
  return Buffer.from(agreed, 'base64');
}

/**
 * The key this node signs tokens with: JWT_SECRET when given; without it, in Redis mode the key the
 * nodes on that Redis share (clusterSecret), alone this node's own generated one.
 */
export async function signingKey(config: Pick<Config, 'jwtSecret' | 'jwtSecretGenerated'>, redis: RedisStore | undefined, log: Logger): Promise<Buffer> {
  return config.jwtSecretGenerated && redis ? clusterSecret(redis, config.jwtSecret, log) : config.jwtSecret;
}
