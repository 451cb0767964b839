import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { freePort, startServer, type TestServer } from '../support/server.js';
import { liveSession } from '../support/session.js';
import { counterPackets } from './nft.js';
import { callerIce, watchPeerConnections } from './probe.js';

/**
 * 10 % random loss on the caller's media path (nftables in this test's own network namespace, see
 * run.sh): the loss must really happen (the rule's counter, and the SFU asking the phone for
 * retransmissions), and the dispatcher's video keeps decoding at a useful rate meanwhile. A packet
 * the SFU never gets (mediasoup 3.19.3 drops an original whose RTX probe copy came first) stops the
 * picture until a key frame: the console asks for one at once (FreezeWatch, media:key-frame), so no
 * freeze lasts anywhere near the 3 s Chrome would wait before asking itself.
 * Prints the figures docs/benchmarks.md "Video under loss" quotes.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;

/** run.sh's rule and its named counter. */
const LOSS_COUNTER = ['inet', 'sightline_loss', 'caller_media_dropped'] as const;
const dropped = () => counterPackets(...LOSS_COUNTER);

interface Inbound {
  framesDecoded: number;
  packetsLost: number;
  packetsReceived: number;
  freezeCount: number;
  totalFreezesDuration: number;
  nackCount: number;
  pliCount: number;
}

/** The dispatcher's inbound video: what reaches the console through the SFU. */
async function inbound(): Promise<Inbound> {
  return dispatcher.page.evaluate(async () => {
    const report = await (window as unknown as { __sightlineStats: () => Promise<RTCStatsReport | undefined> }).__sightlineStats();
    let found: Record<string, number> = {};
    report?.forEach((s: Record<string, unknown>) => {
      if (s['type'] === 'inbound-rtp' && s['kind'] === 'video') found = s as Record<string, number>;
    });
    const n = (k: string) => Number(found[k] ?? 0);
    return {
      framesDecoded: n('framesDecoded'),
      packetsLost: n('packetsLost'),
      packetsReceived: n('packetsReceived'),
      freezeCount: n('freezeCount'),
      totalFreezesDuration: n('totalFreezesDuration'),
      nackCount: n('nackCount'),
      pliCount: n('pliCount'),
    };
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
  await watchPeerConnections(caller.page);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

describe('10 % packet loss on the caller path', () => {
  it('drops packets, the SFU sees the loss and asks for them again, and video keeps decoding', async () => {
    await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-LOSS', timeoutMs: 30_000 });
    await waitFor('first frames', async () => (await inbound()).framesDecoded > 10, 20_000);

    const [start, sentStart, droppedStart] = [await inbound(), (await callerIce(caller.page)).video, await dropped()];
    const seconds = 20;
    // Sampled every 250 ms, so a freeze can be told apart from the next: a step of one freeze in a
    // sample is that freeze's length (two in one sample are counted as one, longer, freeze).
    let longestFreeze = 0;
    let last = start;
    for (const until = Date.now() + seconds * 1000; Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await inbound();
      if (now.freezeCount > last.freezeCount) longestFreeze = Math.max(longestFreeze, now.totalFreezesDuration - last.totalFreezesDuration);
      last = now;
    }
    const [end, sentEnd, droppedEnd] = [await inbound(), (await callerIce(caller.page)).video, await dropped()];

    const fps = (end.framesDecoded - start.framesDecoded) / seconds;
    const sentFps = (sentEnd.framesSent - sentStart.framesSent) / seconds;
    const drops = droppedEnd - droppedStart;
    const sent = sentEnd.packetsSent - sentStart.packetsSent;
    const nacked = sentEnd.nackCount - sentStart.nackCount;
    const resent = sentEnd.retransmittedPacketsSent - sentStart.retransmittedPacketsSent;
    const lossRate = (end.packetsLost - start.packetsLost) / Math.max(1, end.packetsReceived - start.packetsReceived + end.packetsLost - start.packetsLost);
    process.stdout.write(
      `under loss for ${seconds} s: nftables dropped ${drops} of ${sent} video packets the caller sent (${((drops / Math.max(1, sent)) * 100).toFixed(1)} %); ` +
        `the SFU sent the caller ${nacked} NACKs (its receiver reports ${sentEnd.remotePacketsLost - sentStart.remotePacketsLost} lost), ${resent} packets resent; caller sent ${sentFps.toFixed(1)} fps ${sentEnd.codec}; console: ${fps.toFixed(1)} fps decoded, ` +
        `loss after retransmissions ${(lossRate * 100).toFixed(1)} %, freezes ${end.freezeCount - start.freezeCount} (${(end.totalFreezesDuration - start.totalFreezesDuration).toFixed(2)} s, longest ${longestFreeze.toFixed(2)} s), ` +
        `NACKs ${end.nackCount - start.nackCount}, PLIs ${end.pliCount - start.pliCount}\n`,
    );
    // The loss happened: the rule dropped packets, around its 10 % of the caller's big packets...
    expect(drops).toBeGreaterThan(0);
    expect(drops / sent).toBeGreaterThan(0.03);
    // ...and the receiver of the lossy hop (the SFU) saw it: it asked the phone to resend.
    expect(nacked).toBeGreaterThan(0);
    expect(resent).toBeGreaterThan(0);
    // The console's video kept decoding at a useful rate: against what the phone sent (20 fps from
    // Chromium's fake camera, less when the machine is busy), not a figure of this machine's speed.
    expect(fps).toBeGreaterThan(5);
    expect(fps / sentFps).toBeGreaterThan(0.3);
    // A lost packet costs a short freeze, never the 3 s Chrome waits before it asks for a key frame.
    expect(longestFreeze).toBeLessThan(2.5);
  });
});
