import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundVideo, launchDevice, waitFor, type Device } from '../support/browser.js';
import { launchFirefoxDevice } from '../support/firefox.js';
import { freePort, type TestServer } from '../support/server.js';
import { callerStatus, liveSession } from '../support/session.js';
import { createDesk, type Desk } from './desk.js';
import { counterPackets, nftDeleteTable, nftLoad } from './nft.js';
import { startNetnsServer } from './server.js';

/**
 * A Firefox caller's network drops and comes back. The dispatcher's desk is a namespace of its own
 * (desk.ts), so an nft rule can drop every packet to and from the SFU's RTC port, UDP and TCP,
 * except the desk's: only the caller loses its media path, for longer than Firefox's ICE gives a
 * silent path, while its signalling socket (HTTP) stays up. The caller restarts ICE, then gives the
 * restarted ICE 5 s and publishes again from scratch (its own rule, README "Caller page"), and the
 * console has the picture back soon after the network is.
 * The Chromium caller's outages, with each recovery path pinned down, are media-outage.test.ts.
 */
let server: TestServer;
let desk: Desk;
let dispatcher: Device;
let caller: Device;
let rtcPort: number;

/** Past Firefox's ICE disconnect (about 9 s of silence here), the caller's ICE restart and its 5 s wait, and past the ~24 s at which Firefox itself calls the old path failed. */
const OUTAGE_MS = 30_000;
/** The console must decode the caller's picture again within this long after the network is back. */
const RECOVERY_BOUND_MS = 10_000;

beforeAll(async () => {
  rtcPort = await freePort();
  desk = await createDesk();
  // HTTP on every address of run.sh's namespace, so the desk reaches it through its link.
  server = await startNetnsServer(rtcPort, { HOST: '0.0.0.0' });
  await desk.forward(Number(new URL(server.url).port));
  [dispatcher, caller] = await Promise.all([launchDevice({ netns: desk.name }), launchFirefoxDevice({ mobile: true })]);
  await caller.page.evaluateOnNewDocument(KEEP_STATES);
});

afterAll(async () => {
  await nftDeleteTable('inet', 'sightline_caller_cut');
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await desk?.remove();
  await server?.stop();
});

/** Every packet of the SFU's port to or from anyone but the desk. */
const cutCaller = () => `
table inet sightline_caller_cut {
  counter caller_media_dropped {}
  chain input {
    type filter hook input priority 0; policy accept;
    meta nfproto ipv4 ip saddr != ${desk.ip} meta l4proto { udp, tcp } th dport ${rtcPort} counter name "caller_media_dropped" drop
    meta nfproto ipv6 meta l4proto { udp, tcp } th dport ${rtcPort} counter name "caller_media_dropped" drop
  }
  chain output {
    type filter hook output priority 0; policy accept;
    meta nfproto ipv4 ip daddr != ${desk.ip} meta l4proto { udp, tcp } th sport ${rtcPort} counter name "caller_media_dropped" drop
    meta nfproto ipv6 meta l4proto { udp, tcp } th sport ${rtcPort} counter name "caller_media_dropped" drop
  }
}`;

/** Keeps, for every peer connection the page makes, the connection states it went through (no product hook). */
const KEEP_STATES = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcStates = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      const states = [];
      window.__pcStates.push(states);
      this.addEventListener('connectionstatechange', () => states.push(this.connectionState));
    }
  };
})();`;

async function pcStates(page: Page): Promise<string[][]> {
  return page.evaluate(() => (window as unknown as { __pcStates: string[][] }).__pcStates.map((s) => [...s]));
}

describe('a Firefox caller through a network drop', () => {
  it('publishes again by itself when the restarted ICE does not connect, and the picture is back soon after the network', async () => {
    await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-GECKO-DROP', timeoutMs: 30_000 });
    await waitFor('first frames', async () => ((await inboundVideo(dispatcher.page))?.frames ?? 0) > 10, 20_000);
    const before = (await inboundVideo(dispatcher.page))!;
    const pcsBefore = (await pcStates(caller.page)).length;

    const cutAt = Date.now();
    await nftLoad(cutCaller());
    await waitFor('caller reconnecting', async () => (await callerStatus(caller.page)).startsWith('reconnecting'), OUTAGE_MS);
    const reconnectingAt = Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + OUTAGE_MS - Date.now())));
    const dropped = await counterPackets('inet', 'sightline_caller_cut', 'caller_media_dropped');
    await nftDeleteTable('inet', 'sightline_caller_cut');
    const liftedAt = Date.now();

    const back = await waitFor(
      'the console decoding the caller again',
      async () => {
        const now = await inboundVideo(dispatcher.page);
        return now && now.ssrc !== before.ssrc && now.frames > 10 ? now : undefined;
      },
      RECOVERY_BOUND_MS,
      100,
    );
    const recovered = Date.now() - liftedAt;
    await waitFor('caller live again', async () => (await callerStatus(caller.page)).startsWith('live'), 5_000);
    const states = await pcStates(caller.page);
    const live = states[pcsBefore - 1]!;
    process.stdout.write(
      `firefox caller, media outage ${((liftedAt - cutAt) / 1000).toFixed(1)} s (${dropped} packets dropped): reconnecting after ${((reconnectingAt - cutAt) / 1000).toFixed(1)} s; ` +
        `picture back on the console ${(recovered / 1000).toFixed(2)} s after the network (new consumer ${back.ssrc}); ` +
        `caller's peer connections: ${states
          .slice(pcsBefore - 1)
          .map((s) => s.join('>') || '(none)')
          .join(' | ')}\n`,
    );

    expect(dropped).toBeGreaterThan(0);
    // The send transport's path: lost, then an ICE restart (Firefox checks again)...
    expect(live).toEqual(expect.arrayContaining(['connected', 'disconnected', 'connecting']));
    // ...and the caller gave up on it by its own 5 s rule: Firefox never had to call it failed.
    expect(live).not.toContain('failed');
    // It published again on a new peer connection, which carries the picture now.
    expect(states.length).toBeGreaterThan(pcsBefore);
    expect(states[states.length - 1]).toContain('connected');
  });
});
