import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { SessionEvent } from '@sightline/shared';
import { verifyLines, type ChainHead, type ChainedRecord, type VerifyResult } from './chain.js';
import { ChainedLogFile, LogLockedError, type NewRecord, type TailRepair } from './ChainedLogFile.js';
import { crossCheck } from './checkpointCheck.js';
import type { Checkpoints } from './Checkpoints.js';
import { HeadIndex } from './HeadIndex.js';
import { LogTails } from './LogTail.js';
import { SessionFolder } from '../storage/SessionFolder.js';

/** The access log's id (its genesis and checkpoints); never a session id, which has at least 8 characters. */
export const ACCESS_LOG_ID = 'access';

/** One moment of a log (AuditLogs.snapshotSession). */
export interface LogSnapshot {
  lines: string[];
  /** The last line's seq and hash; absent for an empty log (or an unreadable last line). */
  head?: ChainHead;
  result: VerifyResult;
}

export interface VerifyOptions {
  /** The session store's event count for this session; absent without a store. */
  storeCount?: () => Promise<number>;
}

/**
 * The tamper-evident logs on disk: one per session (`$DATA_DIR/sessions/<id>/log.jsonl`) and one
 * for supervisor access that belongs to no single session (`$DATA_DIR/audit/access.jsonl`).
 * Records hold what happened, by whom, when; never tokens, and phone numbers only masked.
 */
/**
 * 'repaired': a log's torn last line was cut (see ChainedLogFile.repairTail); the server reports it.
 * 'appended': a record is on disk, with its fdatasync time (for the metrics).
 */
export class AuditLogs extends EventEmitter<{ repaired: [TailRepair]; appended: [{ logId: string; seq: number; syncMs: number }] }> {
  readonly heads: HeadIndex;
  readonly access: ChainedLogFile;
  #sessions = new Map<string, ChainedLogFile>();
  #timelines = new LogTails<SessionEvent>((line) => {
    const { prevHash: _p, hash: _h, ...event } = JSON.parse(line) as ChainedRecord;
    return event as SessionEvent;
  });

  /**
   * `checkpoints`: signs the heads this process appends (a server, or the command line with the key)
   * and is what every verification is checked against (with only public keys: a verifier).
   */
  constructor(
    readonly dataDir: string,
    readonly checkpoints?: Checkpoints,
  ) {
    super();
    this.heads = new HeadIndex(dataDir);
    this.access = this.#observed(new ChainedLogFile(path.join(dataDir, 'audit', 'access.jsonl'), ACCESS_LOG_ID));
  }

  sessionLog(sessionId: string): ChainedLogFile {
    let log = this.#sessions.get(sessionId);
    if (!log) {
      log = this.#observed(new ChainedLogFile(new SessionFolder(this.dataDir, sessionId).log, sessionId));
      this.#sessions.set(sessionId, log);
    }
    return log;
  }

  #observed(log: ChainedLogFile): ChainedLogFile {
    log.on('repaired', (r) => this.emit('repaired', r));
    log.on('appended', (a) => this.emit('appended', a));
    return log;
  }

  /**
   * At start: cuts the torn last line of every log (a crash or a full disk mid-append), keeping every
   * whole record; each repair is emitted as 'repaired'. Reads one byte of a whole log.
   */
  async repairTails(): Promise<TailRepair[]> {
    const repairs: TailRepair[] = [];
    for (const log of [this.access, ...(await SessionFolder.ids(this.dataDir)).map((id) => this.sessionLog(id))]) {
      // A log another node is appending to right now is repaired by its next append, not here:
      // a busy lock must not keep this node from starting.
      const r = await log.repairTail().catch((err: unknown) => {
        if (err instanceof LogLockedError) return undefined;
        throw err;
      });
      if (r) repairs.push(r);
    }
    return repairs;
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
      // A session's end (and anything after it) is signed at once, still under the log's lock.
      this.checkpoints?.note(sessionId, { seq: rec.seq, hash: rec.hash, ...(seal && { sealed: true }) });
      if (seal) await this.checkpoints?.flush();
    });
  }

  /** The session's events as the log holds them; parses only what was appended since the last read (LogTails). */
  async readSession(sessionId: string): Promise<SessionEvent[]> {
    return this.#timelines.read(this.sessionLog(sessionId).file);
  }

  /**
   * The session log's chain, then the witnesses it cannot rewrite: the signed checkpoints, the head
   * index's genesis record and (given `storeCount`) the session store's event count. An event the
   * store has counted may be on its way to the log, so a log short of the store is read again for up
   * to 2 s before it is called broken.
   */
  async verifySession(sessionId: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
    return (await this.snapshotSession(sessionId, opts)).result;
  }

  /**
   * One moment of a session's log: its lines, its last record's seq and hash (`head`; none when
   * empty), and their verification (verifySession), every witness read under the log's lock with the
   * lines (ChainedLogFile.snapshot), so a record appended meanwhile is in none of them. An export
   * ships exactly these lines.
   */
  async snapshotSession(sessionId: string, opts: VerifyOptions = {}): Promise<LogSnapshot> {
    for (let attempt = 0; ; attempt++) {
      const storeCount = await opts.storeCount?.();
      const log = this.sessionLog(sessionId);
      const snap = await log.snapshot(async (lines) => {
        const anchors = await this.heads.anchors(sessionId);
        const chained = verifyLines(log.logId, lines, anchors);
        const witnesses = { storeCount, genesisIndexed: anchors.genesis !== undefined, checkpoints: await this.checkpoints?.view() };
        return { lines, result: crossCheck(log.logId, chained, lines, witnesses) };
      });
      if (snap.result.link !== 'store' || attempt >= 8) return { ...snap, head: headOf(snap.lines) };
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The access log's chain and its signed checkpoints, as one moment. */
  async verifyAccess(): Promise<VerifyResult> {
    return (await this.snapshotAccess()).result;
  }

  /** One moment of the access log: its records and their verification (as snapshotSession). */
  async snapshotAccess(): Promise<{ records: ChainedRecord[]; result: VerifyResult }> {
    const log = this.access;
    return log.snapshot(async (lines) => {
      const checkpoints = await this.checkpoints?.view();
      return { records: parsed(lines), result: crossCheck(log.logId, verifyLines(log.logId, lines, {}), lines, { checkpoints }) };
    });
  }

  /** Supervisor access that is not about one session (searches). */
  async appendAccess(actor: string, type: string, details?: Record<string, unknown>): Promise<void> {
    await this.access.append({ at: new Date().toISOString(), type, actor, ...(details && { details }) }, async (rec) => {
      this.checkpoints?.note(ACCESS_LOG_ID, { seq: rec.seq, hash: rec.hash });
    });
  }
}

function headOf(lines: string[]): ChainHead | undefined {
  try {
    const last = lines.at(-1);
    const { seq, hash } = JSON.parse(last ?? 'null') as ChainedRecord;
    return typeof seq === 'number' && typeof hash === 'string' ? { seq, hash } : undefined;
  } catch {
    return undefined;
  }
}

/** Records of lines that parse (a broken line is the verification's to name, not a reader's to throw on). */
function parsed(lines: string[]): ChainedRecord[] {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as ChainedRecord];
    } catch {
      return [];
    }
  });
}
