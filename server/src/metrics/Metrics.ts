import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FAILURE_CAUSES, SESSION_STATUSES, type FailureCause, type SessionStatus } from '@sightline/shared';
import { SECURITY_EVENT_KINDS, type SecurityEvent } from '../security/SecurityEvents.js';
import type { Observer } from '../Observer.js';
import type { WebhookSenderEvents } from '../webhooks/WebhookSender.js';

/**
 * Prometheus metrics. Domain code never touches these: `observe…` functions subscribe to the
 * services' events, so monitoring stays out of the logic.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly sessionEvents = new Counter({
    name: 'sightline_session_events_total',
    help: 'Session events by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly sessionsByStatus = new Gauge({
    name: 'sightline_sessions',
    help: 'Sessions by status (this process)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly workers = new Gauge({ name: 'sightline_mediasoup_workers', help: 'Live mediasoup workers', registers: [this.registry] });
  readonly rooms = new Gauge({ name: 'sightline_rooms', help: 'Session routers (rooms) open', registers: [this.registry] });
  readonly workerRooms = new Gauge({
    name: 'sightline_worker_rooms',
    help: 'Rooms per mediasoup worker (its load)',
    labelNames: ['worker'],
    registers: [this.registry],
  });
  readonly producers = new Gauge({ name: 'sightline_producers', help: 'Media producers (caller cameras/mics)', registers: [this.registry] });
  readonly clusterNodes = new Gauge({ name: 'sightline_cluster_nodes', help: 'Live nodes in the cluster, as this node sees them', registers: [this.registry] });
  readonly nodeLoad = new Gauge({
    name: 'sightline_node_load',
    help: 'Live consumers per node, as published in its heartbeat',
    labelNames: ['node'],
    registers: [this.registry],
  });
  readonly takeovers = new Counter({ name: 'sightline_takeovers_total', help: 'Sessions this node took over from a lost node', registers: [this.registry] });
  readonly pretapTransports = new Gauge({
    name: 'sightline_pretap_transports',
    help: "Callers' send transports set up before the tap (issue #12), by DTLS state (connected or not)",
    labelNames: ['dtls'],
    registers: [this.registry],
  });
  readonly consumers = new Gauge({ name: 'sightline_consumers', help: 'Media consumers (consoles, viewers, recorders)', registers: [this.registry] });
  readonly joinSeconds = new Histogram({
    name: 'sightline_join_seconds',
    help: "Caller's consent (tap) to live video, seconds",
    buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 20, 60],
    registers: [this.registry],
  });
  readonly reconnects = new Counter({ name: 'sightline_reconnects_total', help: 'Sessions that went to reconnecting', registers: [this.registry] });
  readonly sms = new Counter({ name: 'sightline_sms_total', help: 'SMS outcomes', labelNames: ['outcome'], registers: [this.registry] });
  readonly recordings = new Counter({
    name: 'sightline_recordings_total',
    help: 'Recording segments by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly redisErrors = new Counter({ name: 'sightline_redis_errors_total', help: 'Errors from the Redis connection', registers: [this.registry] });
  readonly securityEvents = new Counter({
    name: 'sightline_security_events_total',
    help: 'Security events (refused attempts, failed logins, limits hit) by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly eventWriteSeconds = new Histogram({
    name: 'sightline_event_write_seconds',
    help: "Time for a session event to become durable, seconds, by part (queued behind the session's earlier writes, store, hash-chained log incl. fdatasync); type: the events on the way to the first frame, else other",
    labelNames: ['type', 'part'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly logSyncSeconds = new Histogram({
    name: 'sightline_log_fdatasync_seconds',
    help: 'fdatasync of one hash-chained log append, seconds',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  /** Issue #16 §1: SMS sent → first frame on a console; buckets from 5 s (a caller at the ready) to 10 min (the idle end). */
  readonly timeToFirstFrame = new Histogram({
    name: 'sightline_time_to_first_frame_seconds',
    help: "Time from a session's first SMS sent to the first frame decoded on a console, seconds (once per session)",
    buckets: [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600],
    registers: [this.registry],
  });
  readonly videoFailures = new Counter({
    name: 'sightline_video_failures_total',
    help: 'Sessions that ended without a first frame, by failure cause (shared/src/analytics/funnel.ts)',
    labelNames: ['cause'],
    registers: [this.registry],
  });
  #status = new Map<string, SessionStatus>();
  #consentAt = new Map<string, number>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sightline_' });
    for (const s of SESSION_STATUSES) this.sessionsByStatus.set({ status: s }, 0);
    // Every kind shows from the start (at 0), so an alert rule can tell "none yet" from "not exported".
    for (const kind of SECURITY_EVENT_KINDS) this.securityEvents.inc({ kind }, 0);
    for (const cause of FAILURE_CAUSES) this.videoFailures.inc({ cause }, 0);
  }

  /** Observer of `first_frame` events' details: the session's first carries `msSinceSmsSent` (analytics/FirstFrames.ts). */
  onFirstFrame(details: Record<string, unknown> | undefined): void {
    const ms = details?.['msSinceSmsSent'];
    if (typeof ms === 'number') this.timeToFirstFrame.observe(ms / 1000);
  }

  /** Observer of a session's end, with its funnel (analytics/sessionFunnel.ts): one that ended without video counts once, by cause. */
  onSessionEnded(funnel: { cause?: FailureCause }): void {
    if (funnel.cause) this.videoFailures.inc({ cause: funnel.cause });
  }

  /** Observer of SecurityEvents: counts each by kind. */
  readonly webhookQueue = new Gauge({
    name: 'sightline_webhook_queue_length',
    help: 'Webhook deliveries waiting (in flight included)',
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'sightline_webhook_deliveries_total',
    help: 'Webhook deliveries a receiver took (2xx)',
    registers: [this.registry],
  });
  readonly webhookFailures = new Counter({
    name: 'sightline_webhook_failures_total',
    help: 'Failed webhook attempts, by reason (http_<status>, timeout, network)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly webhookDeadLetters = new Counter({
    name: 'sightline_webhook_dead_letters_total',
    help: 'Webhook deliveries given up after a day',
    registers: [this.registry],
  });

  /** Follows a WebhookSender (webhooks/): queue length, deliveries, failures, dead letters. */
  observeWebhooks(observer: Observer<WebhookSenderEvents>): void {
    observer.on('length', (n) => this.webhookQueue.set(n));
    observer.on('delivered', () => this.webhookDeliveries.inc());
    observer.on('failed', (_d, reason) => this.webhookFailures.inc({ reason }));
    observer.on('dead', () => this.webhookDeadLetters.inc());
  }

  onSecurityEvent(event: SecurityEvent): void {
    this.securityEvents.inc({ kind: event.kind });
  }

  /** Observer of SessionService 'written': each event's write, in parts. */
  onEventWritten(type: string, times: { queuedMs: number; storeMs: number; logMs: number }): void {
    const t = ON_THE_PATH.has(type) ? type : 'other';
    this.eventWriteSeconds.observe({ type: t, part: 'queued' }, times.queuedMs / 1000);
    this.eventWriteSeconds.observe({ type: t, part: 'store' }, times.storeMs / 1000);
    this.eventWriteSeconds.observe({ type: t, part: 'log' }, times.logMs / 1000);
  }

  /** Observer of AuditLogs 'appended'. */
  onLogAppended(syncMs: number): void {
    this.logSyncSeconds.observe(syncMs / 1000);
  }

  /** Feed of every session event with the status after it. */
  onSessionEvent(sessionId: string, status: SessionStatus, type: string, at = Date.now()): void {
    this.sessionEvents.inc({ type });
    if (type === 'consent_given') this.#consentAt.set(sessionId, at);
    if (type === 'live' && this.#consentAt.has(sessionId)) {
      this.joinSeconds.observe((at - this.#consentAt.get(sessionId)!) / 1000);
      this.#consentAt.delete(sessionId);
    }
    if (type === 'reconnecting') this.reconnects.inc();
    if (type === 'sms_sent' || type === 'sms_delivered' || type === 'sms_failed' || type === 'sms_resend') this.sms.inc({ outcome: type.slice(4) });
    if (type === 'recording_started' || type === 'recording_ended' || type === 'recording_failed') this.recordings.inc({ outcome: type.slice(10) });
    const before = this.#status.get(sessionId);
    // Events after the end (supervisor access, late media summaries) do not count it twice.
    if (before === status || (status === 'ended' && before === undefined && type !== 'ended')) return;
    if (before) this.sessionsByStatus.dec({ status: before });
    this.sessionsByStatus.inc({ status });
    // Ended sessions are only counted; tracking them would grow without bound.
    if (status === 'ended') {
      this.#status.delete(sessionId);
      this.#consentAt.delete(sessionId);
    } else this.#status.set(sessionId, status);
  }

  /** Answers on loopback only: the figures are for the operator's scraper, not the internet. */
  handler(
    sample: () => {
      workers: number;
      rooms: number;
      perWorker: number[];
      producers: number;
      consumers: number;
      pretap?: number;
      pretapConnected?: number;
      nodes?: readonly { id: string; load: number }[];
    },
  ): RequestHandler {
    return async (req, res) => {
      if (!isLoopback(req)) {
        res.status(404).json({ error: { code: 'not_found', message: 'no such route' } });
        return;
      }
      // Leak checks (the fuzz test) start the process with --expose-gc and ask for a full collection first.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (req.query['gc'] === '1' && gc) gc();
      const now = sample();
      this.workers.set(now.workers);
      this.rooms.set(now.rooms);
      now.perWorker.forEach((n, i) => this.workerRooms.set({ worker: String(i) }, n));
      this.producers.set(now.producers);
      this.consumers.set(now.consumers);
      this.pretapTransports.set({ dtls: 'connected' }, now.pretapConnected ?? 0);
      this.pretapTransports.set({ dtls: 'not_connected' }, (now.pretap ?? 0) - (now.pretapConnected ?? 0));
      if (now.nodes) {
        this.clusterNodes.set(now.nodes.length);
        this.nodeLoad.reset();
        for (const n of now.nodes) this.nodeLoad.set({ node: n.id }, n.load);
      }
      res.type(this.registry.contentType).send(await this.registry.metrics());
    };
  }
}

/** Events between the caller's tap and the first frame, labelled apart (the rest is 'other': few series). */
const ON_THE_PATH = new Set(['link_opened', 'consent_given', 'camera_granted', 'live', 'media_started']);

function isLoopback(req: Request): boolean {
  // The socket's own peer address, not X-Forwarded-For: a proxy in front must not open this up.
  const addr = req.socket.remoteAddress ?? '';
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}
