import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesDecoded, inboundVideo, launchDevice, newVideoDecoding, waitFor, type Device } from '../support/browser.js';

import { freePort, startServer, type TestServer } from '../support/server.js';
import { liveSession } from '../support/session.js';

/** A crashed mediasoup worker does not end a triage call: a new worker, and clients rejoin on their own. */
let server: TestServer;
let dispatcher: Device;
let caller: Device;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, MEDIASOUP_WORKERS: '1' });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

async function workerPids(): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['--ppid', String(server.pid), '-o', 'pid=,comm=']);
  return stdout
    .split('\n')
    .filter((l) => l.includes('mediasoup'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('faults', () => {
  it('brings video back within 5 s after the session worker is SIGKILLed', async () => {
    const { c } = await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-CRASH' });
    await waitFor('frames', async () => (await framesDecoded(dispatcher.page)) > 20);

    const before = await inboundVideo(dispatcher.page);
    const [pid] = await workerPids();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor('media_reset logged', async () => (await c.timeline()).includes('media_reset'), 5_000);
    // A new consumer (its own SSRC) decoding: not the old one's last frames.
    await newVideoDecoding(dispatcher.page, before, 5_000 - (Date.now() - killedAt));
    await c.waitStatus('live', Math.max(500, 5_000 - (Date.now() - killedAt)));
    const recoveredMs = Date.now() - killedAt;
    process.stdout.write(`video back ${recoveredMs} ms after the worker was killed\n`);
    expect(recoveredMs).toBeLessThan(5_000);

    const after = await workerPids();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(pid);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
