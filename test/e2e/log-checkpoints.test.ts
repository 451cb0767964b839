import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, genesisHash, type ChainedRecord } from '../../server/src/audit/chain.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { DEMO_PASSWORD, freePort, http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11 item 4, from outside: someone who can write $DATA_DIR but does not hold the checkpoint key
 * rewrites history the three ways the issue names (drop a record, re-chain and append a matching
 * head; cut a live log's tail; delete a live log), and REST verify, `npx sightline verify` (given only
 * the public key) and the /audit page each say broken and what is wrong. The key pair is made here,
 * as an operator makes one, outside the data directory.
 */
const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'server/bin/sightline.js');
let server: TestServer;
let dataDir: string;
let keyDir: string;
let publicKeyFile: string;
let dispatcherToken: string;
let supervisorToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-checkpoints-'));
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-checkpoint-key-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(path.join(keyDir, 'checkpoint.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  publicKeyFile = path.join(keyDir, 'checkpoint.pub.pem');
  await writeFile(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const port = await freePort();
  server = await startServer({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    CHECKPOINT_KEY_FILE: path.join(keyDir, 'checkpoint.pem'),
    CHECKPOINT_INTERVAL_SECONDS: '1',
  });
  dispatcherToken = await login(server, 'dispatcher');
  supervisorToken = await login(server, 'supervisor');
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(keyDir, { recursive: true, force: true });
});

const logFile = (id: string) => path.join(dataDir, 'sessions', id, 'log.jsonl');

async function records(id: string): Promise<ChainedRecord[]> {
  return (await readFile(logFile(id), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ChainedRecord);
}

/** A session with a handful of records, made through the dispatcher's REST API. */
async function sessionWithRecords(): Promise<string> {
  const created = await http('POST', `${server.url}/api/sessions`, { token: dispatcherToken, body: { phone: '+4799999999', incidentRef: 'INC-CP' } });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await http('POST', `${server.url}/api/sessions/${id}/code`, { token: dispatcherToken })).status).toBe(201);
  expect((await http('POST', `${server.url}/api/sessions/${id}/viewers`, { token: dispatcherToken })).status).toBe(201);
  expect((await http('POST', `${server.url}/api/sessions/${id}/viewers`, { token: dispatcherToken })).status).toBe(201);
  return id;
}

/** Waits until a signed checkpoint covers the log as it stands (the server writes one every second here). */
async function checkpointed(logId: string, logPath: string): Promise<number> {
  const count = (await readFile(logPath, 'utf8')).split('\n').filter(Boolean).length;
  await waitFor(`checkpoint of ${logId} at seq ${count}`, async () => {
    const text = await readFile(path.join(dataDir, 'index', 'checkpoints.jsonl'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .some((l) => ((JSON.parse(l) as { logs?: Record<string, { seq: number }> }).logs?.[logId]?.seq ?? 0) >= count);
  });
  return count;
}

async function restVerify(id: string) {
  const r = await http('GET', `${server.url}/api/sessions/${id}/verify`, { token: supervisorToken });
  expect(r.status).toBe(200);
  return r.body as { intact: boolean; records: number; firstBadSeq?: number; reason?: string; link?: string };
}

/**
 * `npx sightline verify`, given the public key only, with no store (memory mode): the checkpoints are its
 * witness. `withKey: false`: no key at all (none given, none readable), as an operator who forgot it runs it.
 */
async function cliVerify(what: string, { withKey = true } = {}): Promise<{ code: number; out: string }> {
  const env = { ...process.env, DATA_DIR: dataDir, CHECKPOINT_KEY_FILE: path.join(keyDir, 'absent.pem'), CHECKPOINT_PUBLIC_KEY_FILE: '' };
  return run(process.execPath, [CLI, 'verify', what, ...(withKey ? ['--public-key', publicKeyFile] : [])], { env }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: `${e.stdout}${e.stderr}` }),
  );
}

describe('someone with write access to the data directory, without the checkpoint key', () => {
  it('drops a record from an ended session, re-chains the log and appends a matching head: broken, naming the rewritten record', async () => {
    const id = await sessionWithRecords();
    // Signed before and after the record that goes: the checkpoints then pin it down to that one.
    const dropped = await checkpointed(id, logFile(id));
    expect((await http('POST', `${server.url}/api/sessions/${id}/viewers`, { token: dispatcherToken })).status).toBe(201);
    await checkpointed(id, logFile(id));
    expect((await http('POST', `${server.url}/api/sessions/${id}/viewers`, { token: dispatcherToken })).status).toBe(201);
    expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token: dispatcherToken })).status).toBe(200);
    expect(await restVerify(id)).toMatchObject({ intact: true });

    const original = await records(id);
    expect(original[dropped]!.type).toBe('viewer_invited');
    const kept = original.filter((_, i) => i !== dropped);
    let prev = genesisHash(id);
    const rechained = kept.map((r, i) => {
      const { prevHash: _p, hash: _h, ...rest } = r;
      const c = chain({ ...rest, seq: i + 1 }, prev);
      prev = c.hash;
      return c;
    });
    await writeFile(logFile(id), rechained.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const last = rechained.at(-1)!;
    await appendFile(
      path.join(dataDir, 'index', 'heads.jsonl'),
      `${JSON.stringify({ log: id, seq: last.seq, hash: last.hash, at: new Date().toISOString() })}\n`,
    );

    const cli = await cliVerify(id);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(
      new RegExp(
        `broken: first bad record is seq ${dropped + 1}, link checkpoint \\(record seq \\d+ is not the one checkpoint #\\d+ .* signed: the log was rewritten after seq ${dropped}\\); ${dropped} record\\(s\\) verified before it`,
      ),
    );
    // Without the key the checkpoints cannot be checked, and the re-chained log must not pass for intact.
    const keyless = await cliVerify(id, { withKey: false });
    expect(keyless.code).toBe(3);
    expect(keyless.out).toMatch(/unverified: checkpoints present but no public key \(give --public-key or CHECKPOINT_PUBLIC_KEY_FILE\)/);
    expect(keyless.out).not.toMatch(/intact/);
    // REST verify is itself logged (a supervisor's look) before it checks: the rewrite still shows.
    const rest = await restVerify(id);
    expect(rest).toMatchObject({ intact: false, link: 'checkpoint', firstBadSeq: dropped + 1 });
    expect(rest.reason).toMatch(new RegExp(`the log was rewritten after seq ${dropped}`));
  });

  it("cuts two records off a live session's log: broken in REST and on the command line, naming the missing records", async () => {
    const id = await sessionWithRecords();
    expect(await restVerify(id)).toMatchObject({ intact: true });
    const count = await checkpointed(id, logFile(id));
    const lines = (await readFile(logFile(id), 'utf8')).split('\n').filter(Boolean);
    await writeFile(
      logFile(id),
      lines
        .slice(0, -2)
        .map((l) => `${l}\n`)
        .join(''),
    );

    const cli = await cliVerify(id);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(
      new RegExp(`first bad record is seq ${count - 1}, link checkpoint \\(the log ends at seq ${count - 2}, records ${count - 1}–${count} are missing`),
    );
    const keyless = await cliVerify(id, { withKey: false });
    expect(keyless).toMatchObject({ code: 3, out: expect.stringMatching(/^unverified: checkpoints present but no public key/) });
    // REST verify logs the supervisor's look first (a new record after the cut): still broken.
    const rest = await restVerify(id);
    expect(rest).toMatchObject({ intact: false, link: 'checkpoint' });
    expect(rest.firstBadSeq).toBeLessThanOrEqual(count);
    expect(rest.reason).toMatch(/checkpoint #\d+/);
    // A broken log is a security event, counted for alerting.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/sightline_security_events_total\{kind="log_broken"\} (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
  });

  it("deletes a live session's log: broken in REST, on the command line and in /audit, saying the log is missing", async () => {
    const id = await sessionWithRecords();
    const count = await checkpointed(id, logFile(id));
    await unlink(logFile(id));

    const cli = await cliVerify(id);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(
      new RegExp(`broken: first bad record is seq 1, link checkpoint \\(the log is missing or empty: checkpoint #\\d+ .* signed it at seq ${count}\\)`),
    );
    // REST verify logs the supervisor's look first, which starts a new log: its first record is not the indexed one.
    const rest = await restVerify(id);
    expect(rest).toMatchObject({ intact: false, records: 0, firstBadSeq: 1 });
    expect(rest.reason).toMatch(
      new RegExp(`the file \\(1 record\\(s\\)\\) no longer holds seq ${count} as checkpoint #\\d+ .* signed it: records are missing or replaced`),
    );

    const device: Device = await launchDevice();
    try {
      const page = device.page;
      await page.goto(`${server.url}/audit`);
      await page.type(sel('login-username'), 'supervisor');
      await page.type(sel('login-password'), DEMO_PASSWORD);
      await page.click(sel('login-submit'));
      await page.waitForSelector(sel('search-incident'), { visible: true });
      await page.type(sel('search-incident'), 'INC-CP');
      await page.click(sel('search-submit'));
      await waitFor('session row opened', () =>
        page.$eval(`${sel('session-row')}[data-session-id="${id}"]`, (el) => {
          (el as HTMLElement).click();
          return true;
        }),
      );
      await waitFor('log checked', () => page.$eval(sel('log-integrity'), (el) => el.textContent === 'broken' || el.textContent === 'intact'));
      expect(await page.$eval(sel('log-integrity'), (el) => el.textContent)).toBe('broken');
      expect(await page.$eval(sel('log-integrity'), (el) => el.parentElement?.textContent ?? '')).toMatch(/missing/);
    } finally {
      await device.close();
    }
  });

  it("cuts the supervisors' access log: broken in REST and on the command line", async () => {
    expect((await http('GET', `${server.url}/api/sessions?incidentRef=INC-CP`, { token: supervisorToken })).status).toBe(200);
    const accessFile = path.join(dataDir, 'audit', 'access.jsonl');
    const count = await checkpointed('access', accessFile);
    expect((await http('GET', `${server.url}/api/audit/access`, { token: supervisorToken })).body.integrity).toMatchObject({ intact: true, records: count });
    const lines = (await readFile(accessFile, 'utf8')).split('\n').filter(Boolean);
    await writeFile(
      accessFile,
      lines
        .slice(0, -1)
        .map((l) => `${l}\n`)
        .join(''),
    );

    const rest = await http('GET', `${server.url}/api/audit/access`, { token: supervisorToken });
    expect(rest.body.integrity).toMatchObject({ intact: false, link: 'checkpoint', firstBadSeq: count });
    const cli = await cliVerify('access');
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(new RegExp(`first bad record is seq ${count}, link checkpoint`));
    expect(await cliVerify('access', { withKey: false })).toMatchObject({ code: 3, out: expect.stringMatching(/^unverified: checkpoints present/) });
  });
});
