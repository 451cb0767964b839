import { sessionFunnel } from '../analytics/sessionFunnel.js';
import { LoginGuard } from '../auth/LoginGuard.js';
import { StaffLogins } from '../auth/StaffLogins.js';
import { LocalMedia } from '../cluster/MediaOps.js';
import { startClusterMedia } from '../cluster/startClusterMedia.js';
import type { Config } from '../config.js';
import { EidoExport } from '../eido/EidoExport.js';
import { InviteService, inviteUrl } from '../invites/InviteService.js';
import { redeemGuards } from '../invites/redeemGuards.js';
import type { Logger } from '../logging.js';
import { MAX_LIVE_SPOKEN_CODES } from '../ratelimit/limits.js';
import { RecordingResumption } from '../recording/RecordingResumption.js';
import { RecordingService } from '../recording/RecordingService.js';
import { RetentionService } from '../retention/RetentionService.js';
import { MediaStates } from '../sessions/MediaStates.js';
import { SessionService } from '../sessions/SessionService.js';
import { SessionTimers } from '../sessions/SessionTimers.js';
import { createSmsProvider } from '../sms/createSmsProvider.js';
import type { SmsProvider } from '../sms/SmsProvider.js';
import { SmsDispatch } from '../sms/SmsDispatch.js';
import { SnapshotStore } from '../snapshots/SnapshotStore.js';
import { startWebhooks } from '../webhooks/WebhookOutbox.js';
import type { Core } from './core.js';
import type { Media } from './media.js';

export type Services = Awaited<ReturnType<typeof buildServices>>;

/**
 * The domain: staff logins, sessions and their invites, snapshots and recordings, where each
 * session's media runs (this node or another) and the session states its events make, the session
 * timers and retention, and the webhooks that tell CAD systems of the sessions' events.
 */
export async function buildServices(config: Config, log: Logger, core: Core, { rooms, registry }: Media, provider?: SmsProvider) {
  const { store, redis, tokens, audit, metrics, security, limit, disk } = core;
  const logins = new StaffLogins(store, tokens, security, config.staffShiftMs);
  const loginGuard = new LoginGuard(
    {
      perAddress: limit('loginPerIp'),
      failuresPerUserAddress: limit('loginFailuresPerUserAddress'),
      failuresPerUser: limit('loginFailuresPerUser'),
      successesPerUserAddress: limit('loginSuccessesPerUserAddress'),
    },
    security,
  );
  const sessions = new SessionService(store, { eventLog: audit, place: () => registry.pick() }, log);
  const sms = new SmsDispatch(store, provider ?? createSmsProvider(config, log), sessions, { link: (code) => inviteUrl(config.publicUrl, code) }, log);
  sessions.on('event', (id, status, event) => metrics.onSessionEvent(id, status, event.type, Date.parse(event.at)));
  sessions.on('written', (_id, type, times) => metrics.onEventWritten(type, times));
  // The time-to-video funnel (issue #16 §1): first frames timed, sessions ended without video counted by cause.
  sessions.on('event', (_id, _status, event) => {
    if (event.type === 'first_frame') metrics.onFirstFrame(event.details);
  });
  sessions.on('ended', async (id) => metrics.onSessionEnded(sessionFunnel(await sessions.events(id))));
  // Before anything can log an event (the restart's ends included): CAD systems hear of every one.
  const webhooks = await startWebhooks(config, sessions, log);
  if (webhooks) metrics.observeWebhooks(webhooks.sender.observer);
  const invites = new InviteService(store, sessions, sms, tokens, {
    publicUrl: config.publicUrl,
    inviteTtlMs: config.inviteTtlMs,
    spokenCodeTtlMs: config.spokenCodeTtlMs,
    maxLiveSpokenCodes: MAX_LIVE_SPOKEN_CODES,
    viewerTtlMs: config.sessionMaxMs,
    recordingPolicy: config.recordingPolicy,
    centreName: config.centreName,
  });
  // EIDO documents (issue #16 §3): on request, and at each session's end to EIDO_WEBHOOK through the webhook queue.
  const eido = new EidoExport(sessions, invites, config.publicUrl);
  if (webhooks && config.webhooks?.eidoUrl) webhooks.postAtEnd('eido', config.webhooks.eidoUrl, (id) => eido.ended(id));
  const snapshots = new SnapshotStore(config.dataDir, { disk });
  const recordings = new RecordingService({ dataDir: config.dataDir, policy: config.recordingPolicy, childEnv: config.childEnv, disk }, sessions, log);
  const resumption = new RecordingResumption(recordings, sessions, log);
  const local = new LocalMedia(rooms, recordings);
  const { media, bus } = await startClusterMedia({ store, redis, registry, local, rooms, maxSessionMs: config.sessionMaxMs, log });
  // Media events become session states and log records (sessions/MediaStates.ts), rooms and takeovers alike;
  // recording follows every session's room too, after them.
  const mediaStates = new MediaStates(sessions, config.nodeId, log);
  rooms.observer.on('room-created', (room) => mediaStates.follow(room));
  recordings.follow(rooms);
  media.onTakeover(() => metrics.takeovers.inc());
  media.onTakeover((id, from) => mediaStates.takeover(id, from));
  media.onTakeover((id) => resumption.resume(id));
  const timers = new SessionTimers(sessions, { inviteTtlMs: config.inviteTtlMs, idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs }, log);
  const retention = new RetentionService(audit, config.retentionDays, log);
  const guards = redeemGuards(limit, invites, security);
  return { logins, loginGuard, sessions, sms, invites, guards, snapshots, recordings, resumption, media, bus, timers, retention, webhooks, eido };
}
