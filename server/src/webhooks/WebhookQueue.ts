import { mkdir, readdir, readFile, rename, unlink, writeFile, open } from 'node:fs/promises';
import path from 'node:path';

/** One webhook to one receiver, as kept until it is delivered or given up. */
export interface Delivery {
  /** `<sessionId>.<log seq, 9 digits>.<receiver index>`: a session's deliveries sort in log order, one key per event and receiver. */
  key: string;
  /** Standard Webhooks `webhook-id`: the same on every retry (receivers deduplicate on it). */
  id: string;
  url: string;
  sessionId: string;
  /** The JSON body, exactly as signed and sent. */
  body: string;
  /** When it was queued (ms since the epoch): a day later it goes to the dead letters. */
  queuedAt: number;
  attempts: number;
  /** Not before (ms since the epoch). */
  nextAt: number;
  lastError?: string;
}

/**
 * The queue shared by several nodes (Redis mode: RedisWebhookQueue): one node sends at a time, the
 * holder of a lease, and picks up what the others queue.
 */
export interface SharedWebhookQueue extends WebhookQueue {
  /** Deliveries queued since this queue last looked (by any node), oldest key first. */
  added(): Promise<Delivery[]>;
  /** Takes or renews the sending lease for `ttlMs`; true while `nodeId` holds it. */
  lease(nodeId: string, ttlMs: number): Promise<boolean>;
  release(nodeId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where deliveries wait (at least once: a delivery leaves only once a receiver took it, or as a
 * dead letter). In memory mode a directory under DATA_DIR: one file a delivery, written to a
 * temporary name, flushed and renamed, so a crash leaves either the old or the new file whole.
 */
export interface WebhookQueue {
  /** Every waiting delivery, oldest key first (read once at start; the worker keeps its own index after). */
  load(): Promise<Delivery[]>;
  /** Queues a new delivery, or records a waiting one's retry state. A tried delivery no longer waiting (delivered or buried meanwhile) is not queued again. */
  put(delivery: Delivery): Promise<void>;
  /** Delivered: gone for good. */
  remove(key: string): Promise<void>;
  /** Given up: moved to the dead letters, kept for an operator. */
  bury(delivery: Delivery): Promise<void>;
  deadLetters(): Promise<Delivery[]>;
  /** The last log seq of the session queued (0: none): what a restart finds still to queue. */
  cursor(sessionId: string): Promise<number>;
  setCursor(sessionId: string, seq: number): Promise<void>;
  /** The sessions that have a cursor. */
  cursors(): Promise<string[]>;
  /** Forgets a session's cursor (its session is gone: retention removed it). */
  dropCursor(sessionId: string): Promise<void>;
  /**
   * When webhooks were first configured on this data (ISO 8601), set on the first call: sessions
   * from before are history, not sent.
   */
  since(): Promise<string>;
}

export class FileWebhookQueue implements WebhookQueue {
  /** Files `load` could not read (kept aside as `<name>.unreadable`), with why: logged by the sender. */
  readonly unreadable: string[] = [];
  readonly #dir: string;
  readonly #pending: string;
  readonly #dead: string;
  readonly #cursors: string;

  /** `dir`: e.g. DATA_DIR/webhooks; `pending/`, `dead/` and `cursors/` are made inside it. */
  constructor(dir: string) {
    this.#dir = dir;
    this.#pending = path.join(dir, 'pending');
    this.#dead = path.join(dir, 'dead');
    this.#cursors = path.join(dir, 'cursors');
  }

  async load(): Promise<Delivery[]> {
    return this.#read(this.#pending);
  }

  async put(delivery: Delivery): Promise<void> {
    await mkdir(this.#pending, { recursive: true });
    await writeDurably(path.join(this.#pending, `${delivery.key}.json`), JSON.stringify(delivery));
  }

  async remove(key: string): Promise<void> {
    await unlink(path.join(this.#pending, `${key}.json`)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async bury(delivery: Delivery): Promise<void> {
    await mkdir(this.#dead, { recursive: true });
    await writeDurably(path.join(this.#dead, `${delivery.key}.json`), JSON.stringify(delivery));
    await this.remove(delivery.key);
  }

  async deadLetters(): Promise<Delivery[]> {
    return this.#read(this.#dead);
  }

  async cursor(sessionId: string): Promise<number> {
    const text = await readFile(path.join(this.#cursors, sessionId), 'utf8').catch(() => '0');
    return Number(text) || 0;
  }

  async setCursor(sessionId: string, seq: number): Promise<void> {
    await mkdir(this.#cursors, { recursive: true });
    await writeDurably(path.join(this.#cursors, sessionId), String(seq));
  }

  async cursors(): Promise<string[]> {
    return (await readdir(this.#cursors).catch(() => [] as string[])).filter((n) => !n.endsWith('.tmp'));
  }

  async dropCursor(sessionId: string): Promise<void> {
    await unlink(path.join(this.#cursors, sessionId)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async since(): Promise<string> {
    const file = path.join(this.#dir, 'since');
    const found = await readFile(file, 'utf8').catch(() => undefined);
    if (found) return found.trim();
    const now = new Date().toISOString();
    await mkdir(this.#dir, { recursive: true });
    await writeDurably(file, now);
    return now;
  }

  async #read(dir: string): Promise<Delivery[]> {
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const out: Delivery[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      // A crash before a rename leaves only a .tmp file, never a cut .json; were one unreadable all the
      // same, it is kept aside (`.unreadable`) for an operator rather than stopping the server.
      const file = path.join(dir, name);
      try {
        out.push(JSON.parse(await readFile(file, 'utf8')) as Delivery);
      } catch (err) {
        this.unreadable.push(`${name}: ${(err as Error).message}`);
        await rename(file, `${file}.unreadable`);
      }
    }
    return out;
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text);
  const handle = await open(tmp, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}
