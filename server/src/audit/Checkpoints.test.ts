import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_LOG_ID, AuditLogs } from './AuditLogs.js';
import { canonicalJson } from './canonical.js';
import { chain, sha256, type ChainedRecord } from './chain.js';
import { signCheckpoint, type CheckpointEntry } from './checkpointChain.js';
import { keyId, loadCheckpointSigner, type CheckpointSigner } from './checkpointKey.js';
import { Checkpoints } from './Checkpoints.js';

/**
 * The signed checkpoints against someone who can write $DATA_DIR but holds no key: the checkpoint
 * file itself edited, re-signed with another key, thinned out, cut short, or the logs it vouches for
 * cut and deleted before any checkpoint (the store's count and the genesis anchor then speak).
 */
let dir: string;
let keyDir: string;
let signer: CheckpointSigner;
const LIVE = 's_checkpoint_live';
const ENDED = 's_checkpoint_ended';

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'checkpoints-'));
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'checkpoint-key-'));
  signer = await loadCheckpointSigner(path.join(keyDir, 'key.pem'), true);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(keyDir, { recursive: true, force: true });
});

/** What a server node has: the signer, and its own public key. */
const node = (name = 'node-a', s: CheckpointSigner | undefined = signer) => new Checkpoints(dir, { signer: s, keys: new Map(), node: name });
/** What a verifier has: the public key alone, reading the files afresh. */
const verifier = () => new AuditLogs(dir, new Checkpoints(dir, { keys: new Map([[signer.kid, signer.publicKey]]), node: 'verifier' }));

async function appendRecords(logs: AuditLogs, id: string, from: number, to: number, endAt?: number): Promise<void> {
  for (let seq = from; seq <= to; seq++) {
    await logs.appendSession(
      id,
      { type: seq === endAt ? 'ended' : seq === 1 ? 'created' : 'chat', at: new Date().toISOString(), actor: 'dispatcher:d', details: { n: seq } },
      endAt !== undefined && seq >= endAt,
    );
  }
}

const cpFile = () => path.join(dir, 'index', 'checkpoints.jsonl');
const entries = async () =>
  (await readFile(cpFile(), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CheckpointEntry);
const saveEntries = (es: CheckpointEntry[]) => writeFile(cpFile(), es.map((e) => `${JSON.stringify(e)}\n`).join(''));
const logFile = (id: string) => path.join(dir, 'sessions', id, 'log.jsonl');
const logLines = async (id: string) => (await readFile(logFile(id), 'utf8')).split('\n').filter(Boolean);

/** Two sessions and the access log, signed in three checkpoints: live at 3 then 5, ended sealed at 4. */
async function signedLogs(): Promise<{ logs: AuditLogs; cp: Checkpoints }> {
  const cp = node();
  const logs = new AuditLogs(dir, cp);
  await appendRecords(logs, LIVE, 1, 3);
  await logs.appendAccess('supervisor:s', 'sessions_searched', { results: 1 });
  await cp.flush();
  await appendRecords(logs, LIVE, 4, 5);
  await cp.flush();
  await appendRecords(logs, ENDED, 1, 4, 4);
  return { logs, cp };
}

describe('signed checkpoints', () => {
  it('sign every log head, live and sealed, in a chained file that a verifier with the public key accepts', async () => {
    await signedLogs();
    const es = await entries();
    expect(es.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(es[0]!.logs).toMatchObject({ [LIVE]: { seq: 3 }, [ACCESS_LOG_ID]: { seq: 1 } });
    expect(es[1]!.logs).toEqual({ [LIVE]: expect.objectContaining({ seq: 5 }) });
    expect(es[2]!.logs).toEqual({ [ENDED]: expect.objectContaining({ seq: 4, sealed: true }) });
    expect(es[1]!.prev).toBe(es[0]!.hash);
    const v = verifier();
    expect(await v.verifySession(LIVE)).toEqual({ intact: true, records: 5 });
    expect(await v.verifySession(ENDED)).toEqual({ intact: true, records: 4 });
    expect(await v.verifyAccess()).toEqual({ intact: true, records: 1 });
  });

  it('a live log rewritten after a checkpoint and re-chained with the public algorithm is named from the last checkpoint that still holds', async () => {
    await signedLogs();
    const lines = await logLines(LIVE);
    const recs = lines.map((l) => JSON.parse(l) as ChainedRecord);
    recs[3]!.details = { n: 'forged' };
    let prev = recs[2]!.hash;
    for (const r of recs.slice(3)) {
      const { prevHash: _p, hash: _h, ...rest } = r;
      Object.assign(r, chain(rest, prev));
      prev = r.hash;
    }
    await writeFile(logFile(LIVE), recs.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const r = await verifier().verifySession(LIVE);
    expect(r).toMatchObject({ intact: false, link: 'checkpoint', firstBadSeq: 4, records: 5 });
    expect(r.reason).toMatch(/record seq 5 is not the one checkpoint #2 .* signed: the log was rewritten after seq 3/);
  });

  it('a tampered checkpoint (a head edited) breaks every log, naming the checkpoint', async () => {
    await signedLogs();
    const es = await entries();
    es[1]!.logs[LIVE]!.seq = 2;
    await saveEntries(es);
    const r = await verifier().verifySession(LIVE);
    expect(r).toMatchObject({ intact: false, link: 'checkpoint' });
    expect(r.reason).toMatch(/checkpoint #2: content does not match its hash/);
    expect((await verifier().verifySession(ENDED)).intact).toBe(false);
  });

  it('a checkpoint file re-made and re-signed with another key is refused: unknown key, or a signature that does not verify', async () => {
    await signedLogs();
    const other = generateKeyPairSync('ed25519');
    const forger: CheckpointSigner = { ...other, kid: keyId(other.publicKey) };
    // The forger re-signs the whole chain after cutting the live log to 3 records (dropping its checkpoint #2).
    const es = (await entries()).filter((e) => e.seq !== 2);
    let prev = sha256('sightline-checkpoints');
    const forged = es.map((e, i) => {
      const f = signCheckpoint({ seq: i + 1, at: e.at, node: e.node, prev, logs: e.logs }, forger);
      prev = f.hash;
      return f;
    });
    await saveEntries(forged);
    await writeFile(
      logFile(LIVE),
      (await logLines(LIVE))
        .slice(0, 3)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const r = await verifier().verifySession(LIVE);
    expect(r).toMatchObject({ intact: false, link: 'checkpoint' });
    expect(r.reason).toMatch(new RegExp(`checkpoint #1: signed by key ${forger.kid}, which is not a given public key`));

    // The same forgery claiming the real key's id: its signature does not verify.
    prev = sha256('sightline-checkpoints');
    const posing = es.map((e, i) => {
      const f = signCheckpoint({ seq: i + 1, at: e.at, node: e.node, prev, logs: e.logs }, { ...forger, kid: signer.kid });
      prev = f.hash;
      return f;
    });
    await saveEntries(posing);
    expect((await verifier().verifySession(LIVE)).reason).toMatch(/checkpoint #1: signature does not verify/);
  });

  it('a checkpoint removed from the middle breaks the chain of checkpoints', async () => {
    await signedLogs();
    await saveEntries((await entries()).filter((e) => e.seq !== 2));
    expect((await verifier().verifySession(LIVE)).reason).toMatch(/checkpoint #2: expected checkpoint seq 2, found 3/);
  });

  it('the newest checkpoints removed (with the log tail they cover) are seen by the process that wrote them', async () => {
    const { logs } = await signedLogs();
    await saveEntries((await entries()).slice(0, 1));
    await writeFile(
      logFile(LIVE),
      (await logLines(LIVE))
        .slice(0, 3)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const r = await logs.verifySession(LIVE);
    expect(r).toMatchObject({ intact: false, link: 'checkpoint' });
    expect(r.reason).toMatch(/no longer holds checkpoint #3 .* it ends at #1/);
  });

  it('a head going back, even signed with the right key, breaks monotonicity', async () => {
    await signedLogs();
    const es = await entries();
    const last = es.at(-1)!;
    es.push(
      signCheckpoint(
        { seq: last.seq + 1, at: new Date().toISOString(), node: 'node-a', prev: last.hash, logs: { [LIVE]: { seq: 4, hash: 'x'.repeat(64) } } },
        signer,
      ),
    );
    await saveEntries(es);
    expect((await verifier().verifySession(ENDED)).reason).toMatch(new RegExp(`checkpoint #4: log ${LIVE} goes back from seq 5 \\(checkpoint #2\\) to seq 4`));
  });

  it('records added after the sealed end are named, even with the head index rewritten to match', async () => {
    await signedLogs();
    const plain = new AuditLogs(dir); // someone without the key appends and seals the head index
    await appendRecords(plain, ENDED, 5, 5, 5);
    const r = await verifier().verifySession(ENDED);
    expect(r).toMatchObject({ intact: false, link: 'checkpoint', firstBadSeq: 5 });
    expect(r.reason).toMatch(/1 record\(s\) after the head checkpoint #3 .* sealed at the session's end/);
  });

  it("before any checkpoint, a cut live log is named by the store's count, a deleted one by its genesis anchor too", async () => {
    const logs = new AuditLogs(dir, node());
    await appendRecords(logs, LIVE, 1, 5);
    await writeFile(
      logFile(LIVE),
      (await logLines(LIVE))
        .slice(0, 3)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const cut = await verifier().verifySession(LIVE, { storeCount: async () => 5 });
    expect(cut).toEqual({
      intact: false,
      records: 3,
      firstBadSeq: 4,
      link: 'store',
      reason: 'the log ends at seq 3, records 4–5 are missing: the session store holds 5 events',
    });
    await unlink(logFile(LIVE));
    expect(await verifier().verifySession(LIVE, { storeCount: async () => 5 })).toMatchObject({
      intact: false,
      records: 0,
      link: 'store',
      reason: expect.stringMatching(/^the log is missing/),
    });
    expect(await verifier().verifySession(LIVE)).toMatchObject({ intact: false, records: 0, link: 'genesis' });
  });

  it('a torn last line (a writer that crashed mid-line) is dropped before the next checkpoint, which the verifier then accepts', async () => {
    const { logs, cp } = await signedLogs();
    await writeFile(cpFile(), `${await readFile(cpFile(), 'utf8')}{"seq":4,"at":"2026-`);
    await appendRecords(logs, LIVE, 6, 6);
    expect((await cp.flush())?.seq).toBe(4);
    expect(await verifier().verifySession(LIVE)).toEqual({ intact: true, records: 6 });
  });

  it('two nodes signing the same logs in one shared file keep it chained and monotonic', async () => {
    const a = node('node-a');
    const b = node('node-b');
    const onA = new AuditLogs(dir, a);
    const onB = new AuditLogs(dir, b);
    await appendRecords(onA, LIVE, 1, 2);
    await appendRecords(onB, LIVE, 3, 6);
    await Promise.all([b.flush(), a.flush()]); // A's note (seq 2) is older than B's (seq 6), whichever signs first
    await appendRecords(onA, LIVE, 7, 7);
    await Promise.all([a.flush(), b.flush()]);
    const heads = (await entries()).map((e) => e.logs[LIVE]?.seq);
    expect(heads.filter((s) => s !== undefined)).toEqual([...heads.filter((s) => s !== undefined)].sort((x, y) => x! - y!));
    expect(heads).toContain(7);
    expect(await verifier().verifySession(LIVE)).toEqual({ intact: true, records: 7 });
    for (const e of await entries()) {
      const { hash, sig: _s, ...rest } = e;
      expect(sha256(canonicalJson(rest))).toBe(hash);
    }
  });
});
