import { MemoryStore } from './MemoryStore.js';
import { RedisStore } from './RedisStore.js';
import type { Store } from './Store.js';

import path from 'node:path';

/** Redis when configured; otherwise memory, with users kept in `$DATA_DIR/users.json`. */
export async function createStore(redisUrl: string | undefined, dataDir: string): Promise<Store> {
  return redisUrl ? RedisStore.connect(redisUrl) : new MemoryStore(path.join(dataDir, 'users.json'));
}
