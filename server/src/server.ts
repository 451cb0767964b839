import type { Server as HttpServer } from 'node:http';
import { buildCore } from './compose/core.js';
import { buildEdges } from './compose/edges.js';
import { buildMedia } from './compose/media.js';
import { buildServices } from './compose/services.js';
import type { Config } from './config.js';
import { listen } from './http/httpServer.js';
import type { Logger } from './logging.js';
import type { SmsProvider } from './sms/SmsProvider.js';
import { MemoryStore } from './store/MemoryStore.js';
import { restoreMemoryIndex, SERVER_RESTART } from './store/restoreMemoryIndex.js';

export interface RunningServer {
  url: string;
  port: number;
  http: HttpServer;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Replaces the configured SMS provider (tests). */
  sms?: SmsProvider;
  clientDist?: string;
}

/**
 * The composition root: builds every service from the config (core, media, domain services, edges:
 * server/src/compose/), starts them in one order and listens; `close` stops them in one order.
 */
export async function startServer(config: Config, log: Logger, opts: StartOptions = {}): Promise<RunningServer> {
  const core = await buildCore(config, log);
  const media = await buildMedia(config, log, core);
  const services = await buildServices(config, log, core, media, opts.sms);
  const edges = await buildEdges(config, log, core, media, services, opts.clientDist);

  await media.registry.start();
  // The embedded default: every session that ever ran, back from its log, and those the previous
  // process stopped during ended (they cannot go on: their invites, logins and media are gone).
  const unfinished = core.store instanceof MemoryStore ? (await restoreMemoryIndex(core.store, core.audit, log)).unfinished : [];
  // What a crash logged but had not yet handed to the webhooks, before anything new is logged.
  await services.webhooks?.recover();
  for (const id of unfinished) await services.sessions.end(id, 'system', SERVER_RESTART);
  await services.timers.markMediaLostAtStart(config.nodeId);
  await services.resumption.resumeOwned(config.nodeId, config.sessionMaxMs);
  services.timers.start();
  services.retention.startDaily(config.retentionIntervalMs);
  const { port, url } = await listen(edges.http, config.host, config.port, Boolean(config.tls));
  log.info({ host: config.host, port, store: core.store.kind, workers: media.pool.size, node: config.nodeId }, 'sightline listening');

  async function close(): Promise<void> {
    services.timers.stop();
    await services.retention.stop();
    await media.registry.leave();
    await services.bus?.close();
    void edges.io.close();
    edges.guard.close();
    await services.recordings.stopAll();
    await services.webhooks?.close();
    await new Promise<void>((r) => edges.http.close(() => r()));
    // The heads of what was appended since the last checkpoint, signed before the process goes.
    await core.checkpoints.stop();
    await media.pool.close();
    await core.store.close();
  }
  return { url, port, http: edges.http, close };
}
