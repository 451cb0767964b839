import type { SessionStatus } from '@sightline/shared';
import type { Logger } from '../logging.js';
import type { SessionService } from './SessionService.js';

export interface SessionTimerOptions {
  /** An invite nobody used ends the session after this long. */
  inviteTtlMs: number;
  /** A session without media or activity for this long ends. */
  idleMs: number;
  /** No session lives longer than this. */
  maxMs: number;
  intervalMs?: number;
}

const WAITING_FOR_CALLER: ReadonlySet<SessionStatus> = new Set(['created', 'sms_sent', 'sms_delivered', 'sms_failed', 'link_opened']);
const WITHOUT_MEDIA: ReadonlySet<SessionStatus> = new Set(['consent_given', 'camera_granted', 'camera_denied', 'reconnecting']);

/**
 * Ends sessions the server must end by itself (PRODUCT.md): an invite left unused, a session idle
 * without video, and the maximum lifetime. A sweep, not a timer per session, so it survives restarts
 * and works the same with several nodes (the end transition is idempotent).
 */
export class SessionTimers {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: SessionService,
    private readonly opts: SessionTimerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.sweep().catch((err: Error) => this.log.warn({ err: err.message }, 'session sweep failed'));
    }, this.opts.intervalMs ?? 15_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * At start: sessions that were live had their media in the previous process, which is gone.
   * Say so in their logs; the clients' own reconnection brings them back to live.
   */
  async markMediaLostAtStart(nodeId: string): Promise<void> {
    for (const s of await this.sessions.list({ status: 'live' })) {
      // Other nodes' sessions are theirs; one without a node predates placement and was ours.
      if (s.mediaNode && s.mediaNode !== nodeId) continue;
      await this.sessions.transition(s.id, 'reconnecting', 'system', { reason: 'server restarted' });
    }
  }

  /** Ends what is due at `now`; returns the ids ended. */
  async sweep(now = new Date()): Promise<string[]> {
    const ended: string[] = [];
    for (const s of await this.sessions.list({})) {
      if (s.status === 'ended') continue;
      const reason = await this.#dueReason(s.id, s.status, Date.parse(s.createdAt), now.getTime());
      if (reason) {
        await this.sessions.end(s.id, 'system', reason);
        ended.push(s.id);
      }
    }
    return ended;
  }

  async #dueReason(id: string, status: SessionStatus, createdAt: number, now: number): Promise<string | undefined> {
    if (now - createdAt >= this.opts.maxMs) return 'max_lifetime';
    if (WAITING_FOR_CALLER.has(status) && now - createdAt >= this.opts.inviteTtlMs) return 'invite_expired';
    if (WITHOUT_MEDIA.has(status)) {
      const events = await this.sessions.events(id);
      const last = Date.parse(events.at(-1)?.at ?? new Date(createdAt).toISOString());
      if (now - last >= this.opts.idleMs) return 'idle';
    }
    return undefined;
  }
}
