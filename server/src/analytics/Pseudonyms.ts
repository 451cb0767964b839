import { createHmac, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where the key lives, under DATA_DIR: 32 random bytes, owner-only. */
export const PSEUDONYM_KEY_FILE = 'analytics/pseudonym.key';

/** Characters of the HMAC kept (base64url): 96 bits, no collision among any centre's sessions. */
const LENGTH = 16;

/**
 * Stable pseudonyms for the research export (`GET /api/analytics/sessions.csv`): HMAC-SHA256 of the
 * id under a key only the server holds, so the same session (or dispatcher) gets the same pseudonym
 * in every export, and nobody without the key can go back from it, nor test a guessed id against it.
 * Session pseudonyms start `p_`, dispatcher ones `d_` (each kind hashed apart).
 *
 * The key is made on first use in `$DATA_DIR/analytics/pseudonym.key` (mode 0600) and survives
 * restarts; losing it changes every pseudonym from then on (old exports cannot be joined to new ones).
 */
export class Pseudonyms {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /**
   * The pseudonyms of this data directory. `agree`: in Redis mode, the key the nodes share (first
   * writer wins: RedisStore.agreeOn), given this node's key as its candidate, base64.
   */
  static async open(dataDir: string, agree?: (candidate: string) => Promise<string>): Promise<Pseudonyms> {
    const own = await keyFile(join(dataDir, PSEUDONYM_KEY_FILE));
    return new Pseudonyms(agree ? Buffer.from(await agree(own.toString('base64')), 'base64') : own);
  }

  /**
   * `open` on first use, kept after: no key file is made until the first export. A failed open (a
   * full disk) is not kept, so the next export tries again.
   */
  static opener(dataDir: string, agree?: (candidate: string) => Promise<string>): () => Promise<Pseudonyms> {
    let opened: Promise<Pseudonyms> | undefined;
    return () =>
      (opened ??= Pseudonyms.open(dataDir, agree).catch((err: unknown) => {
        opened = undefined;
        throw err;
      }));
  }

  session(id: string): string {
    return `p_${this.#mac('session', id)}`;
  }

  dispatcher(username: string): string {
    return `d_${this.#mac('dispatcher', username)}`;
  }

  #mac(kind: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${kind}\0${value}`).digest('base64url').slice(0, LENGTH);
  }
}

/**
 * The key in `path`, made if there is none. A new key is written whole to a file of its own and
 * linked into place, which fails if another process got there first: then that one's key is read.
 */
async function keyFile(path: string): Promise<Buffer> {
  const existing = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(randomBytes(32));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(temp);
  }
  return readFile(path);
}
