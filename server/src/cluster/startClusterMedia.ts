import type { RedisStore } from '../store/RedisStore.js';
import { ClusterMedia, type ClusterMediaDeps } from './ClusterMedia.js';
import { serveMediaOps } from './MediaOps.js';
import { NodeBus } from './NodeBus.js';

/**
 * Where sessions' media runs. In Redis mode (`redis`) the node bus carries media operations between
 * nodes, and this node serves the operations of the sessions it carries (by the store's `mediaNode`);
 * alone, there is no bus and every session's media is local.
 * @returns the router of media operations, and the bus to close at shutdown (undefined alone).
 */
export async function startClusterMedia(
  deps: Omit<ClusterMediaDeps, 'bus'> & { redis: RedisStore | undefined },
): Promise<{ media: ClusterMedia; bus?: NodeBus }> {
  const { redis, store, local, registry, log } = deps;
  const owns = async (sessionId: string) => (await store.getSession(sessionId))?.mediaNode === registry.nodeId;
  const bus = redis ? await NodeBus.start(redis.client, registry.nodeId, serveMediaOps(local, owns), log) : undefined;
  return { media: new ClusterMedia({ ...deps, bus }), bus };
}
