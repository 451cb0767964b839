import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './server.js';

/**
 * A data directory filled the way an operator fills one, by the real `npx sightline demo-data`, with
 * a checkpoint key pair of its own outside it (as log-checkpoints.test.ts makes one): give `env` to
 * the server started on it, so it verifies what the command signed.
 */
export interface DemoDataDir {
  dataDir: string;
  /** DATA_DIR and CHECKPOINT_KEY_FILE, for the server and for further commands. */
  env: Record<string, string>;
  publicKeyFile: string;
  /** Runs `sightline <args>` on this directory. */
  cli(...args: string[]): SpawnSyncReturns<string>;
  remove(): Promise<void>;
}

export async function demoDataDir(): Promise<DemoDataDir> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-demo-data-'));
  const keyDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-demo-key-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = path.join(keyDir, 'checkpoint.pem');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const publicKeyFile = path.join(keyDir, 'checkpoint.pub.pem');
  await writeFile(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const env = { DATA_DIR: dataDir, CHECKPOINT_KEY_FILE: keyFile };
  const { REDIS_URL: _none, ...base } = process.env; // memory mode: the server rebuilds its index from the logs
  return {
    dataDir,
    env,
    publicKeyFile,
    cli: (...args) =>
      spawnSync(process.execPath, [path.join(REPO_ROOT, 'server/bin/sightline.js'), ...args], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...base, ...env, LOG_LEVEL: 'warn' },
      }),
    async remove() {
      await rm(dataDir, { recursive: true, force: true });
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}
