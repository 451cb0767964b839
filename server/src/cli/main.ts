import { createWriteStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { hasUnsafeText } from '@sightline/shared';
import { ClipError, ClipStore } from '../clips/ClipStore.js';
import { ACCESS_LOG_ID, AuditLogs } from '../audit/AuditLogs.js';
import { checkpointFile, Checkpoints } from '../audit/Checkpoints.js';
import { loadCheckpointSigner, loadPublicKeys } from '../audit/checkpointKey.js';
import { exportSession } from '../audit/exportSession.js';
import { UserService } from '../auth/UserService.js';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logging.js';
import { RetentionService } from '../retention/RetentionService.js';
import { createStore } from '../store/createStore.js';
import { DataDirNotEmptyError, writeDemoData } from '../demo/demoData.js';
import { demoSessions } from '../demo/demoSessions.js';

/**
 * `npx sightline <command>`: the operator's tools, working on $DATA_DIR (and Redis when
 * REDIS_URL is set), with or without the server running.
 */
const USAGE = `usage: sightline <command>
  user add <name> --role dispatcher|supervisor   password on stdin
  user remove <name>                            delete the user; their tokens and sockets are refused on every node
  verify <sessionId>|access [--public-key <pem>] exit 0 intact, 1 broken (names the first bad record),
                                                3 unverified: the data directory has signed checkpoints but
                                                no public key was given to check them; checked against the
                                                checkpoints with the public key (--public-key,
                                                CHECKPOINT_PUBLIC_KEY_FILE, or the one of CHECKPOINT_KEY_FILE),
                                                and with REDIS_URL the store's counts
  retention run                                 delete expired recordings and stills, log each deletion
  export <sessionId> <file>                     one archive: log, recordings, stills, verification report
  clip add <file> --name <name>                 add a demonstration clip for "show me" (checked and transcoded
                                                with ffmpeg; name: 1-40 lower-case letters, digits, dashes)
  clip list                                     the centre's clips
  clip remove <name>                            delete a clip
  demo-data --sessions <n> [--seed <int>]       fill a DATA_DIR without sessions with n synthetic sessions
                                                of the last 10 weeks (marked synthetic in their logs; memory
                                                mode only); the same seed gives the same sessions`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      sessions: { type: 'string' },
      seed: { type: 'string' },
      'public-key': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, ...rest] = positionals;
  if (values.help || !cmd) return say(USAGE, 0);
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' });
  const log = createLogger(config.logLevel);
  // Only the commands that append sign (and so need the private key); verify needs the public key alone.
  const checkpoints =
    cmd === 'verify'
      ? await cliCheckpoints(config, log, 'verify', values['public-key'])
      : ['export', 'retention', 'demo-data'].includes(cmd)
        ? await cliCheckpoints(config, log, 'sign')
        : undefined;
  const audit = new AuditLogs(config.dataDir, checkpoints);

  if (cmd === 'demo-data') return demoDataCommand(audit, config, values.sessions, values.seed);
  if (cmd === 'clip') return clipCommand(new ClipStore(config.dataDir, { env: config.childEnv }), sub, rest[0], values.name);
  if (cmd === 'user' && sub === 'add' && rest[0]) {
    const role = values.role;
    // A name shows in every record its user writes: no control or bidi character may disguise it (shared/src/text.ts).
    if (hasUnsafeText(rest[0]) || rest[0].length > 64) return say('the name must be at most 64 characters, without control or bidi characters', 2);
    if (role !== 'dispatcher' && role !== 'supervisor') return say('--role must be dispatcher or supervisor', 2);
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (password.length < 10) return say('the password (on stdin) must have at least 10 characters', 2);
    const { store } = await createStore(config.redisUrl, config.dataDir);
    try {
      const added = await new UserService(store, log).add(rest[0], role, password);
      return say(added ? `added ${role} ${rest[0]}` : `user ${rest[0]} exists already`, added ? 0 : 1);
    } finally {
      await store.close();
    }
  }
  if (cmd === 'user' && sub === 'remove' && rest[0]) {
    const { store } = await createStore(config.redisUrl, config.dataDir);
    try {
      // Servers check every staff request and, every STAFF_RECHECK_SECONDS, every staff socket against the store.
      const removed = await new UserService(store, log).remove(rest[0]);
      return say(removed ? `removed ${rest[0]}: their logins are refused from now on` : `no user ${rest[0]}`, removed ? 0 : 1);
    } finally {
      await store.close();
    }
  }
  if (cmd === 'verify' && sub) {
    // Without a key a re-chained or cut log verifies by its chain alone; with checkpoints on the disk
    // that would vouch for what they may contradict, so it is "unverified", never "intact".
    const unchecked = !checkpoints && (await hasCheckpoints(config.dataDir));
    if (!checkpoints && !unchecked)
      process.stderr.write('warning: no public key given (--public-key) and no signed checkpoints here: the chain alone is checked\n');
    const r = sub === ACCESS_LOG_ID ? await audit.verifyAccess() : await verifyWithStore(audit, config, sub);
    if (r.records === 0 && r.intact) return say(`no log for ${sub}`, 1);
    if (r.intact && unchecked)
      return say(
        `unverified: checkpoints present but no public key (give --public-key or CHECKPOINT_PUBLIC_KEY_FILE); the chain alone holds ${r.records} records`,
        3,
      );
    if (r.intact) return say(`intact: ${r.records} records`, 0);
    // `records` counts the records whose own links held; a witness may reject one of them, so what was
    // verified is what lies before the first bad record.
    const where = r.firstBadSeq === undefined ? `${r.records} record(s) verified` : `${r.firstBadSeq - 1} record(s) verified before it`;
    const first = r.firstBadSeq === undefined ? '' : `first bad record is seq ${r.firstBadSeq}, `;
    return say(`broken: ${first}link ${r.link} (${r.reason}); ${where}`, 1);
  }
  if (cmd === 'retention' && sub === 'run') {
    const report = await new RetentionService(audit, config.retentionDays, log).run();
    await checkpoints?.flush(); // the access log's record of this run
    for (const d of report.deleted) process.stdout.write(`deleted ${d.files.length} file(s) of ${d.sessionId}\n`);
    for (const h of report.held) process.stdout.write(`kept ${h} (legal hold)\n`);
    return say(`retention: ${report.deleted.length} session(s) cleaned, ${report.held.length} on hold`, 0);
  }
  if (cmd === 'export' && sub && rest[0]) {
    if ((await audit.sessionLog(sub).lines()).length === 0) return say(`no log for session ${sub}`, 1);
    await audit.appendSession(sub, { type: 'session_exported', at: new Date().toISOString(), actor: `cli:${process.env['USER'] ?? 'operator'}` }, true);
    const { stream, report } = await exportSession(audit, sub, `cli:${process.env['USER'] ?? 'operator'}`);
    await pipeline(stream, createWriteStream(rest[0]));
    return say(`wrote ${rest[0]}: ${report.files.length} file(s), log ${report.log.intact ? 'intact' : 'BROKEN'}`, report.log.intact ? 0 : 1);
  }
  return say(USAGE, 2);
}

/**
 * The checkpoints as the command line sees them. To sign (export, retention: they append) it needs
 * the private key, as the server has it. To verify, public keys: those given with `--public-key`
 * (repeat it for old keys after a rotation), else CHECKPOINT_PUBLIC_KEY_FILE's and the public half of
 * the configured private key if it is readable here; none: undefined (the chain alone is checked,
 * and verify says so).
 */
async function cliCheckpoints(config: Config, log: Logger, purpose: 'sign' | 'verify', given: string[] = []): Promise<Checkpoints | undefined> {
  const { keyFile, publicKeyFiles } = config.checkpoint;
  const node = `cli:${os.hostname()}`;
  if (purpose === 'sign') {
    const signer = await loadCheckpointSigner(keyFile, config.env !== 'production');
    return new Checkpoints(config.dataDir, { signer, keys: await loadPublicKeys(publicKeyFiles), node, log });
  }
  const files = given.length ? given : [...publicKeyFiles, ...(existsSync(keyFile) ? [keyFile] : [])];
  return files.length ? new Checkpoints(config.dataDir, { keys: await loadPublicKeys(files), node, log }) : undefined;
}

/** Whether the data directory holds any signed checkpoint (a non-empty checkpoint file). */
async function hasCheckpoints(dataDir: string): Promise<boolean> {
  return (await stat(checkpointFile(dataDir)).catch(() => undefined))?.size ? true : false;
}

/** With REDIS_URL, the store's event count is a witness too; in memory mode there is no store to ask. */
async function verifyWithStore(audit: AuditLogs, config: Config, sessionId: string) {
  if (!config.redisUrl) return audit.verifySession(sessionId);
  const { store } = await createStore(config.redisUrl, config.dataDir);
  try {
    return await audit.verifySession(sessionId, { storeCount: async () => (await store.listEvents(sessionId)).length });
  } finally {
    await store.close();
  }
}

/**
 * `demo-data --sessions N [--seed S]` (issue #16 §1): N synthetic sessions (demo/demoSessions.ts) into
 * a data directory without sessions, and a record of it in the access log. Exit 0 written, 1 the
 * directory holds sessions (nothing written), 2 bad arguments or Redis mode (a Redis store is not
 * rebuilt from the logs, so the sessions would not show).
 */
async function demoDataCommand(audit: AuditLogs, config: Config, sessionsArg: string | undefined, seedArg: string | undefined): Promise<number> {
  const n = /^\d+$/.test(sessionsArg ?? '') ? Number(sessionsArg) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 100_000) return say('--sessions must be a whole number from 1 to 100000', 2);
  // The generator's seed is 32 bits: a larger one would repeat a smaller one's sessions.
  const seed = seedArg === undefined ? Math.floor(Math.random() * 2 ** 31) : /^\d+$/.test(seedArg) ? Number(seedArg) : NaN;
  if (!Number.isInteger(seed) || seed > 0xffff_ffff) return say('--seed must be a whole number from 0 to 4294967295', 2);
  if (config.redisUrl) return say('demo-data fills the memory mode data directory; unset REDIS_URL (a Redis store is not rebuilt from logs)', 2);
  const sessions = demoSessions({ sessions: n, seed, now: new Date() });
  const actor = `cli:${process.env['USER'] ?? 'operator'}`;
  try {
    // Recorded before the first session is written, so a run cut short is on the record too.
    await writeDemoData(
      audit,
      sessions,
      (done) => done % 1000 === 0 && done < n && process.stderr.write(`${done} of ${n} sessions written\n`),
      () => audit.appendAccess(actor, 'demo_data', { sessions: n, seed, phase: 'started' }),
    );
  } catch (err) {
    if (err instanceof DataDirNotEmptyError) return say(`demo-data refused: ${err.message}. Nothing was written.`, 1);
    throw err;
  }
  await audit.appendAccess(actor, 'demo_data', { sessions: n, seed, phase: 'finished' });
  await audit.checkpoints?.flush();
  const video = sessions.filter((s) => s.outcome === 'video').length;
  return say(
    `wrote ${n} synthetic session(s) into ${audit.dataDir}/sessions (seed ${seed}; ${video} with video), each marked synthetic in its log; a server already running on this directory shows them after its next start`,
    0,
  );
}

/** `clip add|list|remove` (issue #15 §1): DATA_DIR/clips on this node's disk (in Redis mode, on every node). */
async function clipCommand(clips: ClipStore, sub: string | undefined, arg: string | undefined, name: string | undefined): Promise<number> {
  if (sub === 'list') {
    const list = await clips.list();
    for (const c of list) process.stdout.write(`${c.name}\t${c.durationSec.toFixed(1)} s\t${c.bytes} bytes\n`);
    return say(`${list.length} clip(s) in ${clips.dir}`, 0);
  }
  if (sub === 'remove' && arg) return (await clips.remove(arg)) ? say(`removed clip ${arg}`, 0) : say(`no clip ${arg}`, 1);
  if (sub !== 'add' || !arg || !name) return say(USAGE, 2);
  try {
    const c = await clips.add(arg, name);
    return say(`added clip ${c.name}: ${c.durationSec.toFixed(1)} s, ${c.bytes} bytes`, 0);
  } catch (err) {
    if (err instanceof ClipError) return say(`clip not added: ${err.message}`, err.reason === 'exists' ? 1 : 2);
    throw err;
  }
}

function say(text: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${text}\n`);
  return code;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  let data = '';
  for await (const chunk of process.stdin) data += String(chunk);
  return data;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sightline: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
