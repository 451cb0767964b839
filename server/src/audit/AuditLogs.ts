import path from 'node:path';
import type { SessionEvent } from '@sightline/shared';
import type { ChainedRecord, VerifyResult } from './chain.js';
import { ChainedLogFile, type NewRecord } from './ChainedLogFile.js';
import { HeadIndex } from './HeadIndex.js';

/**
 * The tamper-evident logs on disk: one per session (`$DATA_DIR/sessions/<id>/log.jsonl`) and one
 * for supervisor access that belongs to no single session (`$DATA_DIR/audit/access.jsonl`).
 * Records hold what happened, by whom, when; never tokens, and phone numbers only masked.
 */
export class AuditLogs {
  readonly heads: HeadIndex;
  readonly access: ChainedLogFile;
  #sessions = new Map<string, ChainedLogFile>();

  constructor(readonly dataDir: string) {
    this.heads = new HeadIndex(dataDir);
    this.access = new ChainedLogFile(path.join(dataDir, 'audit', 'access.jsonl'), 'access');
  }

  sessionLog(sessionId: string): ChainedLogFile {
    let log = this.#sessions.get(sessionId);
    if (!log) {
      log = new ChainedLogFile(path.join(this.dataDir, 'sessions', sessionId, 'log.jsonl'), sessionId);
      this.#sessions.set(sessionId, log);
    }
    return log;
  }

  /**
   * Appends a session event; `seal` also records the new head in the index (ended sessions). A log's
   * first record goes into the index too (its genesis anchor), so a log re-chained from a changed
   * first record shows even before the session ends. The file numbers its own records; they match
   * the store's seq unless another process appended too.
   */
  async appendSession(sessionId: string, event: NewRecord | SessionEvent, seal: boolean): Promise<ChainedRecord> {
    const { seq: _ignored, ...record } = event as SessionEvent;
    return this.sessionLog(sessionId).append(record, async (rec) => {
      if (rec.seq === 1) await this.heads.setGenesis(sessionId, { seq: rec.seq, hash: rec.hash });
      if (seal) await this.heads.set(sessionId, { seq: rec.seq, hash: rec.hash });
    });
  }

  async readSession(sessionId: string): Promise<SessionEvent[]> {
    return (await this.sessionLog(sessionId).records()).map(({ prevHash: _p, hash: _h, ...event }) => event as SessionEvent);
  }

  async verifySession(sessionId: string): Promise<VerifyResult> {
    return this.sessionLog(sessionId).verify(() => this.heads.anchors(sessionId));
  }

  /** Supervisor access that is not about one session (searches). */
  async appendAccess(actor: string, type: string, details?: Record<string, unknown>): Promise<void> {
    await this.access.append({ at: new Date().toISOString(), type, actor, ...(details && { details }) });
  }
}
