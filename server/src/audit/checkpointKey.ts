import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The Ed25519 key pair that signs log checkpoints (Checkpoints.ts). The private key lives outside
 * $DATA_DIR (config.ts refuses a path inside it), so someone who can write the data directory cannot
 * sign; the public key is all a verifier needs (`npx sightline verify --public-key`).
 */
export interface CheckpointSigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Short id of the public key, written into each checkpoint: which key to check it with. */
  kid: string;
}

/** Public keys a verifier accepts, by kid (the current one, and older ones kept for a rotation). */
export type CheckpointKeys = Map<string, KeyObject>;

/** The first 16 hex digits of the SHA-256 of the key's SPKI encoding. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Reads the private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it). With
 * `createIfMissing` (development and tests, never production) a missing file is generated, mode 0600;
 * two processes starting at once end up with the same key (the file is linked into place, never
 * overwritten). Returns `created: true` when this call made it.
 * @throws Error when the file is unreadable or holds no Ed25519 private key.
 */
export async function loadCheckpointSigner(file: string, createIfMissing: boolean): Promise<CheckpointSigner & { created: boolean }> {
  let created = false;
  let pem = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && createIfMissing) return undefined;
    throw new Error(`checkpoint key ${file}: ${err.message}`);
  });
  if (pem === undefined) {
    created = await generateKeyFile(file);
    pem = await readFile(file, 'utf8');
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`checkpoint key ${file}: not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: keyId(publicKey), created };
}

/**
 * Public keys from PEM files (SPKI public keys, or private keys whose public half is taken).
 * @throws Error when a file is unreadable or holds no Ed25519 key.
 */
export async function loadPublicKeys(files: string[]): Promise<CheckpointKeys> {
  const keys: CheckpointKeys = new Map();
  for (const file of files) {
    const pem = await readFile(file, 'utf8').catch((err: Error) => {
      throw new Error(`checkpoint public key ${file}: ${err.message}`);
    });
    const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`checkpoint public key ${file}: not an Ed25519 key`);
    keys.set(keyId(key), key);
  }
  return keys;
}

/** Where a development key goes when CHECKPOINT_KEY_FILE is unset: the user's config folder, never $DATA_DIR. */
export function defaultCheckpointKeyFile(env: NodeJS.ProcessEnv): string {
  const base = env['XDG_CONFIG_HOME'] || path.join(env['HOME'] || os.homedir(), '.config');
  return path.join(base, 'sightline', 'checkpoint-key.pem');
}

async function generateKeyFile(file: string): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
