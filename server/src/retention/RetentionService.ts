import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AuditLogs } from '../audit/AuditLogs.js';
import { factsFromLog } from '../audit/sessionFiles.js';
import type { Logger } from '../logging.js';
import { SessionFolder } from '../storage/SessionFolder.js';

const DAY_MS = 86_400_000;

export interface RetentionReport {
  deleted: { sessionId: string; files: string[] }[];
  held: string[];
}

/**
 * Deletes recordings and stills of sessions that ended more than `retentionDays` ago, unless the
 * session is on legal hold. The log itself is kept, and says what was deleted, when and why.
 * Works from the files alone, so the command line can run it beside or without the server.
 */
export class RetentionService {
  #timer: NodeJS.Timeout | undefined;
  #first: NodeJS.Timeout | undefined;
  /** The timer's run under way, if any. */
  #running: Promise<void> | undefined;

  constructor(
    private readonly audit: AuditLogs,
    private readonly retentionDays: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(): Promise<RetentionReport> {
    const report: RetentionReport = { deleted: [], held: [] };
    const cutoff = this.now().getTime() - this.retentionDays * 86_400_000;
    for (const sessionId of await SessionFolder.ids(this.audit.dataDir)) {
      const facts = factsFromLog(await this.audit.sessionLog(sessionId).records());
      if (!facts.endedAt || Date.parse(facts.endedAt) > cutoff) continue;
      const folder = new SessionFolder(this.audit.dataDir, sessionId);
      const files = await folder.mediaFiles();
      if (files.length === 0) continue;
      if (facts.legalHold) {
        report.held.push(sessionId);
        continue;
      }
      const deleted: string[] = [];
      for (const f of files) {
        await unlink(path.join(folder.path, f.rel)).then(
          () => deleted.push(f.rel),
          () => undefined,
        );
      }
      await this.audit.appendSession(
        sessionId,
        { type: 'media_deleted', at: this.now().toISOString(), actor: 'system:retention', details: { files: deleted, retentionDays: this.retentionDays } },
        true,
      );
      report.deleted.push({ sessionId, files: deleted });
      this.log.info({ sessionId, files: deleted.length }, 'retention deleted media');
    }
    if (report.deleted.length) await this.audit.appendAccess('system:retention', 'retention_run', { sessions: report.deleted.map((d) => d.sessionId) });
    return report;
  }

  /**
   * Runs every `everyMs` (daily by default, RETENTION_INTERVAL_MINUTES), and once shortly after start:
   * a minute after, or sooner when the interval is shorter.
   */
  startDaily(everyMs = DAY_MS): void {
    // One run at a time: a short interval must not start a second run over files the first is deleting.
    const tick = () => {
      if (this.#running) return;
      this.#running = this.run()
        .then(() => undefined)
        .catch((err: Error) => this.log.error({ err: err.message }, 'retention run failed'))
        .finally(() => (this.#running = undefined));
    };
    this.#first = setTimeout(tick, Math.min(60_000, everyMs));
    this.#first.unref();
    this.#timer = setInterval(tick, everyMs);
    this.#timer.unref();
  }

  /** Stops the timer, and resolves once a run already under way has finished (its deletions logged). */
  async stop(): Promise<void> {
    clearTimeout(this.#first);
    clearInterval(this.#timer);
    await this.#running;
  }
}
