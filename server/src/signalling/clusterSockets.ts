import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { ServerOptions } from 'socket.io';
import type { RedisStore } from '../store/RedisStore.js';
import { MemorySocketSlots, RedisSocketSlots, type SocketSlots } from './SocketSlots.js';

/** Sockets per token counted across the cluster with Redis (`redis`: its client), on this node alone without. */
export function socketSlots(redis: RedisStore['client'] | undefined): SocketSlots {
  return redis ? new RedisSocketSlots(redis) : new MemorySocketSlots();
}

/**
 * In Redis mode, broadcasts to a session reach its sockets on every node (Redis Streams resume after
 * a Redis blip without losing messages; Pub/Sub would not). Alone, socket.io's default in-memory adapter.
 */
export function socketAdapter(redis: RedisStore['client'] | undefined): ServerOptions['adapter'] | undefined {
  return redis ? createStreamsAdapter(redis, { streamName: 'sl:socket.io' }) : undefined;
}
