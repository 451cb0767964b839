import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { framesDecoded, inboundVideo, launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel, viewerWatches } from '../support/flow.js';
import { freePort, http, login, type TestServer } from '../support/server.js';
import { liveSession } from '../support/session.js';
import { createDesk, type Desk } from './desk.js';
import { counterPackets, nftDeleteTable, nftLoad } from './nft.js';
import { callerIce, recordSignalling, watchPeerConnections } from './probe.js';
import { startNetnsServer } from './server.js';

/**
 * The dispatcher's own media path breaks while the console's socket stays up (a Wi-Fi or VPN
 * hiccup on the desk). The console and a viewer run in a namespace of their own (desk.ts), so an nft
 * rule can drop every packet between the desk's address and the SFU's RTC port, UDP and TCP, and
 * nothing else: the caller (on run.sh's side) keeps streaming, and every socket stays up.
 * The receive transport must restart ICE, rebuild if that does not work, and have frames back
 * within 10 s of the path healing; a short hiccup heals without a rebuild.
 */
let server: TestServer;
let desk: Desk;
let dispatcher: Device;
let viewer: Device;
let caller: Device;
let rtcPort: number;
let sessionId: string;
let signalling: Awaited<ReturnType<typeof recordSignalling>>;

/** Frames must be decoded again within this long after the path heals. */
const RECOVERY_BOUND_MS = 10_000;
/** The reproduction's outage: far past Chromium's ICE timeouts and the first ICE restart. */
const LONG_OUTAGE_MS = 45_000;

const cutDesk = () => `
table inet sightline_desk_cut {
  counter desk_media_dropped {}
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr ${desk.ip} meta l4proto { udp, tcp } th dport ${rtcPort} counter name "desk_media_dropped" drop
  }
  chain output {
    type filter hook output priority 0; policy accept;
    ip daddr ${desk.ip} meta l4proto { udp, tcp } th sport ${rtcPort} counter name "desk_media_dropped" drop
  }
}`;
const healDesk = () => nftDeleteTable('inet', 'sightline_desk_cut');

/** The server's own count of media consumers (its Prometheus gauge). */
async function serverConsumers(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^sightline_consumers (\d+)/m.exec(text)?.[1] ?? NaN);
}

const sentSince = (at: number, name: string) => signalling.messages.filter((m) => m.at >= at && m.direction === 'sent' && m.name === name);

/** Resolves with the ms from `since` until `page` decodes 10 more frames than `base` (a new stream counts from 0). */
async function framesBack(page: Page, base: { ssrc: number; frames: number } | undefined, since: number): Promise<number> {
  await waitFor(
    'frames decoded again',
    async () => {
      const now = await inboundVideo(page);
      if (!now) return false;
      return now.frames > (now.ssrc === base?.ssrc ? base.frames : 0) + 10;
    },
    RECOVERY_BOUND_MS,
    100,
  );
  return Date.now() - since;
}

beforeAll(async () => {
  rtcPort = await freePort();
  desk = await createDesk();
  // HTTP on every address of run.sh's namespace, so the desk reaches it through its link.
  server = await startNetnsServer(rtcPort, { HOST: '0.0.0.0' });
  // The desk opens the server at the same http://127.0.0.1:<port> (through desk.forward's relay).
  await desk.forward(Number(new URL(server.url).port));
  [dispatcher, viewer, caller] = await Promise.all([launchDevice({ netns: desk.name }), launchDevice({ netns: desk.name }), launchDevice({ mobile: true })]);
  await watchPeerConnections(dispatcher.page);
  signalling = await recordSignalling(dispatcher.page);

  ({ sessionId } = await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-DESK', timeoutMs: 30_000 }));
  await waitFor('console frames', async () => (await framesDecoded(dispatcher.page)) > 10, 20_000, 200);
  const token = await login(server);
  const invited = await http('POST', `${server.url}/api/sessions/${sessionId}/viewers`, { token });
  expect(invited.status).toBe(201);
  await viewerWatches(viewer.page, String(invited.body.inviteUrl));
  await waitFor('viewer frames', async () => (await framesDecoded(viewer.page)) > 10, 30_000, 200);
});

afterAll(async () => {
  await healDesk();
  await signalling?.stop();
  await Promise.all([dispatcher?.close(), viewer?.close(), caller?.close()]);
  await server?.stop();
  await desk?.remove();
});

describe("the dispatcher desk's media path breaks while its sockets stay up", () => {
  it('heals a short hiccup on the same transport and consumer, without a rebuild', async () => {
    const before = (await inboundVideo(dispatcher.page))!;
    const pcBefore = await callerIce(dispatcher.page);
    expect(pcBefore.connectionState).toBe('connected');

    const cutAt = Date.now();
    await nftLoad(cutDesk());
    // Long enough for the browser to notice (`disconnected`), short of any ICE failure.
    await waitFor('the console transport disconnected', async () => (await callerIce(dispatcher.page)).connectionState === 'disconnected', 20_000, 100);
    const framesAtLift = (await inboundVideo(dispatcher.page))!;
    const dropped = await counterPackets('inet', 'sightline_desk_cut', 'desk_media_dropped');
    await healDesk();
    const liftedAt = Date.now();

    const took = await framesBack(dispatcher.page, framesAtLift, liftedAt);
    const after = (await inboundVideo(dispatcher.page))!;
    process.stdout.write(
      `desk hiccup: ${((liftedAt - cutAt) / 1000).toFixed(1)} s (${dropped} packets dropped); console frames back ${(took / 1000).toFixed(2)} s after it healed; ` +
        `ICE restarts asked: ${sentSince(cutAt, 'transport:restart-ice').length}\n`,
    );
    expect(dropped).toBeGreaterThan(0);
    expect(after.ssrc).toBe(before.ssrc);
    expect((await callerIce(dispatcher.page)).made).toBe(pcBefore.made);
    expect(sentSince(cutAt, 'transport:create')).toEqual([]);
    expect(sentSince(cutAt, 'media:consume')).toEqual([]);
  });

  it('brings the path back with an ICE restart alone when the path heals soon after it: same consumer, no rebuild', async () => {
    const before = (await inboundVideo(dispatcher.page))!;
    const pcBefore = await callerIce(dispatcher.page);
    expect(pcBefore.connectionState).toBe('connected');
    const cutAt = Date.now();
    await nftLoad(cutDesk());
    // Healed just after the console asked for its ICE restart (and got its answer), before any rebuild.
    await waitFor(
      "the server's answer to the console's transport:restart-ice",
      async () => signalling.answerTo('transport:restart-ice', cutAt).find((a) => (a.args[0] as { ok?: boolean })?.ok),
      20_000,
      50,
    );
    const framesAtLift = (await inboundVideo(dispatcher.page))!;
    await healDesk();
    const liftedAt = Date.now();

    const took = await framesBack(dispatcher.page, framesAtLift, liftedAt);
    const pcAfter = await callerIce(dispatcher.page);
    process.stdout.write(
      `desk outage to the ICE restart: ${((liftedAt - cutAt) / 1000).toFixed(1)} s; console frames back ${(took / 1000).toFixed(2)} s after it healed, on the same consumer\n`,
    );
    expect((await inboundVideo(dispatcher.page))!.ssrc).toBe(before.ssrc);
    expect(pcAfter.made).toBe(pcBefore.made);
    expect(pcAfter.ufrag).not.toBe(pcBefore.ufrag);
    expect(sentSince(cutAt, 'transport:create')).toEqual([]);
  });

  it('restarts ICE, rebuilds when that cannot get through, and has frames back within 10 s of a 45 s outage healing (console and viewer)', async () => {
    const consoleBefore = await callerIce(dispatcher.page);
    expect(consoleBefore.connectionState).toBe('connected');
    const consumersBefore = await serverConsumers();
    const cutAt = Date.now();
    await nftLoad(cutDesk());
    await waitFor('the console alarm', () => dispatcher.page.$eval(sel('video-lost'), (el) => !(el as HTMLElement).hidden), 20_000, 200);
    // Everything the desk tries meanwhile goes nowhere: the cut outlasts ICE restarts and rebuilds alike.
    await new Promise((r) => setTimeout(r, LONG_OUTAGE_MS - (Date.now() - cutAt)));
    const consoleAtLift = await inboundVideo(dispatcher.page);
    const viewerAtLift = await inboundVideo(viewer.page);
    const dropped = await counterPackets('inet', 'sightline_desk_cut', 'desk_media_dropped');
    await healDesk();
    const liftedAt = Date.now();

    const [consoleTook, viewerTook] = await Promise.all([
      framesBack(dispatcher.page, consoleAtLift, liftedAt),
      framesBack(viewer.page, viewerAtLift, liftedAt),
    ]);
    const restarts = sentSince(cutAt, 'transport:restart-ice');
    const rebuilds = sentSince(cutAt, 'transport:create');
    process.stdout.write(
      `desk outage: ${((liftedAt - cutAt) / 1000).toFixed(1)} s (${dropped} packets dropped); console: first ICE restart ${((restarts[0]!.at - cutAt) / 1000).toFixed(1)} s ` +
        `after the cut, ${restarts.length} restarts and ${rebuilds.length} rebuilds in all; frames back ${(consoleTook / 1000).toFixed(2)} s after the path healed ` +
        `(viewer: ${(viewerTook / 1000).toFixed(2)} s)\n`,
    );
    expect(dropped).toBeGreaterThan(0);
    expect(restarts.length).toBeGreaterThan(0);
    // The first restart could not get through, so the console rebuilt (a new transport and consumer).
    expect(rebuilds.length).toBeGreaterThan(0);
    expect(restarts[0]!.at).toBeLessThan(rebuilds[0]!.at);
    // A rebuild lets go of the old transport on the server too: no consumer left behind per outage.
    await waitFor('the old consumers gone on the server', async () => (await serverConsumers()) === consumersBefore, 5_000, 200);
    await waitFor('the console alarm cleared', () => dispatcher.page.$eval(sel('video-lost'), (el) => (el as HTMLElement).hidden), 5_000, 200);
  });
});
