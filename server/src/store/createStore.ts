import { MemoryStore } from './MemoryStore.js';
import { RedisStore } from './RedisStore.js';
import type { Store } from './Store.js';

export async function createStore(redisUrl: string | undefined): Promise<Store> {
  return redisUrl ? RedisStore.connect(redisUrl) : new MemoryStore();
}
