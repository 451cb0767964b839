import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AuditLogs } from '../audit/AuditLogs.js';
import { factsFromLog, listSessionIds, mediaFiles, sessionDir } from '../audit/sessionFiles.js';
import type { Logger } from '../logging.js';

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

  constructor(
    private readonly audit: AuditLogs,
    private readonly retentionDays: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(): Promise<RetentionReport> {
    const report: RetentionReport = { deleted: [], held: [] };
    const cutoff = this.now().getTime() - this.retentionDays * 86_400_000;
    for (const sessionId of await listSessionIds(this.audit.dataDir)) {
      const facts = factsFromLog(await this.audit.sessionLog(sessionId).records());
      if (!facts.endedAt || Date.parse(facts.endedAt) > cutoff) continue;
      const dir = sessionDir(this.audit.dataDir, sessionId);
      const files = await mediaFiles(dir);
      if (files.length === 0) continue;
      if (facts.legalHold) {
        report.held.push(sessionId);
        continue;
      }
      const deleted: string[] = [];
      for (const f of files) {
        await unlink(path.join(dir, f.rel)).then(() => deleted.push(f.rel), () => undefined);
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

  /** Runs daily (and once shortly after start), inside the server. */
  startDaily(): void {
    const tick = () => this.run().catch((err: Error) => this.log.error({ err: err.message }, 'retention run failed'));
    setTimeout(tick, 60_000).unref();
    this.#timer = setInterval(tick, 86_400_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
