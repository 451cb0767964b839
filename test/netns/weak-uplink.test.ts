import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { freePort, type TestServer } from '../support/server.js';
import { callerStatus, framesKeepRising, liveSession } from '../support/session.js';
import { nb } from '../../client/src/caller/i18n/nb.js';
import { counterPackets, nftDeleteTable, nftLoad } from './nft.js';
import { startNetnsServer } from './server.js';

/**
 * A weak uplink made by the network itself: nftables (in run.sh's namespace) lets the caller's
 * media reach the SFU at 200 kbit/s and drops the rest. The phone's congestion control notices, and
 * the caller page must say the network is weak; when the limit goes, the notice goes too. (The e2e
 * test of the same notice caps the sender instead, for machines without root.)
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let rtcPort: number;

beforeAll(async () => {
  rtcPort = await freePort();
  server = await startNetnsServer(rtcPort);
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await nftDeleteTable('inet', 'sightline_weak');
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

/** Media (datagrams over 300 bytes) towards the SFU's port beyond 25 kB/s is dropped; STUN and RTCP pass. */
const weakUplink = (port: number) => `
table inet sightline_weak {
  counter over_limit {}
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport ${port} meta length > 300 limit rate over 25 kbytes/second counter name "over_limit" drop
  }
}`;

const notice = () =>
  caller.page.$eval(sel('connection-quality'), (el) => ({
    visible: !(el as HTMLElement).hidden,
    text: el.textContent ?? '',
    quality: (el as HTMLElement).dataset['quality'],
  }));

describe('a weak uplink', () => {
  it('shows the weak-network notice on the caller page while it lasts, and drops it after', async () => {
    await liveSession(dispatcher.page, caller.page, server.url, { timeoutMs: 30_000 });
    await framesKeepRising(dispatcher.page);
    expect((await notice()).visible).toBe(false);

    await nftLoad(weakUplink(rtcPort));
    try {
      const weak = await waitFor(
        'the weak-network notice',
        async () => {
          const n = await notice();
          return n.visible ? n : undefined;
        },
        30_000,
        250,
      );
      expect(weak).toEqual({ visible: true, text: nb.status.weak, quality: 'weak' });
      expect(await counterPackets('inet', 'sightline_weak', 'over_limit')).toBeGreaterThan(0);
      expect(await callerStatus(caller.page)).toMatch(/^live/);
    } finally {
      await nftDeleteTable('inet', 'sightline_weak');
    }
    await waitFor(
      'the notice to go',
      async () => {
        const n = await notice();
        return !n.visible && n.quality === 'good';
      },
      90_000,
      250,
    );
    await framesKeepRising(dispatcher.page);
  });
});
