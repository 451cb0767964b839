import type { VerifyResult } from './chain.js';
import type { CheckpointView, SignedHead } from './checkpointChain.js';

/** What a log is checked against beyond its own chain. */
export interface LogWitnesses {
  /** The signed checkpoints (none: no public key was given, so they are not checked). */
  checkpoints?: CheckpointView;
  /** How many events the session store holds for this session (none: no store, e.g. the command line in memory mode). */
  storeCount?: number;
  /** The head index recorded this log's first record when it began. */
  genesisIndexed?: boolean;
}

/**
 * Checks a log whose chain verified (`result`, its lines in `lines`, seq 1 first) against
 * what it cannot rewrite: every signed checkpoint of it must still be there (a record at that seq
 * with that hash), an ended session's log must end at its sealed head, and the log must hold at
 * least as many records as the session store has events (the store numbers them; the command line
 * may add records the store never sees, so more is fine). The checkpoint file itself must be whole.
 * Returns `result` unchanged when all agree, else the first disagreement, named, with `firstBadSeq`
 * the first record nothing vouches for any more.
 */
export function crossCheck(logId: string, result: VerifyResult, lines: string[], w: LogWitnesses): VerifyResult {
  const view = w.checkpoints;
  if (!result.intact) {
    // The chain names the break; a signed head the file no longer holds says what went with it (a
    // deleted log that later appends started afresh fails its genesis, and this says the rest is gone).
    const latest = view?.broken ? undefined : view?.latest(logId);
    if (!latest || hashAt(lines, latest.seq) === latest.hash) return result;
    return {
      ...result,
      reason: `${String(result.reason)}; the file (${lines.length} record(s)) no longer holds seq ${latest.seq} as ${named(latest)} signed it: records are missing or replaced`,
    };
  }
  const hashes = lines.slice(0, result.records).map((_, i) => hashAt(lines, i + 1));
  const n = result.records;
  if (view?.broken) {
    return { intact: false, records: n, link: 'checkpoint', reason: `${view.broken.reason}; the checkpoint file cannot vouch for any log` };
  }
  const signed = view?.logs.get(logId) ?? [];
  let confirmed = 0;
  for (const head of signed) {
    if (head.seq > n) break;
    if (hashes[head.seq - 1] !== head.hash) {
      return bad(n, confirmed + 1, `record seq ${head.seq} is not the one ${named(head)} signed: the log was rewritten after seq ${confirmed}`);
    }
    confirmed = head.seq;
  }
  const latest = signed.at(-1);
  if (latest && latest.seq > n) {
    const what = n === 0 ? 'the log is missing or empty' : `the log ends at seq ${n}, records ${n + 1}–${latest.seq} are missing (cut off or deleted)`;
    return bad(n, n + 1, `${what}: ${named(latest)} signed it at seq ${latest.seq}`);
  }
  if (latest?.sealed && n > latest.seq) {
    return bad(n, latest.seq + 1, `${n - latest.seq} record(s) after the head ${named(latest)} sealed at the session's end`);
  }
  if (w.storeCount !== undefined && n < w.storeCount) {
    const what = n === 0 ? 'the log is missing or empty' : `the log ends at seq ${n}, records ${n + 1}–${w.storeCount} are missing`;
    return { intact: false, records: n, firstBadSeq: n + 1, link: 'store', reason: `${what}: the session store holds ${w.storeCount} events` };
  }
  if (n === 0 && w.genesisIndexed) {
    return {
      intact: false,
      records: 0,
      firstBadSeq: 1,
      link: 'genesis',
      reason: 'the log is missing or empty, but its first record was indexed when it began',
    };
  }
  return result;
}

function hashAt(lines: string[], seq: number): string | undefined {
  try {
    return (JSON.parse(lines[seq - 1] ?? 'null') as { hash?: string } | null)?.hash;
  } catch {
    return undefined;
  }
}

function named(head: SignedHead): string {
  return `checkpoint #${head.checkpoint} (${head.at}, ${head.node})`;
}

function bad(records: number, firstBadSeq: number, reason: string): VerifyResult {
  return { intact: false, records, firstBadSeq, link: 'checkpoint', reason };
}
