import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogs } from './AuditLogs.js';

/** Tampering of every kind is caught, and the first bad record named. */
let dir: string;
let logs: AuditLogs;
const ID = 's_tamper_01';

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chain-'));
  logs = new AuditLogs(dir);
  for (let seq = 1; seq <= 6; seq++) {
    await logs.appendSession(ID, { seq, type: seq === 6 ? 'ended' : 'chat', at: `2026-11-23T08:00:0${seq}.000Z`, actor: 'caller', details: { text: `line ${seq}` } }, seq === 6);
  }
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const file = () => path.join(dir, 'sessions', ID, 'log.jsonl');
const lines = async () => (await readFile(file(), 'utf8')).trimEnd().split('\n');
const save = (ls: string[]) => writeFile(file(), `${ls.join('\n')}\n`);
const verify = () => new AuditLogs(dir).verifySession(ID);

describe('session log hash chain', () => {
  it('verifies an untouched log, each record chained with prevHash and hash', async () => {
    expect(await verify()).toEqual({ intact: true, records: 6 });
    const recs = (await lines()).map((l) => JSON.parse(l));
    expect(recs[1].prevHash).toBe(recs[0].hash);
    expect(Object.keys(recs[0])).toEqual(expect.arrayContaining(['seq', 'at', 'type', 'actor', 'prevHash', 'hash']));
  });

  it('detects a flipped byte', async () => {
    const ls = await lines();
    ls[2] = ls[2]!.replace('line 3', 'line 8');
    await save(ls);
    expect(await verify()).toMatchObject({ intact: false, firstBadSeq: 3 });
  });

  it('detects a deleted line', async () => {
    const ls = await lines();
    ls.splice(3, 1);
    await save(ls);
    expect(await verify()).toMatchObject({ intact: false, firstBadSeq: 4 });
  });

  it('detects an inserted line', async () => {
    const ls = await lines();
    ls.splice(2, 0, ls[1]!);
    await save(ls);
    expect(await verify()).toMatchObject({ intact: false, firstBadSeq: 3 });
  });

  it('detects two swapped lines', async () => {
    const ls = await lines();
    [ls[3], ls[4]] = [ls[4]!, ls[3]!];
    await save(ls);
    expect(await verify()).toMatchObject({ intact: false, firstBadSeq: 4 });
  });

  it('detects a truncated tail through the head index', async () => {
    await save((await lines()).slice(0, 4));
    expect(await verify()).toMatchObject({ intact: false, records: 4, firstBadSeq: 5 });
  });

  it('numbers its own records, so a second writer (the command line) keeps the chain intact', async () => {
    const other = new AuditLogs(dir);
    await other.appendSession(ID, { type: 'media_deleted', at: new Date().toISOString(), actor: 'system' }, true);
    const rec = await logs.appendSession(ID, { seq: 7, type: 'supervisor_viewed', at: new Date().toISOString(), actor: 'supervisor:sue' }, true);
    expect(rec.seq).toBe(8);
    expect(await verify()).toEqual({ intact: true, records: 8 });
  });
});
