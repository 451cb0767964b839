import { fileURLToPath } from 'node:url';
import { FirstFrames } from '../analytics/FirstFrames.js';
import { Pseudonyms } from '../analytics/Pseudonyms.js';
import { analyticsRoutes } from '../analytics/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { supervisorTrail } from '../audit/supervisorTrail.js';
import { authRoutes } from '../auth/routes.js';
import type { Config } from '../config.js';
import { ClipStore } from '../clips/ClipStore.js';
import { clipRoutes } from '../clips/routes.js';
import { createApp } from '../http/createApp.js';
import { createHttpServer } from '../http/httpServer.js';
import { eidoRoutes } from '../eido/routes.js';
import { inviteRoutes } from '../invites/routes.js';
import type { Logger } from '../logging.js';
import { recordingState } from '../recording/recordingState.js';
import { recordingRoutes } from '../recording/routes.js';
import { sessionRoutes } from '../sessions/routes.js';
import { sfuRoutes } from '../sfu/routes.js';
import { socketAdapter, socketSlots } from '../signalling/clusterSockets.js';
import { guardOrigin } from '../signalling/origin.js';
import { attachSignalling } from '../signalling/SignallingServer.js';
import { SocketBudgets } from '../signalling/SocketBudgets.js';
import { SocketGuard } from '../signalling/SocketGuard.js';
import { smsWebhooks } from '../sms/createSmsProvider.js';
import { snapshotRoutes } from '../snapshots/routes.js';
import { iceServersFor } from '../turn/turnCredentials.js';
import type { Core } from './core.js';
import type { Media } from './media.js';
import type { Services } from './services.js';

/** Every REST route of the API, by module. */
function apiRoutes(config: Config, core: Core, media: Media, s: Services) {
  const { store, tokens, users, audit, security, limit, redis } = core;
  return [
    ...authRoutes(users, tokens, s.logins, s.loginGuard),
    ...sessionRoutes(
      s.sessions,
      { sessions: limit('sessionsPerDispatcher'), sms: limit('smsPerDispatcher') },
      {
        invites: s.invites,
        sms: s.sms,
        recording: recordingState(s.recordings, s.media),
        searched: (actor, query, results) => audit.appendAccess(actor, 'sessions_searched', { query, results }),
        hasRecording: (id) => s.recordings.hasFiles(id),
        staffSettings: { defaultCountry: config.defaultCountry, locale: config.staffLocale, timeZone: config.timeZone },
      },
    ),
    ...auditRoutes(s.sessions, audit, { storeCount: async (id) => (await store.listEvents(id)).length, security }),
    ...recordingRoutes(s.sessions, s.recordings, s.media),
    ...inviteRoutes(s.sessions, s.invites, s.guards, security),
    ...snapshotRoutes(s.sessions, s.invites, s.snapshots, { caller: limit('callerPhotosPerSession'), dispatcher: limit('snapshotsPerSession') }, security),
    ...sfuRoutes(media.rtpCapabilities),
    ...clipRoutes(new ClipStore(config.dataDir)),
    ...analyticsRoutes({
      sessions: s.sessions,
      // In Redis mode the nodes share one key, so every node's export has the same pseudonyms.
      pseudonyms: Pseudonyms.opener(config.dataDir, redis && ((candidate) => redis.agreeOn('analytics-pseudonym-key', candidate))),
      accessed: (actor, type, details) => audit.appendAccess(actor, type, details),
      timeZone: config.timeZone,
    }),
    ...eidoRoutes(s.sessions, s.eido),
  ];
}

/** What faces the network: the HTTP app (REST API, webhooks, pages, health, metrics) and the sockets on the same server. */
export async function buildEdges(config: Config, log: Logger, core: Core, media: Media, s: Services, clientDist?: string) {
  const { tokens, metrics, security, redis, limit } = core;
  const { pool, rooms, registry } = media;
  const app = createApp({
    tokens,
    trail: supervisorTrail(s.sessions),
    checkStaff: (principal) => s.logins.check(principal),
    security,
    webhooks: smsWebhooks(config, { sms: s.sms, security, log }),
    routes: apiRoutes(config, core, media, s),
    clientDist: clientDist ?? fileURLToPath(new URL('../../../client/dist', import.meta.url)),
    staffPages: { locale: config.staffLocale, timeZone: config.timeZone },
    health: () => pool.size > 0,
    metrics: metrics.handler(() => ({ workers: pool.size, rooms: rooms.count, perWorker: pool.load(), ...rooms.mediaCounts(), nodes: registry.live })),
    tls: Boolean(config.tls),
    trustProxy: config.trustProxy,
    log,
  });
  const http = await createHttpServer(app, config.tls);
  const guard = new SocketGuard({
    slots: socketSlots(redis?.client),
    perConnection: limit('socketEventsPerConnection'),
    // Sockets live on one node: their refusals are counted here, whatever the store.
    refusals: limit('refusalsPerConnection'),
    budgets: new SocketBudgets(redis?.client),
    security,
    log,
  });
  const services = {
    sessions: s.sessions,
    invites: s.invites,
    rooms,
    media: s.media,
    firstFrames: new FirstFrames(s.sessions),
    iceServers: iceServersFor(config.turn, config.sessionMaxMs),
  };
  const io = attachSignalling(
    http,
    { tokens, logins: s.logins, security, recheckMs: config.staffRecheckMs },
    services,
    guard,
    log,
    socketAdapter(redis?.client),
  );
  guardOrigin(io, { publicUrl: config.publicUrl, security });
  return { app, http, guard, io };
}
