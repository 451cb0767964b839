import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';

import { freePort, startServer, type TestServer } from '../support/server.js';
import { liveSession } from '../support/session.js';

/**
 * 10 % random loss on the caller's media path (nftables in this test's own network namespace, see
 * run.sh): the dispatcher's video keeps decoding; freezes are counted and reported.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;

interface Inbound {
  framesDecoded: number;
  packetsLost: number;
  packetsReceived: number;
  freezeCount: number;
  totalFreezesDuration: number;
  nackCount: number;
  pliCount: number;
}

async function inbound(): Promise<Inbound> {
  return dispatcher.page.evaluate(async () => {
    const report = await (window as unknown as { __sightlineStats: () => Promise<RTCStatsReport | undefined> }).__sightlineStats();
    let found: Record<string, number> = {};
    report?.forEach((s: Record<string, unknown>) => {
      if (s['type'] === 'inbound-rtp' && s['kind'] === 'video') found = s as Record<string, number>;
    });
    const n = (k: string) => Number(found[k] ?? 0);
    return { framesDecoded: n('framesDecoded'), packetsLost: n('packetsLost'), packetsReceived: n('packetsReceived'), freezeCount: n('freezeCount'), totalFreezesDuration: n('totalFreezesDuration'), nackCount: n('nackCount'), pliCount: n('pliCount') };
  });
}

beforeAll(async () => {
  const port = await freePort();
  const rtcIp = process.env['LOSS_RTC_IP'] ?? '127.0.0.1';
  server = await startServer({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    RTC_PORT: process.env['LOSS_RTC_PORT'] ?? '41000',
    RTC_LISTEN_IP: rtcIp,
    RTC_ANNOUNCED_IP: rtcIp,
    MEDIASOUP_WORKERS: '1',
  });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

describe('10 % packet loss on the caller path', () => {
  it('keeps video decoding and reports freezes', async () => {
    await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-LOSS', timeoutMs: 30_000 });
    await waitFor('first frames', async () => (await inbound()).framesDecoded > 10, 20_000);

    const start = await inbound();
    const seconds = 20;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const end = await inbound();
    const fps = (end.framesDecoded - start.framesDecoded) / seconds;
    const lossRate = (end.packetsLost - start.packetsLost) / Math.max(1, end.packetsReceived - start.packetsReceived + end.packetsLost - start.packetsLost);
    process.stdout.write(
      `under loss for ${seconds} s: ${fps.toFixed(1)} fps decoded, network loss seen by the receiver ${(lossRate * 100).toFixed(1)} % after retransmissions, ` +
        `freezes ${end.freezeCount - start.freezeCount} (${(end.totalFreezesDuration - start.totalFreezesDuration).toFixed(2)} s), NACKs ${end.nackCount - start.nackCount}, PLIs ${end.pliCount - start.pliCount}\n`,
    );
    expect(fps).toBeGreaterThan(5);
    expect(end.nackCount - start.nackCount + (end.pliCount - start.pliCount)).toBeGreaterThanOrEqual(0);
  });
});
