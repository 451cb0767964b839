import { sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { sha256 } from './chain.js';
import type { CheckpointKeys, CheckpointSigner } from './checkpointKey.js';

/** A log's head as a checkpoint signs it. `sealed`: written at the session's end (nothing may follow). */
export interface CheckpointHead {
  seq: number;
  hash: string;
  sealed?: boolean;
}

/**
 * One line of `$DATA_DIR/index/checkpoints.jsonl`: the heads of the logs that grew since the last
 * checkpoint, signed. `seq` runs 1, 2, 3…; `prev` is the previous entry's hash (the first's is
 * CHECKPOINT_GENESIS); `hash` is SHA-256 over the canonical JSON of every field but `hash` and `sig`;
 * `sig` is Ed25519 over that hash (base64), by the key named `kid`.
 */
export interface CheckpointEntry {
  seq: number;
  at: string;
  node: string;
  prev: string;
  kid: string;
  logs: Record<string, CheckpointHead>;
  hash: string;
  sig: string;
}

export const CHECKPOINT_GENESIS = sha256('sightline-checkpoints');

export function signCheckpoint(body: Omit<CheckpointEntry, 'hash' | 'sig' | 'kid'>, signer: CheckpointSigner): CheckpointEntry {
  const unsigned = { ...body, kid: signer.kid };
  const hash = sha256(canonicalJson(unsigned));
  return { ...unsigned, hash, sig: sign(null, Buffer.from(hash), signer.privateKey).toString('base64') };
}

/** A head some checkpoint signed, with where it came from (to name it in a report). */
export interface SignedHead extends CheckpointHead {
  checkpoint: number;
  at: string;
  node: string;
}

/**
 * What a checkpoint file vouches for, built one line at a time: each entry's link, hash, signature
 * (against the given public keys) and monotonicity (no log's head goes back, and a seq signed twice
 * has one hash). Stops at the first bad entry, which `broken` names; what came before still stands.
 */
export class CheckpointView {
  entries = 0;
  last = CHECKPOINT_GENESIS;
  broken: { entry: number; reason: string } | undefined;
  /** Every head signed for each log, oldest first. */
  readonly logs = new Map<string, SignedHead[]>();
  readonly #hashes: string[] = [];

  constructor(readonly keys: CheckpointKeys) {}

  /** The hash of entry `seq` (1-based), if the view holds it. */
  hashOf(seq: number): string | undefined {
    return this.#hashes[seq - 1];
  }

  latest(logId: string): SignedHead | undefined {
    return this.logs.get(logId)?.at(-1);
  }

  /** Checks and takes one line; false (and `broken` set) when it is bad or the view already is. */
  add(line: string): boolean {
    if (this.broken) return false;
    const n = this.entries + 1;
    const problem = this.#problem(line, n);
    if (problem) {
      this.broken = { entry: n, reason: `checkpoint #${n}: ${problem}` };
      return false;
    }
    const e = JSON.parse(line) as CheckpointEntry;
    for (const [logId, head] of Object.entries(e.logs)) {
      const list = this.logs.get(logId) ?? [];
      list.push({ seq: head.seq, hash: head.hash, ...(head.sealed && { sealed: true }), checkpoint: e.seq, at: e.at, node: e.node });
      this.logs.set(logId, list);
    }
    this.entries = n;
    this.last = e.hash;
    this.#hashes.push(e.hash);
    return true;
  }

  #problem(line: string, n: number): string | undefined {
    let e: CheckpointEntry;
    try {
      e = JSON.parse(line) as CheckpointEntry;
    } catch {
      return 'unparsable line';
    }
    if (typeof e !== 'object' || e === null || typeof e.logs !== 'object' || e.logs === null) return 'not a checkpoint';
    if (e.seq !== n) return `expected checkpoint seq ${n}, found ${String(e.seq)} (one removed or reordered)`;
    if (e.prev !== this.last) return 'does not link to the previous checkpoint';
    const { hash, sig, ...rest } = e;
    if (sha256(canonicalJson(rest)) !== hash) return 'content does not match its hash (edited)';
    const key = this.keys.get(e.kid);
    if (!key) return `signed by key ${String(e.kid)}, which is not a given public key`;
    if (typeof sig !== 'string' || !verify(null, Buffer.from(hash), key, Buffer.from(sig, 'base64'))) return 'signature does not verify';
    for (const [logId, head] of Object.entries(e.logs)) {
      if (!Number.isInteger(head?.seq) || head.seq < 1 || typeof head.hash !== 'string') return `bad head for log ${logId}`;
      const before = this.latest(logId);
      if (before && head.seq < before.seq) return `log ${logId} goes back from seq ${before.seq} (checkpoint #${before.checkpoint}) to seq ${head.seq}`;
      if (before && head.seq === before.seq && head.hash !== before.hash) return `log ${logId} seq ${head.seq} signed with two different hashes`;
    }
    return undefined;
  }
}
