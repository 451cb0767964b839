import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../server/src/config.js';
import { REPO_ROOT } from '../support/server.js';
import { infra, which } from './support.js';

/**
 * infra/Dockerfile, with no docker engine here: linted by dockerfile-utils (the validator behind
 * the VS Code Docker extension, which reports what the Docker builder would refuse), parsed by
 * dockerfile-ast, and held to what README.md and infra/compose promise of the image: a multi-stage
 * build that makes the mediasoup worker offline through infra/mediasoup-worker, a runtime stage
 * with every library that worker loads, a non-root user that can write the data volume, the HTTP
 * and RTC ports exposed, and no host files (node_modules, secrets) in the build context.
 */
// CommonJS typed as `export default`: the default import is module.exports, which carries `.default` too.
const ignore = dockerignore.default;
const text = readFileSync(infra('Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The build stages in order, each with its own instructions (FROM excluded). */
function stages(): Stage[] {
  const out: Stage[] = [];
  for (const ins of dockerfile.getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      const args = ins.getArguments().map((a) => a.getValue());
      const as = args.findIndex((a) => a.toUpperCase() === 'AS');
      out.push({ image: args[0]!, name: as >= 0 ? args[as + 1] : undefined, instructions: [] });
    } else {
      out.at(-1)?.instructions.push(ins);
    }
  }
  return out;
}

const all = stages();
const build = all[0]!;
const runtime = all.at(-1)!;
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.getKeyword() === keyword);
/** Arguments as the builder sees them (flags apart): continuation lines joined, words split. */
const words = (ins: Instruction) => ins.getArguments().map((a) => a.getValue());
/** The stage a COPY takes its files from (`--from=`), or undefined for the build context. */
const copiedFrom = (ins: Instruction) => (ins instanceof Copy ? (ins.getFromFlag()?.getValue() ?? undefined) : undefined);

/** `ENV A=1 B=2` instructions of a stage, as one map (later ones win, as in the image). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of of(stage, 'ENV')) {
    for (const word of words(ins)) {
      const eq = word.indexOf('=');
      if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** Debian packages named by `apt-get install` in a stage's RUN lines. */
function aptPackages(stage: Stage): string[] {
  return of(stage, 'RUN').flatMap((ins) => {
    const w = words(ins);
    const from = w.indexOf('install');
    if (from < 0 || !w.includes('apt-get')) return [];
    const rest = w.slice(from + 1);
    const end = rest.findIndex((x) => x === '&&' || x === ';' || x === '\\');
    return (end < 0 ? rest : rest.slice(0, end)).filter((x) => !x.startsWith('-'));
  });
}

/** The packages build-worker.sh insists on (its `required_debs=(...)`). */
function workerBuildDebs(): string[] {
  const script = readFileSync(infra('mediasoup-worker/build-worker.sh'), 'utf8');
  const m = /required_debs=\(([^)]*)\)/.exec(script);
  if (!m) throw new Error('build-worker.sh has no required_debs=(...) list');
  return m[1]!.split(/\s+/).filter(Boolean);
}

describe('infra/Dockerfile', () => {
  it('passes the dockerfile-utils linter with nothing to report, errors or warnings', () => {
    const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('is a multi-stage build: compilers in a named build stage, the runtime stage takes only its output', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBeDefined();
    // The same Debian release for both, so what was built links against what is installed.
    expect(runtime.image).toBe(build.image);
    expect(runtime.image).toMatch(/bookworm/);
    const compilers = ['build-essential', 'meson', 'ninja-build', 'pkg-config'];
    expect(aptPackages(build)).toEqual(expect.arrayContaining(compilers));
    expect(aptPackages(runtime).filter((p) => compilers.includes(p) || p.endsWith('-dev'))).toEqual([]);
    const copies = of(runtime, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.map(copiedFrom), 'every COPY of the runtime stage comes from the build stage').toEqual(copies.map(() => build.name));
  });

  it('builds the mediasoup worker offline through infra/mediasoup-worker, with every package build-worker.sh needs', () => {
    expect(envOf(build)['SIGHTLINE_OFFLINE'], 'no probe of GitHub').toBe('1');
    expect(aptPackages(build)).toEqual(expect.arrayContaining(workerBuildDebs()));
    const runs = of(build, 'RUN').map((i) => i.getArgumentsContent() ?? '');
    const install = runs.find((r) => /\bnpm (ci|install)\b/.test(r));
    expect(install, 'an npm install step').toBeDefined();
    // npm's mediasoup postinstall would download a prebuilt worker: it is handed the offline one instead.
    expect(install).toMatch(/MEDIASOUP_WORKER_BIN="\$\(infra\/mediasoup-worker\/ensure-worker\.sh\)"\s+npm (ci|install)/);
    expect(runs.join('\n')).not.toMatch(/\b(curl|wget)\b[^\n]*github/);
    // The worker lands in the cache dir, which the runtime stage copies and the server searches.
    const cache = envOf(build)['SIGHTLINE_CACHE_DIR'];
    expect(cache).toBeTruthy();
    expect(envOf(runtime)['SIGHTLINE_CACHE_DIR']).toBe(cache);
    expect(
      of(runtime, 'COPY')
        .filter((c) => copiedFrom(c) === build.name)
        .map(words),
    ).toContainEqual([cache, cache]);
  });

  const worker = path.join(process.env['SIGHTLINE_CACHE_DIR'] ?? path.join(process.env['HOME'] ?? '/root', '.cache/sightline'), 'mediasoup-worker');
  const built = existsSync(worker) ? spawnSync('sh', ['-c', `ls -d ${worker}/*/mediasoup-worker | tail -1`], { encoding: 'utf8' }).stdout.trim() : '';
  const bookworm = existsSync('/etc/os-release') && /VERSION_CODENAME=bookworm/.test(readFileSync('/etc/os-release', 'utf8'));
  // The image's package names are bookworm's; a worker built here on bookworm shows what the image's needs.
  it.skipIf(!built || !bookworm || !which('readelf') || !which('dpkg'))(
    'installs, in the runtime stage, the package of every shared library the offline-built worker links',
    () => {
      // The worker's own NEEDED entries; apt brings what those packages depend on (libsrtp2-1 → libnss3).
      const elf = spawnSync('readelf', ['-d', built], { encoding: 'utf8' });
      expect(elf.status, elf.stderr).toBe(0);
      const needed = [...elf.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
      expect(needed.length).toBeGreaterThan(3);
      // In node:*-bookworm-slim already: the C and C++ runtimes.
      const inBase = new Set(['libc6', 'libstdc++6', 'libgcc-s1']);
      const installed = new Set(aptPackages(runtime));
      const missing: string[] = [];
      // One dpkg look-up for all: `pkg[:arch]: /path` lines.
      const owners = new Map<string, Set<string>>();
      const out = spawnSync('dpkg', ['-S', ...needed.map((lib) => `*/${lib}`)], { encoding: 'utf8' }).stdout;
      for (const m of out.matchAll(/^([^:,\s]+)(?::[^:\s]+)?: (\S+)$/gm)) {
        const lib = path.basename(m[2]!);
        owners.set(lib, (owners.get(lib) ?? new Set()).add(m[1]!));
      }
      for (const lib of needed) {
        const pkgs = [...(owners.get(lib) ?? [])];
        if (pkgs.length === 0) missing.push(`(no package owns ${lib})`);
        else if (!pkgs.some((p) => inBase.has(p) || installed.has(p))) missing.push(`${pkgs.join('|')} for ${lib}`);
      }
      expect(missing).toEqual([]);
      expect(installed, 'ffmpeg for the recorder').toContain('ffmpeg');
    },
  );

  it('runs as a non-root user that owns the data volume', () => {
    const users = of(runtime, 'USER').map((i) => words(i)[0]!);
    const user = users.at(-1);
    expect(user, 'a USER in the runtime stage').toBeDefined();
    expect(['root', '0'].includes(user!.split(':')[0]!), `runs as ${user}`).toBe(false);
    const dataDir = envOf(runtime)['DATA_DIR'];
    expect(of(runtime, 'VOLUME').flatMap(words)).toContain(dataDir);
    // A named volume starts as a copy of the image's directory: unless that is the user's, the server cannot write.
    const volumeAt = of(runtime, 'VOLUME')[0]!.getRange().start.line;
    const chown = of(runtime, 'RUN').find(
      (i) => i.getRange().start.line < volumeAt && new RegExp(`chown\\s+(-R\\s+)?${user}(:\\S+)?\\s+${dataDir}(\\s|$)`).test(i.getArgumentsContent() ?? ''),
    );
    expect(chown, `RUN ... chown ${user} ${dataDir} before VOLUME`).toBeDefined();
  });

  it("listens on every interface of the container and exposes the HTTP port and every worker's RTC port as UDP and TCP", () => {
    const env = envOf(runtime);
    expect(env['HOST']).toBe('0.0.0.0');
    expect(env['NODE_ENV']).toBe('production');
    // The server's own parser reads the image's environment (a deployment adds the secret).
    const config = loadConfig({ ...env, JWT_SECRET: 'j'.repeat(40), CHECKPOINT_KEY_FILE: '/run/secrets/checkpoint-key' });
    const exposed = of(runtime, 'EXPOSE').flatMap(words);
    expect(exposed).toContain(String(config.port));
    // Worker i listens on RTC_PORT + i: the image fixes the worker count, or a many-core host would
    // put workers on ports nobody published.
    expect(env['MEDIASOUP_WORKERS'], 'MEDIASOUP_WORKERS set in the image').toBeDefined();
    for (let i = 0; i < config.rtc.workers; i++) {
      expect(exposed).toEqual(expect.arrayContaining([`${config.rtc.port + i}/udp`, `${config.rtc.port + i}/tcp`]));
    }
  });

  it('starts the built server in exec form, so SIGTERM reaches node and the node leaves the cluster at once', () => {
    const cmd = of(runtime, 'CMD').at(-1);
    expect(cmd).toBeDefined();
    const json = JSON.parse(cmd!.getArgumentsContent() ?? '') as string[];
    expect(json[0]).toBe('node');
    expect(json[1]).toBe('server/dist/main.js');
    expect(existsSync(path.join(REPO_ROOT, 'server/src/main.ts')), 'server/dist/main.js is built from server/src/main.ts').toBe(true);
    expect(of(runtime, 'ENTRYPOINT')).toEqual([]);
  });

  it('is health-checked by compose with a program the runtime image has (node, not curl)', () => {
    const compose = parse(readFileSync(infra('compose/compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { build?: { dockerfile: string }; healthcheck?: { test: string[] } }>;
    };
    const nodes = Object.values(compose.services).filter((s) => s.build?.dockerfile === 'infra/Dockerfile');
    expect(nodes.length).toBeGreaterThan(0);
    const runtimeTools = new Set(['node', 'npm', ...aptPackages(runtime)]);
    for (const n of nodes) {
      const [form, program, ...rest] = n.healthcheck?.test ?? [];
      expect(form).toBe('CMD');
      expect(runtimeTools.has(program!), `${program} in the runtime image`).toBe(true);
      expect(rest.join(' ')).toContain('/healthz');
    }
  });

  it('builds from a context without the host node_modules, builds, git or deployment secrets, but with all the sources', () => {
    // Compose builds with context ../.. (the repo root), where Docker reads .dockerignore.
    const compose = parse(readFileSync(infra('compose/compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { build?: { context: string } }>;
    };
    const contexts = new Set(Object.values(compose.services).flatMap((s) => (s.build ? [path.resolve(infra('compose'), s.build.context)] : [])));
    expect([...contexts]).toEqual([path.resolve(REPO_ROOT)]);
    const file = path.join(REPO_ROOT, '.dockerignore');
    expect(existsSync(file), '.dockerignore at the build context').toBe(true);
    const rules = ignore().add(readFileSync(file, 'utf8'));
    const kept = [
      'node_modules/mediasoup/worker/out/Release/mediasoup-worker',
      'server/node_modules/x',
      'server/dist/main.js',
      'client/dist/index.html',
      '.git/HEAD',
      'data/sessions/s1/log.jsonl',
      'infra/compose/.env',
      'infra/compose/certs/sightline.pem',
    ].filter((p) => !rules.ignores(p));
    expect(kept, 'in the build context, and so in the image').toEqual([]);
    const needed = [
      'package.json',
      'package-lock.json',
      'turbo.json',
      'tsconfig.base.json',
      'server/package.json',
      'server/src/main.ts',
      'client/console.html',
      'shared/src/index.ts',
      'test/package.json',
      'infra/mediasoup-worker/build-worker.sh',
      'infra/mediasoup-worker/ensure-worker.sh',
    ];
    expect(
      needed.filter((p) => rules.ignores(p)),
      'left out of the build context',
    ).toEqual([]);
    // Every tracked source of the server, the client, shared code and the worker build goes in.
    const sources = spawnSync('git', ['ls-files', 'infra/mediasoup-worker', 'server', 'client', 'shared'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    expect(sources.length).toBeGreaterThan(10);
    expect(sources.filter((p) => rules.ignores(p))).toEqual([]);
  });
});
