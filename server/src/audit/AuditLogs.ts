import path from 'node:path';
import type { SessionEvent } from '@sightline/shared';
import type { VerifyResult } from './chain.js';
import { ChainedLogFile } from './ChainedLogFile.js';
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

  /** Appends a session event; `seal` also records the new head in the index (ended sessions). */
  async appendSession(sessionId: string, event: SessionEvent, seal: boolean): Promise<void> {
    const rec = await this.sessionLog(sessionId).append(event);
    if (seal) await this.heads.set(sessionId, { seq: rec.seq, hash: rec.hash });
  }

  async verifySession(sessionId: string): Promise<VerifyResult> {
    return this.sessionLog(sessionId).verify(await this.heads.get(sessionId));
  }

  /** Supervisor access that is not about one session (searches). */
  async appendAccess(actor: string, type: string, details?: Record<string, unknown>): Promise<void> {
    const head = await this.access.head();
    await this.access.append({ seq: head.seq + 1, at: new Date().toISOString(), type, actor, ...(details && { details }) });
  }
}
