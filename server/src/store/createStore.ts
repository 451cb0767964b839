import { MemoryStore } from './MemoryStore.js';
import { RedisStore } from './RedisStore.js';
import type { Store } from './Store.js';

import path from 'node:path';

/** The store, and in Redis mode the same store as a RedisStore (its `client` is what else shares Redis). */
export interface CreatedStore {
  store: Store;
  /** Present exactly in Redis mode: the one thing that decides it. */
  redis?: RedisStore;
}

/** Redis when configured; otherwise memory, with users kept in `$DATA_DIR/users.json`. */
export async function createStore(redisUrl: string | undefined, dataDir: string): Promise<CreatedStore> {
  if (!redisUrl) return { store: new MemoryStore(path.join(dataDir, 'users.json')) };
  const redis = await RedisStore.connect(redisUrl);
  return { store: redis, redis };
}
