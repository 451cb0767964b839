import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { SESSION_STATUSES, type SessionStatus } from '@sightline/shared';

/**
 * Prometheus metrics. Domain code never touches these: `observe…` functions subscribe to the
 * services' events, so monitoring stays out of the logic.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly sessionEvents = new Counter({ name: 'sightline_session_events_total', help: 'Session events by type', labelNames: ['type'], registers: [this.registry] });
  readonly sessionsByStatus = new Gauge({ name: 'sightline_sessions', help: 'Sessions by status (this process)', labelNames: ['status'], registers: [this.registry] });
  readonly workers = new Gauge({ name: 'sightline_mediasoup_workers', help: 'Live mediasoup workers', registers: [this.registry] });
  readonly rooms = new Gauge({ name: 'sightline_rooms', help: 'Session routers (rooms) open', registers: [this.registry] });
  #status = new Map<string, SessionStatus>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sightline_' });
    for (const s of SESSION_STATUSES) this.sessionsByStatus.set({ status: s }, 0);
  }

  /** Feed of every session event with the status after it. */
  onSessionEvent(sessionId: string, status: SessionStatus, type: string): void {
    this.sessionEvents.inc({ type });
    const before = this.#status.get(sessionId);
    if (before === status) return;
    if (before) this.sessionsByStatus.dec({ status: before });
    this.sessionsByStatus.inc({ status });
    this.#status.set(sessionId, status);
  }

  /** Answers on loopback only: the figures are for the operator's scraper, not the internet. */
  handler(sample: () => { workers: number; rooms: number }): RequestHandler {
    return async (req, res) => {
      if (!isLoopback(req)) {
        res.status(404).json({ error: { code: 'not_found', message: 'no such route' } });
        return;
      }
      const now = sample();
      this.workers.set(now.workers);
      this.rooms.set(now.rooms);
      res.type(this.registry.contentType).send(await this.registry.metrics());
    };
  }
}

function isLoopback(req: Request): boolean {
  // The socket's own peer address, not X-Forwarded-For: a proxy in front must not open this up.
  const addr = req.socket.remoteAddress ?? '';
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}
