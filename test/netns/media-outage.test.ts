import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundVideo, launchDevice, newVideoDecoding, waitFor, type Device } from '../support/browser.js';
import { freePort, type TestServer } from '../support/server.js';
import { callerStatus, liveSession } from '../support/session.js';
import { counterPackets, nftDeleteTable, nftLoad } from './nft.js';
import { startNetnsServer } from './server.js';
import { callerIce, recordSignalling, watchPeerConnections, type CallerIce } from './probe.js';

/**
 * A media-only outage: every packet to and from the SFU's RTC port (UDP, and TCP, which the
 * transports may also use) is dropped while the signalling socket (HTTP port, loopback) stays up,
 * as on a Wi-Fi to 4G hand-over. The caller's old path stays dead afterwards (its old local ports are
 * never let through again), so only new ICE candidates can carry the video: the caller must go to
 * "reconnecting", ask the server for an ICE restart, and bring the video back on the SAME transport,
 * producer and console consumer (a re-publish would make new ones: that is the fallback, not this path).
 * Then the fallback itself: an outage that outlasts the restarted ICE ends in a re-publish.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let signalling: Awaited<ReturnType<typeof recordSignalling>>;
let rtcPort: number;

/** The caller must be sending again within this long after the outage ends. */
const RECOVERY_BOUND_MS = 10_000;
/** From the cut to the server's answer: Chromium calls the link disconnected after several seconds without an answer (~7 s here), then the caller waits 1.5 s more. */
const RESTART_BOUND_MS = 20_000;

beforeAll(async () => {
  rtcPort = await freePort();
  server = await startNetnsServer(rtcPort);
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  await watchPeerConnections(caller.page);
  signalling = await recordSignalling(caller.page);
});

afterAll(async () => {
  await nftDeleteTable('inet', 'sightline_outage');
  await nftDeleteTable('inet', 'sightline_old_path');
  await signalling?.stop();
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

/** Every packet to or from the SFU's port, UDP and TCP alike. */
const cutMedia = (port: number) => `
table inet sightline_outage {
  counter media_dropped {}
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto { udp, tcp } th dport ${port} counter name "media_dropped" drop
    meta l4proto { udp, tcp } th sport ${port} counter name "media_dropped" drop
  }
}`;

/** The caller's old local UDP ports, as if the network they were on had gone. */
const killOldPath = (port: number, old: number[]) => `
table inet sightline_old_path {
  counter old_path_dropped {}
  chain input {
    type filter hook input priority 0; policy accept;
    udp sport { ${old.join(', ')} } udp dport ${port} counter name "old_path_dropped" drop
    udp sport ${port} udp dport { ${old.join(', ')} } counter name "old_path_dropped" drop
  }
}`;

const sentSince = (at: number, name: string) => signalling.messages.filter((m) => m.at >= at && m.direction === 'sent' && m.name === name);

describe('a media-only outage on the caller path', () => {
  it('restarts ICE on the same transport and brings the video back on the same consumer', async () => {
    await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-OUTAGE', timeoutMs: 30_000 });
    await waitFor('first frames', async () => ((await inboundVideo(dispatcher.page))?.frames ?? 0) > 10, 20_000);
    const before: CallerIce = await callerIce(caller.page);
    const video = (await inboundVideo(dispatcher.page))!;
    expect(before.connectionState).toBe('connected');
    expect(before.localPorts.length).toBeGreaterThan(0);

    const cutAt = Date.now();
    await nftLoad(killOldPath(rtcPort, before.localPorts) + cutMedia(rtcPort));
    await waitFor('caller reconnecting', async () => (await callerStatus(caller.page)).startsWith('reconnecting'), RESTART_BOUND_MS);
    const reconnectingAt = Date.now();
    // The server answered the caller's ICE restart with new credentials, and the page took them.
    const answered = await waitFor(
      "the server's answer to transport:restart-ice",
      async () => signalling.answerTo('transport:restart-ice', cutAt).find((a) => (a.args[0] as { ok?: boolean })?.ok),
      RESTART_BOUND_MS,
    );
    expect((answered.args[0] as { data: { iceParameters: { usernameFragment: string } } }).data.iceParameters.usernameFragment).toBeTruthy();
    await waitFor('a new ICE ufrag on the same peer connection', async () => (await callerIce(caller.page)).ufrag !== before.ufrag, 5_000);
    const framesAtLift = (await inboundVideo(dispatcher.page))?.frames ?? 0;

    const cut = await counterPackets('inet', 'sightline_outage', 'media_dropped');
    await nftDeleteTable('inet', 'sightline_outage');
    const liftedAt = Date.now();
    await waitFor('caller transport connected again', async () => (await callerIce(caller.page)).connectionState === 'connected', RECOVERY_BOUND_MS, 50);
    const reconnected = Date.now() - liftedAt;

    await waitFor(
      'video back on the same consumer',
      async () => {
        const now = await inboundVideo(dispatcher.page);
        return now?.ssrc === video.ssrc && now.frames > framesAtLift + 10;
      },
      RECOVERY_BOUND_MS,
      100,
    );
    const recovered = Date.now() - liftedAt;
    await waitFor('caller live again', async () => (await callerStatus(caller.page)).startsWith('live'), 5_000);
    const after = await callerIce(caller.page);
    const oldPath = await counterPackets('inet', 'sightline_old_path', 'old_path_dropped');
    process.stdout.write(
      `media outage: ${((liftedAt - cutAt) / 1000).toFixed(1)} s (${cut} packets dropped; old path: ${oldPath} more); caller reconnecting after ${((reconnectingAt - cutAt) / 1000).toFixed(1)} s, ` +
        `asked for an ICE restart after ${((sentSince(cutAt, 'transport:restart-ice')[0]!.at - cutAt) / 1000).toFixed(1)} s; ICE restarted on the same transport, connected ${(reconnected / 1000).toFixed(2)} s after the outage ended; ` +
        `video back on the same consumer ${(recovered / 1000).toFixed(2)} s after the outage ended (${((Date.now() - cutAt) / 1000).toFixed(1)} s after it began), ` +
        `caller port ${before.selectedPort} -> ${after.selectedPort}\n`,
    );

    expect(cut).toBeGreaterThan(0);
    // The ICE restart did it, not the fallback: same peer connection, a new ICE generation on new
    // local ports, and no re-publish (no new join, transport or producer) asked for.
    expect(after.made).toBe(before.made);
    expect(after.ufrag).not.toBe(before.ufrag);
    expect(before.localPorts).not.toContain(after.selectedPort);
    for (const name of ['session:join', 'transport:create', 'media:produce']) expect(sentSince(cutAt, name), name).toEqual([]);
  });

  it('then publishes again from scratch when the restarted ICE cannot get through either', async () => {
    // Goes on from the session above, live again on its restarted transport.
    const before = await callerIce(caller.page);
    const video = (await inboundVideo(dispatcher.page))!;
    expect(before.connectionState).toBe('connected');
    await nftDeleteTable('inet', 'sightline_old_path');

    const cutAt = Date.now();
    await nftLoad(killOldPath(rtcPort, before.localPorts) + cutMedia(rtcPort));
    await waitFor("the server's answer to transport:restart-ice", async () => signalling.answerTo('transport:restart-ice', cutAt).length > 0, RESTART_BOUND_MS);
    // Still cut: the caller gives the restarted ICE 5 s, then publishes on a new transport.
    await waitFor('the caller publishing again', async () => sentSince(cutAt, 'media:produce').length > 0, RESTART_BOUND_MS);
    const cut = await counterPackets('inet', 'sightline_outage', 'media_dropped');
    await nftDeleteTable('inet', 'sightline_outage');
    const liftedAt = Date.now();

    await newVideoDecoding(dispatcher.page, video, RECOVERY_BOUND_MS);
    const recovered = Date.now() - liftedAt;
    await waitFor('caller live again', async () => (await callerStatus(caller.page)).startsWith('live'), 5_000);
    const after = await callerIce(caller.page);
    process.stdout.write(
      `media outage past the ICE restart: ${((liftedAt - cutAt) / 1000).toFixed(1)} s (${cut} packets dropped); re-published ` +
        `${((sentSince(cutAt, 'session:join')[0]!.at - cutAt) / 1000).toFixed(1)} s after the cut; video back on a new consumer ${(recovered / 1000).toFixed(2)} s after the outage ended\n`,
    );
    expect(cut).toBeGreaterThan(0);
    expect(sentSince(cutAt, 'session:join').length).toBeGreaterThan(0);
    expect(after.made).toBe(before.made + 1);
    expect(after.connectionState).toBe('connected');
  });
});
