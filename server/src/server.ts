import { readFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { authRoutes } from './auth/routes.js';
import { clusterSecret } from './auth/clusterSecret.js';
import { LoginGuard } from './auth/LoginGuard.js';
import { StaffLogins } from './auth/StaffLogins.js';
import { TokenService } from './auth/tokens.js';
import { UserService } from './auth/UserService.js';
import type { Config } from './config.js';
import { createApp } from './http/createApp.js';
import { defineRoute } from './http/route.js';
import type { Logger } from './logging.js';
import { AuditLogs } from './audit/AuditLogs.js';
import { startCheckpoints } from './audit/startCheckpoints.js';
import { auditRoutes } from './audit/routes.js';
import { supervisorTrail } from './audit/supervisorTrail.js';
import { Metrics } from './metrics/metrics.js';
import { SecurityEvents } from './security/SecurityEvents.js';
import { RetentionService } from './retention/RetentionService.js';
import { recordingRoutes } from './recording/routes.js';
import { RecordingService } from './recording/RecordingService.js';
import { TEMPLATE_ROOM } from './sfu/RoomRegistry.js';
import { turnCredentials } from './turn/turnCredentials.js';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import { InviteService, inviteUrl } from './invites/InviteService.js';
import { GuessBudget } from './invites/GuessBudget.js';
import { RedeemLimiter } from './invites/redeemLimiter.js';
import { inviteRoutes } from './invites/routes.js';
import { sessionRoutes } from './sessions/routes.js';
import { SessionTimers } from './sessions/SessionTimers.js';
import { snapshotRoutes } from './snapshots/routes.js';
import { SnapshotStore } from './snapshots/SnapshotStore.js';
import { DiskSpace } from './storage/DiskSpace.js';
import { MediaStates } from './sessions/MediaStates.js';
import { SessionService } from './sessions/SessionService.js';
import { RoomRegistry } from './sfu/RoomRegistry.js';
import { WorkerPool } from './sfu/WorkerPool.js';
import { attachSignalling } from './signalling/SignallingServer.js';
import { SocketBudgets } from './signalling/SocketBudgets.js';
import { SocketGuard } from './signalling/SocketGuard.js';
import { MemorySocketSlots, RedisSocketSlots } from './signalling/SocketSlots.js';
import { guardOrigin } from './signalling/origin.js';
import { createSmsProvider } from './sms/createSmsProvider.js';
import { SmsDispatch } from './sms/SmsDispatch.js';
import { smsStatusRouter } from './sms/statusWebhook.js';
import { createStore } from './store/createStore.js';
import { SessionFolder } from './storage/SessionFolder.js';
import { ClusterMedia } from './cluster/ClusterMedia.js';
import { LocalMedia, serveMediaOps } from './cluster/MediaOps.js';
import { NodeBus } from './cluster/NodeBus.js';
import { NodeRegistry } from './cluster/NodeRegistry.js';
import { RedisStore } from './store/RedisStore.js';
import { createLimit, LIMITS, MAX_LIVE_SPOKEN_CODES } from './ratelimit/limits.js';
import type { SmsProvider } from './sms/SmsProvider.js';

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

/** The composition root: builds every service from the config and starts listening. */
export async function startServer(config: Config, log: Logger, opts: StartOptions = {}): Promise<RunningServer> {
  const store = await createStore(config.redisUrl, config.dataDir);
  // Without JWT_SECRET, nodes sharing a Redis share one generated key; alone, a node keeps its own.
  const jwtKey = config.jwtSecretGenerated && store instanceof RedisStore ? await clusterSecret(store, config.jwtSecret, log) : config.jwtSecret;
  const tokens = new TokenService({ current: jwtKey, previous: config.jwtSecretPrevious }, { staffSeconds: config.staffTokenTtlMs / 1000 });
  const users = new UserService(store, log);
  await users.seedDemoUsers(config.demoPassword);

  const pool = await WorkerPool.start(
    { workers: config.rtc.workers, listenIp: config.rtc.listenIp, announcedIp: config.rtc.announcedIp, basePort: config.rtc.port },
    log,
  );
  // A session whose viewers outgrow one router gets more on other workers (pipeToRouter).
  const rooms = new RoomRegistry(pool, log, { maxConsumersPerRouter: config.rtc.maxConsumersPerRouter });
  // Cluster membership (a single entry in memory mode): placement balances live consumers.
  const registry = new NodeRegistry(store, { nodeId: config.nodeId, load: () => ({ load: rooms.mediaCounts().consumers, rooms: rooms.sessionIds().length }) }, log);
  const checkpoints = await startCheckpoints(config, log);
  const audit = new AuditLogs(config.dataDir, checkpoints);
  const metrics = new Metrics();
  const security = new SecurityEvents(log);
  security.on('event', (event) => metrics.onSecurityEvent(event));
  // A torn last line (a crash or a full disk mid-append) is cut, its whole records kept, and said.
  audit.on('repaired', (r) => {
    log.warn({ logId: r.logId, keptRecords: r.keptRecords, cutBytes: r.cutBytes, asideFile: r.asideFile }, 'log had a torn last line: cut it, whole records kept');
    security.record({ kind: 'log_repaired', reason: 'torn_tail', key: r.logId, ...(r.logId !== 'access' && { sessionId: r.logId }), cutBytes: r.cutBytes });
  });
  audit.on('appended', (a) => metrics.onLogAppended(a.syncMs));
  await audit.repairTails();
  const logins = new StaffLogins(store, tokens, security, config.staffShiftMs);
  const sessions = new SessionService(store, { eventLog: audit, place: () => registry.pick() }, log);
  const sms = new SmsDispatch(store, opts.sms ?? createSmsProvider(config, log), sessions, { link: (code) => inviteUrl(config.publicUrl, code) }, log);
  sessions.on('event', (id, status, event) => metrics.onSessionEvent(id, status, event.type, Date.parse(event.at)));
  sessions.on('written', (_id, type, times) => metrics.onEventWritten(type, times));
  if (store instanceof RedisStore) {
    store.client.on('error', () => metrics.redisErrors.inc());
    // Liveness is judged only over unbroken access to Redis: a dropped connection ends the stretch.
    for (const event of ['error', 'reconnecting', 'end'] as const) store.client.on(event, () => registry.storeInterrupted());
  }
  // Rooms on a dead worker close by themselves (and tell their clients); the pool brings up a replacement.
  pool.onWorkerReplaced = (index) => log.warn({ worker: index }, 'mediasoup worker replaced');
  const rtpCapabilities = (await rooms.template()).rtpCapabilities;
  const invites = new InviteService(store, sessions, sms, tokens, {
    publicUrl: config.publicUrl,
    inviteTtlMs: config.inviteTtlMs,
    spokenCodeTtlMs: config.spokenCodeTtlMs,
    maxLiveSpokenCodes: MAX_LIVE_SPOKEN_CODES,
    viewerTtlMs: config.sessionMaxMs,
    recordingPolicy: config.recordingPolicy,
  });
  const redis = store instanceof RedisStore ? store.client : undefined;
  // The guess budget's windows are the spoken code's lifetime (docs/security.md, "Spoken codes").
  const codeWindowSec = config.spokenCodeTtlMs / 1000;
  const limits = {
    ...LIMITS,
    socketEventsPerConnection: { points: config.socketEventsPerSecond, durationSec: 1 },
    codeFailureBudget: { ...LIMITS.codeFailureBudget, durationSec: codeWindowSec },
    codeBudgetTrips: { ...LIMITS.codeBudgetTrips, durationSec: codeWindowSec },
  };
  const limit = (name: keyof typeof LIMITS) => createLimit(name, limits[name], redis);
  const redeemLimits = { attempts: limit('redeemAttemptsPerAddress'), failures: limit('redeemFailuresPerAddress') };
  const redeemGuards = {
    invites: new RedeemLimiter(redeemLimits, security, { failed: 'invite_refused', limited: 'rate_limited', prefix: 'invite' }),
    codes: new RedeemLimiter(redeemLimits, security, { failed: 'code_failed', limited: 'code_limited', prefix: 'code' }),
    budget: new GuessBudget(limit('codeFailureBudget'), limit('codeBudgetTrips'), invites, security),
    pretap: limit('pretapCredentialsPerSession'),
  };
  const disk = new DiskSpace(config.dataDir, config.minFreeDiskBytes);
  const snapshots = new SnapshotStore(config.dataDir, { disk });
  const recordings = new RecordingService({ dataDir: config.dataDir, policy: config.recordingPolicy, childEnv: config.childEnv, disk }, sessions, log);
  const loginGuard = new LoginGuard(
    {
      perAddress: limit('loginPerIp'),
      failuresPerUserAddress: limit('loginFailuresPerUserAddress'),
      failuresPerUser: limit('loginFailuresPerUser'),
      successesPerUserAddress: limit('loginSuccessesPerUserAddress'),
    },
    security,
  );
  // An on-demand recording that a lost node or the previous process was making goes on here, in a
  // new segment ('always' needs nothing: it starts with the room). The dispatcher's own start and
  // stop are the records not made by 'system' (segments also end when the camera goes away).
  const resumeRecording = async (id: string) => {
    if (recordings.policy !== 'on-demand' || recordings.isRecording(id)) return;
    const decisions = (await sessions.events(id)).filter((e) => (e.type === 'recording_started' || e.type === 'recording_ended') && e.actor !== 'system');
    if (decisions.at(-1)?.type === 'recording_started') {
      await recordings.start(id, 'system').catch((err: Error) => log.warn({ sessionId: id, err: err.message }, 'recording not resumed'));
    }
  };
  const local = new LocalMedia(rooms, recordings);
  const bus = store instanceof RedisStore ? await NodeBus.start(store.client, config.nodeId, serveMediaOps(local, async (id) => (await store.getSession(id))?.mediaNode === config.nodeId), log) : undefined;
  const media = new ClusterMedia({
    store,
    registry,
    local,
    rooms,
    bus,
    maxSessionMs: config.sessionMaxMs,
    log,
  });
  // Media events become session states and log records here (sessions/MediaStates.ts), rooms and takeovers alike.
  const mediaStates = new MediaStates(sessions, config.nodeId, log);
  media.onTakeover(() => metrics.takeovers.inc());
  media.onTakeover((id, from) => mediaStates.takeover(id, from));
  media.onTakeover((id) => resumeRecording(id));
  const timers = new SessionTimers(sessions, { inviteTtlMs: config.inviteTtlMs, idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs }, log);

  // Delivery reports exist only with a provider that sends them.
  const webhooks =
    config.smsProvider === 'twilio' && config.twilio
      ? [smsStatusRouter({ authToken: config.twilio.authToken, publicUrl: config.publicUrl, sms, security, log })]
      : [];
  const app = createApp({
    tokens,
    trail: supervisorTrail(sessions),
    checkStaff: (principal) => logins.check(principal),
    security,
    webhooks,
    routes: [
      ...authRoutes(users, tokens, logins, loginGuard),
      ...sessionRoutes(sessions, { sessions: limit('sessionsPerDispatcher'), sms: limit('smsPerDispatcher') }, {
        invites,
        sms,
        recording: async (s) => ({
          policy: recordings.policy,
          // An unreachable owner must not fail the page: the timeline still shows recording events.
          active: s.status !== 'ended' && s.mediaNode !== undefined && (await media.run(s, 'isRecording', s.id).catch(() => false)),
        }),
        searched: (actor, query, results) => audit.appendAccess(actor, 'sessions_searched', { query, results }),
        hasRecording: async (id) => (await new SessionFolder(config.dataDir, id).mediaFiles()).some((f) => f.rel.startsWith('recordings/')),
      }),
      ...auditRoutes(sessions, audit, { storeCount: async (id) => (await store.listEvents(id)).length, security }),
      ...recordingRoutes(sessions, recordings, media),
      ...inviteRoutes(sessions, invites, redeemGuards, security),
      ...snapshotRoutes(sessions, invites, snapshots, { caller: limit('callerPhotosPerSession'), dispatcher: limit('snapshotsPerSession') }, security),
      defineRoute('GET /api/rtp-capabilities', {
        access: 'public',
        // The same for every router (same codec list): lets the caller page load its device before the tap.
        async handle({ res }) {
          res.set('Cache-Control', 'public, max-age=300');
          return rtpCapabilities;
        },
      }),
    ],
    clientDist: opts.clientDist ?? fileURLToPath(new URL('../../client/dist', import.meta.url)),
    health: () => pool.size > 0,
    metrics: metrics.handler(() => ({ workers: pool.size, rooms: rooms.count, perWorker: pool.load(), ...rooms.mediaCounts(), nodes: registry.live })),
    tls: Boolean(config.tls),
    trustProxy: config.trustProxy,
    log,
  });
  // TLS when given a certificate (otherwise a TLS-terminating proxy is expected in front).
  const http = config.tls
    ? createHttpsServer({ cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) }, app)
    : createServer(app);
  const turn = config.turn;
  // Credentials end with the session at the latest (SESSION_MAX_MINUTES after it began), not TTL later.
  const iceServers = turn
    ? (s: { id: string; createdAt: string }) => [turnCredentials({ ...turn, label: s.id, notAfter: new Date(Date.parse(s.createdAt) + config.sessionMaxMs) })]
    : undefined;
  // In Redis mode, broadcasts to a session reach its sockets on every node (Redis Streams resume
  // after a Redis blip without losing messages; Pub/Sub would not).
  const adapter = store instanceof RedisStore ? createStreamsAdapter(store.client, { streamName: 'sl:socket.io' }) : undefined;
  const guard = new SocketGuard({
    slots: store instanceof RedisStore ? new RedisSocketSlots(store.client) : new MemorySocketSlots(),
    perConnection: limit('socketEventsPerConnection'),
    // Sockets live on one node: their refusals are counted here, whatever the store.
    refusals: createLimit('refusalsPerConnection', { ...LIMITS.refusalsPerConnection, points: config.socketRefusalsPer10s }),
    budgets: new SocketBudgets(redis),
    security,
    log,
  });
  const io = attachSignalling(http, { tokens, logins, security, recheckMs: config.staffRecheckMs }, { sessions, invites, rooms, media, iceServers }, guard, log, adapter);
  guardOrigin(io, { publicUrl: config.publicUrl, security });
  // Every room's media events drive its session's states; recording follows every session's room too.
  rooms.onRoomCreated = (room) => {
    mediaStates.follow(room);
    if (room.sessionId !== TEMPLATE_ROOM) recordings.attach(room);
  };
  await registry.start();
  await timers.markMediaLostAtStart(config.nodeId);
  for (const s of await sessions.list({ from: new Date(Date.now() - config.sessionMaxMs).toISOString() })) if (s.status !== 'ended' && s.mediaNode === config.nodeId) await resumeRecording(s.id);
  timers.start();
  const retention = new RetentionService(audit, config.retentionDays, log);
  retention.startDaily(config.retentionIntervalMs);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, resolve);
  });
  const port = (http.address() as AddressInfo).port;
  log.info({ host: config.host, port, store: store.kind, workers: pool.size, node: config.nodeId }, 'sightline listening');

  return {
    url: `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    http,
    async close() {
      timers.stop();
      await retention.stop();
      await registry.leave();
      await bus?.close();
      void io.close();
      guard.close();
      await recordings.stopAll();
      await new Promise<void>((r) => http.close(() => r()));
      // The heads of what was appended since the last checkpoint, signed before the process goes.
      await checkpoints.stop();
      await pool.close();
      await store.close();
    },
  };
}
