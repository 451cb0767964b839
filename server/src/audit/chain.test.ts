import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogs } from './AuditLogs.js';
import { canonicalJson } from './canonical.js';
import { chain, genesisHash, sha256, type ChainedRecord } from './chain.js';
import { ChainedLogFile } from './ChainedLogFile.js';

/**
 * Tampering is caught and the first bad record named. Each link of the chain (seq, genesis, prevHash,
 * content hash, head) has its own forgery, made so that every other link still holds (the test checks
 * that itself, below): remove that one check from the verifier and only its tests go red.
 */
let dir: string;
const ENDED = 's_tamper_01'; // six records, the last `ended`: its head is sealed in the index
const LIVE = 's_tamper_02'; // six records, still going: no head yet, only its genesis anchor

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chain-'));
  await writeSession(ENDED, true);
  await writeSession(LIVE, false);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function writeSession(id: string, ends: boolean, text = 'line'): Promise<void> {
  const logs = new AuditLogs(dir);
  for (let seq = 1; seq <= 6; seq++) {
    const type = seq === 1 ? 'created' : ends && seq === 6 ? 'ended' : 'chat';
    await logs.appendSession(
      id,
      { seq, type, at: `2026-11-23T08:00:0${seq}.000Z`, actor: seq === 1 ? 'dispatcher:d' : 'caller', details: { text: `${text} ${seq}` } },
      ends && seq === 6,
    );
  }
}

const file = (id: string) => path.join(dir, 'sessions', id, 'log.jsonl');
const read = async (id: string): Promise<ChainedRecord[]> =>
  (await readFile(file(id), 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as ChainedRecord);
const save = (id: string, recs: ChainedRecord[]) => writeFile(file(id), `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`);
const verify = (id: string) => new AuditLogs(dir).verifySession(id);

/** What anyone can do with the public algorithm: re-hash records from index `from` on, each linked to the one before. */
function rechain(id: string, recs: ChainedRecord[], from: number): ChainedRecord[] {
  const out = recs.slice(0, from);
  for (const { prevHash: _p, hash: _h, ...rest } of recs.slice(from)) out.push(chain(rest, out.at(-1)?.hash ?? genesisHash(id)));
  return out;
}

/** Hashes one record over its own fields as they stand (its prevHash left as it is). */
const rehash = ({ prevHash, hash: _h, ...rest }: ChainedRecord): ChainedRecord => chain(rest, prevHash);

/** The links of a forged log, judged by the test itself (not by the verifier): which ones still hold. */
async function linksOf(id: string, recs: ChainedRecord[]) {
  const { head, genesis } = await new AuditLogs(dir).heads.anchors(id);
  return {
    seq: recs.every((r, i) => r.seq === i + 1),
    genesis: recs[0]!.prevHash === genesisHash(id) && (!genesis || genesis.hash === recs[0]!.hash),
    prevHash: recs.every((r, i) => i === 0 || r.prevHash === recs[i - 1]!.hash),
    hash: recs.every(({ hash, ...rest }) => sha256(canonicalJson(rest)) === hash),
    head: !head || (head.seq === recs.length && head.hash === recs.at(-1)!.hash),
  };
}

/** Saves the forgery after checking that it breaks exactly one link: `broken`. */
async function forge(id: string, recs: ChainedRecord[], broken: 'seq' | 'genesis' | 'prevHash' | 'hash' | 'head') {
  const links = await linksOf(id, recs);
  expect(links, `the forgery must break ${broken} and nothing else`).toEqual({
    seq: true,
    genesis: true,
    prevHash: true,
    hash: true,
    head: true,
    [broken]: false,
  });
  await save(id, recs);
}

describe('session log hash chain', () => {
  it('verifies untouched logs, each record chained with prevHash and hash, and anchored in the index', async () => {
    expect(await verify(ENDED)).toEqual({ intact: true, records: 6 });
    expect(await verify(LIVE)).toEqual({ intact: true, records: 6 });
    const recs = await read(ENDED);
    expect(recs[0]!.prevHash).toBe(genesisHash(ENDED));
    expect(recs[1]!.prevHash).toBe(recs[0]!.hash);
    expect(Object.keys(recs[0]!)).toEqual(expect.arrayContaining(['seq', 'at', 'type', 'actor', 'prevHash', 'hash']));
    expect(await new AuditLogs(dir).heads.anchors(ENDED)).toEqual({ genesis: { seq: 1, hash: recs[0]!.hash }, head: { seq: 6, hash: recs[5]!.hash } });
    expect(await new AuditLogs(dir).heads.anchors(LIVE)).toEqual({ genesis: { seq: 1, hash: (await read(LIVE))[0]!.hash }, head: undefined });
  });

  it('link seq: a deleted record, the rest re-chained but not renumbered, is caught by seq alone', async () => {
    const recs = await read(LIVE);
    recs.splice(3, 1);
    await forge(LIVE, rechain(LIVE, recs, 3), 'seq');
    expect(await verify(LIVE)).toEqual({ intact: false, records: 3, firstBadSeq: 4, link: 'seq', reason: 'expected seq 4, found 5' });
  });

  it('link prevHash: a record edited and re-hashed, the next one left linking to the old hash', async () => {
    const recs = await read(ENDED);
    recs[3] = rehash({ ...recs[3]!, details: { text: 'the caller said nothing' } });
    await forge(ENDED, recs, 'prevHash');
    expect(await verify(ENDED)).toEqual({
      intact: false,
      records: 4,
      firstBadSeq: 5,
      link: 'prevHash',
      reason: 'prevHash does not link to the previous record',
    });
  });

  it('link prevHash: a deleted record, the rest renumbered and re-hashed but not re-linked', async () => {
    const recs = await read(LIVE);
    recs.splice(3, 1);
    for (const [i, r] of recs.entries()) recs[i] = i < 3 ? r : rehash({ ...r, seq: i + 1 });
    await forge(LIVE, recs, 'prevHash');
    expect(await verify(LIVE)).toMatchObject({
      intact: false,
      records: 3,
      firstBadSeq: 4,
      link: 'prevHash',
      reason: 'prevHash does not link to the previous record',
    });
  });

  it('link hash: an edited record whose hash was left alone (every link and the head still agree)', async () => {
    const recs = await read(ENDED);
    recs[2] = { ...recs[2]!, details: { text: 'line 8' } };
    await forge(ENDED, recs, 'hash');
    expect(await verify(ENDED)).toEqual({ intact: false, records: 2, firstBadSeq: 3, link: 'hash', reason: 'content does not match its hash' });
  });

  it('link hash: an edited first record is caught by its hash, not mistaken for a genesis failure', async () => {
    const recs = await read(LIVE);
    recs[0] = { ...recs[0]!, actor: 'dispatcher:someone-else' };
    await forge(LIVE, recs, 'hash');
    expect(await verify(LIVE)).toMatchObject({ intact: false, records: 0, firstBadSeq: 1, link: 'hash' });
  });

  it('link head: a cut-off tail verifies link by link; the sealed head gives it away', async () => {
    await forge(ENDED, (await read(ENDED)).slice(0, 4), 'head');
    expect(await verify(ENDED)).toMatchObject({
      intact: false,
      records: 4,
      firstBadSeq: 5,
      link: 'head',
      reason: expect.stringMatching(/^log ends at seq 4 .* recorded head is seq 6/),
    });
  });

  it('link head: a rewrite re-chained with the public algorithm; the head names the last record, the one it binds', async () => {
    const recs = await read(ENDED);
    recs[2] = { ...recs[2]!, details: { text: 'the caller refused help' } };
    await forge(ENDED, rechain(ENDED, recs, 2), 'head');
    expect(await verify(ENDED)).toMatchObject({
      intact: false,
      records: 6,
      firstBadSeq: 6,
      link: 'head',
      reason: expect.stringMatching(/^log ends at seq 6 .* recorded head is seq 6/),
    });
  });

  it('link genesis: a log copied from another session (its own chain intact) is not bound to this one', async () => {
    await writeSession('s_other_session', false, 'other');
    await forge(LIVE, await read('s_other_session'), 'genesis');
    expect(await verify(LIVE)).toEqual({
      intact: false,
      records: 0,
      firstBadSeq: 1,
      link: 'genesis',
      reason: `first record is not bound to log ${LIVE}: its prevHash is not that log's genesis hash`,
    });
  });

  it('link genesis: a log re-chained from a changed first record, before any head is sealed, fails its genesis anchor', async () => {
    const recs = await read(LIVE);
    recs[0] = { ...recs[0]!, actor: 'dispatcher:someone-else' };
    await forge(LIVE, rechain(LIVE, recs, 0), 'genesis');
    expect(await verify(LIVE)).toMatchObject({
      intact: false,
      records: 0,
      firstBadSeq: 1,
      link: 'genesis',
      reason: expect.stringMatching(/^first record is not the one recorded when log s_tamper_02 began/),
    });
  });

  it('link genesis: a log from before genesis anchors (none in the index) still verifies, and is still bound by its genesis hash', async () => {
    const old = new ChainedLogFile(file('s_before_anchors'), 's_before_anchors');
    for (let i = 1; i <= 3; i++) await old.append({ type: 'chat', at: `2026-11-23T08:00:0${i}.000Z`, actor: 'caller', details: { text: `old ${i}` } });
    expect(await verify('s_before_anchors')).toEqual({ intact: true, records: 3 });
    await save('s_before_anchors', await read(LIVE));
    expect(await verify('s_before_anchors')).toMatchObject({ intact: false, firstBadSeq: 1, link: 'genesis' });
  });

  it('cannot see a live log rewritten after its first record and re-chained before any head is sealed (the limit #11 lifts)', async () => {
    const recs = await read(LIVE);
    recs[2] = { ...recs[2]!, details: { text: 'the caller refused help' } };
    await save(LIVE, rechain(LIVE, recs, 2));
    expect(await verify(LIVE)).toEqual({ intact: true, records: 6 });
  });

  it('catches deleted, inserted and swapped lines at the first bad seq', async () => {
    const cases: [string, (recs: ChainedRecord[]) => void, number][] = [
      ['deleted', (r) => r.splice(3, 1), 4],
      ['inserted', (r) => r.splice(2, 0, r[1]!), 3],
      ['swapped', (r) => ([r[3], r[4]] = [r[4]!, r[3]!]), 4],
    ];
    for (const [what, edit, firstBadSeq] of cases) {
      await writeSession(`s_edit_${what}`, true);
      const recs = await read(`s_edit_${what}`);
      edit(recs);
      await save(`s_edit_${what}`, recs);
      expect(await verify(`s_edit_${what}`), what).toMatchObject({ intact: false, firstBadSeq });
    }
  });

  it('never reports an ended log broken while appends to it (each sealing a new head) are under way', async () => {
    // Two instances, as the server and the command line are two processes: only the files are shared.
    const writer = new AuditLogs(dir);
    const reader = new AuditLogs(dir);
    const seen = [];
    for (let i = 0; i < 12; i++) {
      let writing = true;
      const append = writer
        .appendSession(ENDED, { type: 'supervisor_viewed', at: new Date().toISOString(), actor: 'supervisor:sue' }, true)
        .finally(() => (writing = false));
      while (writing) seen.push(await reader.verifySession(ENDED));
      await append;
    }
    expect(seen.length, 'checks made while appending').toBeGreaterThanOrEqual(12);
    expect(seen.filter((r) => !r.intact)).toEqual([]);
    expect(await reader.verifySession(ENDED)).toEqual({ intact: true, records: 18 });
  });

  it('numbers its own records, so a second writer (the command line) keeps the chain intact', async () => {
    const logs = new AuditLogs(dir);
    const other = new AuditLogs(dir);
    await other.appendSession(ENDED, { type: 'media_deleted', at: new Date().toISOString(), actor: 'system' }, true);
    const rec = await logs.appendSession(ENDED, { seq: 7, type: 'supervisor_viewed', at: new Date().toISOString(), actor: 'supervisor:sue' }, true);
    expect(rec.seq).toBe(8);
    expect(await verify(ENDED)).toEqual({ intact: true, records: 8 });
  });
});
