import { createHash } from 'node:crypto';
import type { LogRecord } from '@sightline/shared';
import { canonicalJson } from './canonical.js';

/** One line of a hash-chained log: the shape the REST contract answers too (shared/src/api/rest.ts). */
export type ChainedRecord = LogRecord;

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

/** Records kept apart from the log (the head index) that it must agree with. */
export interface ChainAnchors {
  /** The last record, sealed when the session ended (and after each later append). */
  head?: ChainHead;
  /** The first record, as written when the log began (logs from before anchors have none). */
  genesis?: ChainHead;
}

/**
 * Each check of the chain, named in a failed result: which link broke. `checkpoint` and `store` are
 * the witnesses outside the log (checkpointCheck.ts): a signed checkpoint, the session store's count.
 */
export type ChainLink = 'line' | 'seq' | 'genesis' | 'prevHash' | 'hash' | 'head' | 'checkpoint' | 'store';

export interface VerifyResult {
  intact: boolean;
  records: number;
  /** The seq where the chain first goes wrong (the seq expected there, for a deletion or truncation). */
  firstBadSeq?: number;
  reason?: string;
  link?: ChainLink;
}

/**
 * Checks a log's lines, each link on its own: each line parses; seq runs 1, 2, 3…; the first record
 * is bound to this log (genesis); each later prevHash is the previous record's hash; each hash
 * matches its content; and the last record matches the sealed head, when there is one (a cut-off
 * tail, or a rewrite re-chained with this public algorithm). Stops at the first broken link.
 */
export function verifyLines(logId: string, lines: string[], anchors: ChainAnchors = {}): VerifyResult {
  let prev = genesisHash(logId);
  let count = 0;
  for (const [i, line] of lines.entries()) {
    const expectedSeq = i + 1;
    let rec: ChainedRecord;
    try {
      rec = JSON.parse(line) as ChainedRecord;
    } catch {
      return bad(count, expectedSeq, 'line', 'unparsable line');
    }
    if (rec.seq !== expectedSeq) return bad(count, expectedSeq, 'seq', `expected seq ${expectedSeq}, found ${String(rec.seq)}`);
    if (expectedSeq === 1) {
      const unbound = genesisMismatch(logId, rec, anchors.genesis);
      if (unbound) return bad(count, 1, 'genesis', unbound);
    } else if (rec.prevHash !== prev) {
      return bad(count, expectedSeq, 'prevHash', 'prevHash does not link to the previous record');
    }
    const { hash, ...rest } = rec;
    if (sha256(canonicalJson(rest)) !== hash) return bad(count, expectedSeq, 'hash', 'content does not match its hash');
    prev = hash;
    count++;
  }
  const { head } = anchors;
  if (head && (head.seq !== count || head.hash !== prev)) {
    // Shorter: the tail was cut off. Longer: records were added after the head. Same length: rewritten
    // and re-chained; the head binds only the last record, so that is the one it can name.
    const firstBadSeq = head.seq === count ? count : Math.min(count, head.seq) + 1;
    return bad(
      count,
      firstBadSeq,
      'head',
      `log ends at seq ${count} (${prev.slice(0, 12)}…) but its recorded head is seq ${head.seq} (${head.hash.slice(0, 12)}…)`,
    );
  }
  return { intact: true, records: count };
}

/**
 * Why the first record is not this log's own, if it is not: its prevHash must be the genesis hash of
 * the log's id (a log copied from another session fails), and its hash the one recorded in the head
 * index when the log began (a log re-chained from a changed first record fails, though the genesis
 * hash itself is public).
 */
function genesisMismatch(logId: string, first: ChainedRecord, anchor: ChainHead | undefined): string | undefined {
  if (first.prevHash !== genesisHash(logId)) return `first record is not bound to log ${logId}: its prevHash is not that log's genesis hash`;
  if (anchor && anchor.hash !== first.hash) return `first record is not the one recorded when log ${logId} began (${anchor.hash.slice(0, 12)}…)`;
  return undefined;
}

function bad(records: number, firstBadSeq: number, link: ChainLink, reason: string): VerifyResult {
  return { intact: false, records, firstBadSeq, reason, link };
}
