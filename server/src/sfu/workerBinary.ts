import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * Finds the mediasoup worker binary before mediasoup is first imported (it reads
 * MEDIASOUP_WORKER_BIN once, at load). Order: an explicit MEDIASOUP_WORKER_BIN; mediasoup's own
 * prebuilt/locally built binary; the binary infra/mediasoup-worker/build-worker.sh left in the cache.
 */
export class WorkerBinaryMissingError extends Error {
  override name = 'WorkerBinaryMissingError';
}

export interface WorkerBinary {
  path: string;
  source: 'env' | 'package' | 'cache';
}

export function resolveWorkerBinary(env: NodeJS.ProcessEnv = process.env): WorkerBinary {
  const explicit = env['MEDIASOUP_WORKER_BIN'];
  if (explicit) {
    if (!existsSync(explicit)) throw new WorkerBinaryMissingError(`MEDIASOUP_WORKER_BIN=${explicit} does not exist`);
    return { path: explicit, source: 'env' };
  }
  // mediasoup's exports hide package.json; its entry point is <root>/node/lib/index.js.
  const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve('mediasoup')), '..', '..');
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const packaged = path.join(root, 'worker', 'out', 'Release', 'mediasoup-worker');
  if (existsSync(packaged)) return { path: packaged, source: 'package' };

  const cached = newestCached(cacheRoot(env), version);
  if (cached) return { path: cached, source: 'cache' };
  throw new WorkerBinaryMissingError(
    `no mediasoup worker for mediasoup ${version}: run infra/mediasoup-worker/build-worker.sh ` +
      '(builds it offline from Debian packages) or set MEDIASOUP_WORKER_BIN',
  );
}

function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env['SIGHTLINE_CACHE_DIR']) return env['SIGHTLINE_CACHE_DIR'];
  const xdg = env['XDG_CACHE_HOME'] || path.join(env['HOME'] || os.homedir(), '.cache');
  return path.join(xdg, 'sightline');
}

/** Cache entries are `<version>-p<rev>`; the highest patch revision wins. */
function newestCached(root: string, version: string): string | undefined {
  const dir = path.join(root, 'mediasoup-worker');
  if (!existsSync(dir)) return undefined;
  const revs = readdirSync(dir)
    .map((name) => /^(.+)-p(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === version)
    .sort((a, b) => Number(b[2]) - Number(a[2]));
  for (const m of revs) {
    const bin = path.join(dir, m[0], 'mediasoup-worker');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/** Sets MEDIASOUP_WORKER_BIN for mediasoup; returns what was chosen (for the start-up log). */
export function installWorkerBinary(env: NodeJS.ProcessEnv = process.env): WorkerBinary {
  const found = resolveWorkerBinary(env);
  if (found.source !== 'package') env['MEDIASOUP_WORKER_BIN'] = found.path;
  return found;
}
