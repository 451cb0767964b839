import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { freePort, startServer, type TestServer } from '../support/server.js';
import { framesKeepRising, liveSession } from '../support/session.js';

/**
 * README "Caller page": H264 preferred, VP8 where the browser cannot send H264, and
 * `degradationPreference: balanced` on the video sender. The codec is read off the caller's own
 * RTCPeerConnection stats. "A browser that cannot send H264" is this Chromium with H264 taken out
 * of what it offers (its SDP offers and RTCRtpSender.getCapabilities), before the page loads.
 */
let server: TestServer;
const devices: Device[] = [];

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()));
  await server?.stop();
});

/** Keeps the page's peer connections in reach of the test (the product is not changed). */
const KEEP_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
})();`;

/** A browser without H264: no H264 (nor its RTX) in any offer it makes, nor in its sender capabilities. */
const NO_H264 = `(() => {
  const strip = (sdp) => {
    const lines = sdp.split('\\r\\n');
    const pts = new Set(lines.map((l) => (/^a=rtpmap:(\\d+) H264\\//i.exec(l) || [])[1]).filter(Boolean));
    for (const l of lines) { const m = /^a=fmtp:(\\d+) apt=(\\d+)/.exec(l); if (m && pts.has(m[2])) pts.add(m[1]); }
    return lines
      .filter((l) => { const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\\d+) /.exec(l); return !(m && pts.has(m[1])); })
      .map((l) => (l.startsWith('m=video') ? l.split(' ').filter((p, i) => i < 3 || !pts.has(p)).join(' ') : l))
      .join('\\r\\n');
  };
  const offer = RTCPeerConnection.prototype.createOffer;
  RTCPeerConnection.prototype.createOffer = async function (...args) {
    const o = await offer.apply(this, args);
    return { type: o.type, sdp: strip(o.sdp) };
  };
  const caps = RTCRtpSender.getCapabilities.bind(RTCRtpSender);
  RTCRtpSender.getCapabilities = (kind) => {
    const c = caps(kind);
    return c && { ...c, codecs: c.codecs.filter((x) => x.mimeType.toLowerCase() !== 'video/h264') };
  };
})();`;

/** What the caller's video sender sends: codec from its outbound stats, and its degradation preference. */
async function callerSends(page: Page): Promise<{ mimeType?: string; framesSent: number; degradationPreference?: string }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    for (const pc of [...pcs].reverse()) {
      const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
      if (!sender) continue;
      const stats = (await sender.getStats()) as unknown as Map<string, { type: string; codecId?: string; mimeType?: string; framesSent?: number }>;
      const out = [...stats.values()].find((s) => s.type === 'outbound-rtp');
      const params = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
      return {
        mimeType: out?.codecId ? stats.get(out.codecId)?.mimeType : undefined,
        framesSent: out?.framesSent ?? 0,
        degradationPreference: params.degradationPreference,
      };
    }
    return { framesSent: 0 };
  });
}

async function liveCall(opts: { withoutH264: boolean }) {
  const [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  devices.push(dispatcher, caller);
  await caller.page.evaluateOnNewDocument(KEEP_PEER_CONNECTIONS);
  if (opts.withoutH264) await caller.page.evaluateOnNewDocument(NO_H264);
  await liveSession(dispatcher.page, caller.page, server.url);
  await framesKeepRising(dispatcher.page);
  return waitFor('frames sent', async () => {
    const s = await callerSends(caller.page);
    return s.mimeType && s.framesSent > 10 ? s : undefined;
  });
}

describe('the caller video codec', () => {
  it('sends H264 where the browser can, with degradationPreference balanced', async () => {
    const sent = await liveCall({ withoutH264: false });
    expect(sent.mimeType).toBe('video/H264');
    expect(sent.degradationPreference).toBe('balanced');
  });

  it('falls back to VP8 in a browser that cannot send H264, and the console decodes it', async () => {
    const sent = await liveCall({ withoutH264: true });
    expect(sent.mimeType).toBe('video/VP8');
    expect(sent.degradationPreference).toBe('balanced');
  });
});
