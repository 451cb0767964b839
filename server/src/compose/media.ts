import { NodeRegistry } from '../cluster/NodeRegistry.js';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import { RoomRegistry } from '../sfu/RoomRegistry.js';
import { WorkerPool } from '../sfu/WorkerPool.js';
import type { Core } from './core.js';

export type Media = Awaited<ReturnType<typeof buildMedia>>;

/**
 * The media plane of this node: one mediasoup worker per core, the rooms on them, and the cluster's
 * membership (a single entry in memory mode), whose placement balances live consumers.
 */
export async function buildMedia(config: Config, log: Logger, { store, redis }: Core) {
  const pool = await WorkerPool.start(
    { workers: config.rtc.workers, listenIp: config.rtc.listenIp, announcedIp: config.rtc.announcedIp, basePort: config.rtc.port },
    log,
  );
  // Rooms on a dead worker close by themselves (and tell their clients); the pool brings up a replacement.
  pool.observer.on('worker-replaced', (index) => log.warn({ worker: index }, 'mediasoup worker replaced'));
  // A session whose viewers outgrow one router gets more on other workers (pipeToRouter).
  const rooms = new RoomRegistry(pool, log, { maxConsumersPerRouter: config.rtc.maxConsumersPerRouter });
  const load = () => ({ load: rooms.mediaCounts().consumers, rooms: rooms.sessionIds().length });
  const registry = new NodeRegistry(store, { nodeId: config.nodeId, load }, log);
  // Liveness is judged only over unbroken access to Redis: a dropped connection ends the stretch.
  for (const event of ['error', 'reconnecting', 'end'] as const) redis?.client.on(event, () => registry.storeInterrupted());
  const rtpCapabilities = (await rooms.template()).rtpCapabilities;
  return { pool, rooms, registry, rtpCapabilities };
}
