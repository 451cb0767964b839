import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveWorkerBinary, WorkerBinaryMissingError } from '../../server/src/sfu/workerBinary.js';
import { REPO_ROOT } from '../support/server.js';
import { infra } from './support.js';

/**
 * README "Air-gapped install": how the mediasoup worker is found, by the server at start
 * (workerBinary.ts) and by infra/mediasoup-worker/ensure-worker.sh, in one order: an explicit
 * MEDIASOUP_WORKER_BIN, mediasoup's own binary, then the newest cached offline build of this
 * mediasoup version. And package.json approves exactly one install script, mediasoup's.
 */
const scratch = mkdtempSync(path.join(os.tmpdir(), 'sightline-worker-bin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mediasoupRoot = path.resolve(path.dirname(createRequire(import.meta.url).resolve('mediasoup')), '..', '..');
const version = (JSON.parse(readFileSync(path.join(mediasoupRoot, 'package.json'), 'utf8')) as { version: string }).version;
const packaged = path.join(mediasoupRoot, 'worker', 'out', 'Release', 'mediasoup-worker');
const cacheHome = process.env['SIGHTLINE_CACHE_DIR'] ?? path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'sightline');
// The patch rev build-worker.sh and ensure-worker.sh use now (common.sh), e.g. "p2".
const rev = /^MSW_PATCH_REV="(p\d+)"/m.exec(readFileSync(infra('mediasoup-worker/common.sh'), 'utf8'))![1]!;
const built = path.join(cacheHome, 'mediasoup-worker', `${version}-${rev}`, 'mediasoup-worker');

/** A cache dir with the given `<version>-p<rev>` entries, each with a worker file unless told otherwise. */
function cache(entries: { name: string; binary?: boolean }[]): string {
  const root = mkdtempSync(path.join(scratch, 'cache-'));
  for (const e of entries) {
    const dir = path.join(root, 'mediasoup-worker', e.name);
    mkdirSync(dir, { recursive: true });
    if (e.binary !== false) writeFileSync(path.join(dir, 'mediasoup-worker'), '');
  }
  return root;
}

describe('the server finds the worker (workerBinary.ts)', () => {
  it('takes MEDIASOUP_WORKER_BIN first, and refuses one that does not exist', () => {
    const bin = path.join(scratch, 'explicit-worker');
    writeFileSync(bin, '');
    const other = cache([{ name: `${version}-p1` }]);
    expect(resolveWorkerBinary({ MEDIASOUP_WORKER_BIN: bin, SIGHTLINE_CACHE_DIR: other })).toEqual({ path: bin, source: 'env' });
    expect(() => resolveWorkerBinary({ MEDIASOUP_WORKER_BIN: path.join(scratch, 'nope') })).toThrow(WorkerBinaryMissingError);
    expect(() => resolveWorkerBinary({ MEDIASOUP_WORKER_BIN: path.join(scratch, 'nope') })).toThrow(/MEDIASOUP_WORKER_BIN=.*nope does not exist/);
  });

  // mediasoup's own binary would win over the cache; here (offline) there is none, as in the image.
  it.skipIf(existsSync(packaged))('then the newest cached build of this mediasoup version, never another version', () => {
    const root = cache([{ name: `${version}-p1` }, { name: `${version}-p3` }, { name: `${version}-p7`, binary: false }, { name: '0.0.1-p9' }]);
    expect(resolveWorkerBinary({ SIGHTLINE_CACHE_DIR: root })).toEqual({
      path: path.join(root, 'mediasoup-worker', `${version}-p3`, 'mediasoup-worker'),
      source: 'cache',
    });
    const xdg = mkdtempSync(path.join(scratch, 'xdg-'));
    const inXdg = cache([{ name: `${version}-p2` }]);
    mkdirSync(path.join(xdg, 'sightline'), { recursive: true });
    spawnSync('cp', ['-r', path.join(inXdg, 'mediasoup-worker'), path.join(xdg, 'sightline')]);
    expect(resolveWorkerBinary({ XDG_CACHE_HOME: xdg }).path).toBe(path.join(xdg, 'sightline', 'mediasoup-worker', `${version}-p2`, 'mediasoup-worker'));
  });

  it.skipIf(existsSync(packaged))('says how to build one when there is none', () => {
    const empty = cache([{ name: '0.0.1-p1' }]);
    expect(() => resolveWorkerBinary({ SIGHTLINE_CACHE_DIR: empty })).toThrow(/no mediasoup worker for mediasoup .*build-worker\.sh/);
  });
});

describe('infra/mediasoup-worker/ensure-worker.sh', () => {
  const ensure = (env: Record<string, string>) =>
    spawnSync('bash', [infra('mediasoup-worker/ensure-worker.sh')], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH']!, HOME: os.homedir(), SIGHTLINE_OFFLINE: '1', ...env },
    });

  // A worker that runs is needed: the script starts each candidate to see it works.
  it.skipIf(!existsSync(built) || existsSync(packaged))('prints MEDIASOUP_WORKER_BIN first, else the cached build, and nothing else on stdout', () => {
    const cacheDir = path.join(scratch, 'ensure-cache');
    mkdirSync(path.join(cacheDir, 'mediasoup-worker', `${version}-${rev}`), { recursive: true });
    copyFileSync(built, path.join(cacheDir, 'mediasoup-worker', `${version}-${rev}`, 'mediasoup-worker'));
    chmodSync(path.join(cacheDir, 'mediasoup-worker', `${version}-${rev}`, 'mediasoup-worker'), 0o755);
    const explicit = path.join(scratch, 'explicit-real-worker');
    copyFileSync(built, explicit);
    chmodSync(explicit, 0o755);

    const first = ensure({ MEDIASOUP_WORKER_BIN: explicit, SIGHTLINE_CACHE_DIR: cacheDir });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${explicit}\n`);

    // Not executable: ignored with a warning, and the cache answers.
    chmodSync(explicit, 0o644);
    const fallback = ensure({ MEDIASOUP_WORKER_BIN: explicit, SIGHTLINE_CACHE_DIR: cacheDir });
    expect(fallback.status, fallback.stderr).toBe(0);
    expect(fallback.stderr).toContain('is not an executable file');
    expect(fallback.stdout).toBe(`${path.join(cacheDir, 'mediasoup-worker', `${version}-${rev}`, 'mediasoup-worker')}\n`);
  });
});

describe('npm install scripts', () => {
  it('approves mediasoup postinstall only, and denies esbuild', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts).toEqual({ mediasoup: true, esbuild: false });
  });
});
