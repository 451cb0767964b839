import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/** One line of a hash-chained log. */
export interface ChainedRecord {
  seq: number;
  at: string;
  type: string;
  actor: string;
  details?: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type UnchainedRecord = Omit<ChainedRecord, 'prevHash' | 'hash'>;

/** The first record's prevHash binds the chain to its log, so two logs cannot be swapped. */
export function genesisHash(logId: string): string {
  return sha256(`sightline-log:${logId}`);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** hash = SHA-256 over the canonical encoding of every field but `hash` itself. */
export function chain(record: UnchainedRecord, prevHash: string): ChainedRecord {
  const withPrev = { ...record, prevHash };
  return { ...withPrev, hash: sha256(canonicalJson(withPrev)) };
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface VerifyResult {
  intact: boolean;
  records: number;
  /** The seq where the chain first goes wrong (the seq expected there, for a deletion or truncation). */
  firstBadSeq?: number;
  reason?: string;
}

/**
 * Checks a log's lines: each parses, seq runs 1, 2, 3…, each prevHash is the previous hash (the
 * genesis hash first), each hash matches its content, and the last record matches the recorded head
 * (when there is one), which catches a cut-off tail.
 */
export function verifyLines(logId: string, lines: string[], head?: ChainHead): VerifyResult {
  let prev = genesisHash(logId);
  let count = 0;
  for (const [i, line] of lines.entries()) {
    const expectedSeq = i + 1;
    let rec: ChainedRecord;
    try {
      rec = JSON.parse(line) as ChainedRecord;
    } catch {
      return bad(count, expectedSeq, 'unparsable line');
    }
    if (rec.seq !== expectedSeq) return bad(count, expectedSeq, `expected seq ${expectedSeq}, found ${String(rec.seq)}`);
    if (rec.prevHash !== prev) return bad(count, expectedSeq, 'prevHash does not link to the previous record');
    const { hash, ...rest } = rec;
    if (sha256(canonicalJson(rest)) !== hash) return bad(count, expectedSeq, 'content does not match its hash');
    prev = hash;
    count++;
  }
  if (head && (head.seq !== count || head.hash !== prev)) {
    // Shorter: the tail was cut off. Longer: records were added after the head. Same length: rewritten.
    const firstBadSeq = head.seq === count ? count : Math.min(count, head.seq) + 1;
    return bad(count, firstBadSeq, `log ends at seq ${count} (${prev.slice(0, 12)}…) but its recorded head is seq ${head.seq} (${head.hash.slice(0, 12)}…)`);
  }
  return { intact: true, records: count };
}

function bad(records: number, firstBadSeq: number, reason: string): VerifyResult {
  return { intact: false, records, firstBadSeq, reason };
}
