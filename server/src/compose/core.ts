import { AuditLogs } from '../audit/AuditLogs.js';
import { reportRepairs } from '../audit/reportRepairs.js';
import { startCheckpoints } from '../audit/startCheckpoints.js';
import { signingKey } from '../auth/clusterSecret.js';
import { TokenService } from '../auth/TokenService.js';
import { UserService } from '../auth/UserService.js';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import { Metrics } from '../metrics/Metrics.js';
import { deploymentLimits } from '../ratelimit/deploymentLimits.js';
import { SecurityEvents } from '../security/SecurityEvents.js';
import { DiskSpace } from '../storage/DiskSpace.js';
import { createStore } from '../store/createStore.js';

export type Core = Awaited<ReturnType<typeof buildCore>>;

/**
 * What everything else stands on: the store (and, in Redis mode, its client), token signing and the
 * staff users, the durable logs with their checkpoints, metrics, security events, rate limits and
 * the data directory's free-space floor.
 */
export async function buildCore(config: Config, log: Logger) {
  const { store, redis } = await createStore(config.redisUrl, config.dataDir);
  const tokens = new TokenService(
    { current: await signingKey(config, redis, log), previous: config.jwtSecretPrevious },
    { staffSeconds: config.staffTokenTtlMs / 1000 },
  );
  const users = new UserService(store, log);
  await users.seedDemoUsers(config.demoPassword);
  const checkpoints = await startCheckpoints(config, log);
  const audit = new AuditLogs(config.dataDir, checkpoints);
  const metrics = new Metrics();
  const security = new SecurityEvents(log);
  security.on('event', (event) => metrics.onSecurityEvent(event));
  reportRepairs(audit, security, log);
  audit.on('appended', (a) => metrics.onLogAppended(a.syncMs));
  await audit.repairTails();
  redis?.client.on('error', () => metrics.redisErrors.inc());
  const limit = deploymentLimits(config, redis?.client);
  const disk = new DiskSpace(config.dataDir, config.minFreeDiskBytes);
  return { store, redis, tokens, users, checkpoints, audit, metrics, security, limit, disk };
}
