import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../testing/logger.js';
import { freePort } from '../testing/ports.js';
import { WEBRTC_SERVER_SOCKET_BUFFER_BYTES, WorkerPool } from './WorkerPool.js';

/**
 * Issue #12: a worker's one WebRtcServer socket carries every session on it, so its buffers, not the
 * kernel's defaults, decide how long a busy worker may pause before packets are dropped.
 */
let pool: WorkerPool;
let port: number;

beforeAll(async () => {
  port = await freePort();
  pool = await WorkerPool.start({ workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: port }, testLogger);
});

afterAll(async () => {
  await pool?.close();
});

describe("a worker's WebRtcServer socket", () => {
  it('gets the receive and send buffers it asks for (doubled, as Linux counts them), as far as the host allows', async () => {
    const limit = async (name: string) => Number.parseInt(await readFile(`/proc/sys/net/core/${name}`, 'utf8'), 10);
    const { stdout } = await promisify(execFile)('ss', ['-H', '-u', '-a', '-n', '-m', 'sport', '=', `:${port}`]);
    const rb = Number(/\brb(\d+)/.exec(stdout)?.[1]);
    const tb = Number(/\btb(\d+)/.exec(stdout)?.[1]);
    expect(rb).toBe(2 * Math.min(WEBRTC_SERVER_SOCKET_BUFFER_BYTES, await limit('rmem_max')));
    expect(tb).toBe(2 * Math.min(WEBRTC_SERVER_SOCKET_BUFFER_BYTES, await limit('wmem_max')));
  });
});
