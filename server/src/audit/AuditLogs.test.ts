import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogs } from './AuditLogs.js';
import { loadCheckpointSigner } from './checkpointKey.js';
import { Checkpoints } from './Checkpoints.js';

/**
 * A verification is one moment of the log (issue #14, part 5): what it reads beside the chain (the
 * signed checkpoints, the head index) is of the same moment as the lines it checks. Opening an ended
 * session in /audit appends `supervisor_viewed` (sealed and signed at once) while the same view
 * verifies the log; a check that read the checkpoints after the lines saw a signed head one record
 * past its lines and cried "broken" about 1 time in 6.
 */
let dir: string;
let keyDir: string;
const ENDED = 's_snapshot_ended';
const look = () => ({ type: 'supervisor_viewed' as const, at: new Date().toISOString(), actor: 'supervisor:sue' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'auditlogs-'));
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'auditlogs-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(keyDir, { recursive: true, force: true });
});

/** A server's logs with its signer, and one ended session of four records (its head sealed and signed). */
async function endedSession(): Promise<{ logs: AuditLogs; cp: Checkpoints }> {
  const signer = await loadCheckpointSigner(path.join(keyDir, 'key.pem'), true);
  const cp = new Checkpoints(dir, { signer, keys: new Map(), node: 'node-a' });
  const logs = new AuditLogs(dir, cp);
  for (let seq = 1; seq <= 4; seq++) {
    const type = seq === 1 ? 'created' : seq === 4 ? 'ended' : 'chat';
    await logs.appendSession(ENDED, { type, at: new Date().toISOString(), actor: 'dispatcher:d' }, seq === 4);
  }
  return { logs, cp };
}

/**
 * A slow reader of the checkpoints: the first read made by a verification starts a supervisor's look
 * and gives it up to `patienceMs` to land before reading. Without a snapshot the look lands in that
 * gap every time; with one it waits for the verification's lock.
 */
function slowCheckpoints(cp: Checkpoints, logs: AuditLogs, patienceMs = 400): { landed: () => Promise<unknown> } {
  const view = cp.view.bind(cp);
  let during: Promise<unknown> | undefined;
  cp.view = async () => {
    if (!during) {
      during = logs.appendSession(ENDED, look(), true);
      await Promise.race([during, sleep(patienceMs)]);
    }
    return view();
  };
  return { landed: async () => during };
}

describe('a verification is one moment of the log', () => {
  it('is not broken by a supervisor look that lands while it reads the checkpoints (a slow reader)', async () => {
    const { logs, cp } = await endedSession();
    const slow = slowCheckpoints(cp, logs);
    const result = await logs.verifySession(ENDED);
    await slow.landed();
    expect(result).toMatchObject({ intact: true });
    expect([4, 5]).toContain(result.records);
    expect(await logs.verifySession(ENDED)).toEqual({ intact: true, records: 5 });
  });

  it('never reports "broken" over 20 views, each appending a look while it verifies (as the /audit view does)', async () => {
    const { logs } = await endedSession();
    const seen = [];
    for (let i = 0; i < 20; i++) {
      const [, verified] = await Promise.all([logs.appendSession(ENDED, look(), true), logs.verifySession(ENDED), logs.appendSession(ENDED, look(), true)]);
      seen.push(verified);
    }
    expect(seen.filter((r) => !r.intact)).toEqual([]);
    expect(await logs.verifySession(ENDED)).toEqual({ intact: true, records: 44 });
  });

  it('is not starved by a stream of looks into reading without the lock (slow appends, each holding it for 120 ms)', async () => {
    const { logs } = await endedSession();
    // A loaded disk: the head index's fdatasync is slow, so each look holds the log's lock a while,
    // with its line written and its head not yet indexed for most of it.
    const set = logs.heads.set.bind(logs.heads);
    logs.heads.set = async (...args) => {
      await sleep(120);
      return set(...args);
    };
    const looks = Array.from({ length: 25 }, () => logs.appendSession(ENDED, look(), true));
    const result = await logs.verifySession(ENDED);
    await Promise.all(looks);
    expect(result).toMatchObject({ intact: true });
    expect(await logs.verifySession(ENDED)).toEqual({ intact: true, records: 29 });
  });

  it('the access log: a search logged while it verifies does not break it either', async () => {
    const { logs, cp } = await endedSession();
    await logs.appendAccess('supervisor:sue', 'sessions_searched', { results: 1 });
    const view = cp.view.bind(cp);
    let during: Promise<unknown> | undefined;
    cp.view = async () => {
      if (!during) {
        // A search logged and its head signed by the periodic flush, in the gap.
        during = logs.appendAccess('supervisor:sue', 'sessions_searched', { results: 2 }).then(() => cp.flush());
        await Promise.race([during, sleep(400)]);
      }
      return view();
    };
    expect(await logs.verifyAccess()).toMatchObject({ intact: true });
    await during;
    expect(await logs.verifyAccess()).toEqual({ intact: true, records: 2 });
  });

  it('a snapshot hands the very lines it verified, so an export digests what it checked', async () => {
    const { logs, cp } = await endedSession();
    const slow = slowCheckpoints(cp, logs);
    const snap = await logs.snapshotSession(ENDED);
    await slow.landed();
    expect(snap.result).toMatchObject({ intact: true, records: snap.lines.length });
    expect(snap.head).toEqual({ seq: snap.lines.length, hash: (JSON.parse(snap.lines.at(-1)!) as { hash: string }).hash });
    const onDisk = (await readFile(path.join(dir, 'sessions', ENDED, 'log.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(onDisk.slice(0, snap.lines.length)).toEqual(snap.lines);
  });
});
