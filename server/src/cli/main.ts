import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { AuditLogs } from '../audit/AuditLogs.js';
import { exportSession } from '../audit/exportSession.js';
import { UserService } from '../auth/UserService.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { RetentionService } from '../retention/RetentionService.js';
import { createStore } from '../store/createStore.js';

/**
 * `npx sightline <command>`: the operator's tools, working on $DATA_DIR (and Redis when
 * REDIS_URL is set), with or without the server running.
 */
const USAGE = `usage: sightline <command>
  user add <name> --role dispatcher|supervisor   password on stdin
  verify <sessionId>                            exit 0 intact, 1 broken (names the first bad record)
  retention run                                 delete expired recordings and stills, log each deletion
  export <sessionId> <file>                     one archive: log, recordings, stills, verification report`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [cmd, sub, ...rest] = positionals;
  if (values.help || !cmd) return say(USAGE, 0);
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' });
  const log = createLogger(config.logLevel);
  const audit = new AuditLogs(config.dataDir);

  if (cmd === 'user' && sub === 'add' && rest[0]) {
    const role = values.role;
    if (role !== 'dispatcher' && role !== 'supervisor') return say('--role must be dispatcher or supervisor', 2);
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (password.length < 10) return say('the password (on stdin) must have at least 10 characters', 2);
    const store = await createStore(config.redisUrl, config.dataDir);
    try {
      const added = await new UserService(store, log).add(rest[0], role, password);
      return say(added ? `added ${role} ${rest[0]}` : `user ${rest[0]} exists already`, added ? 0 : 1);
    } finally {
      await store.close();
    }
  }
  if (cmd === 'verify' && sub) {
    const r = await audit.verifySession(sub);
    if (r.records === 0 && r.intact) return say(`no log for session ${sub}`, 1);
    if (r.intact) return say(`intact: ${r.records} records`, 0);
    return say(`broken: first bad record is seq ${r.firstBadSeq}, link ${r.link} (${r.reason}); ${r.records} records verified before it`, 1);
  }
  if (cmd === 'retention' && sub === 'run') {
    const report = await new RetentionService(audit, config.retentionDays, log).run();
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
