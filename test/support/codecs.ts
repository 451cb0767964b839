import type { Page } from 'puppeteer-core';

/**
 * Makes the page's Chromium behave like a browser without some video codecs (`['H264']`), from before
 * its scripts run: Chromium's own flags cannot remove H264. The codecs (and their RTX) disappear from
 * every offer it makes (what mediasoup-client's Device.load reads as its native capabilities), from
 * RTCRtpSender/RTCRtpReceiver.getCapabilities, and from every remote description it is given, so a
 * stream in such a codec is refused by the browser itself rather than decoded.
 */
export async function withoutVideoCodecs(page: Page, codecs: string[]): Promise<void> {
  await page.evaluateOnNewDocument((names: string[]) => {
    const gone = new Set(names.map((n) => `video/${n}`.toLowerCase()));
    const strip = (sdp: string): string => {
      const lines = sdp.split('\r\n');
      const pts = new Set<string>();
      for (const l of lines) {
        const m = /^a=rtpmap:(\d+) ([^/]+)\//.exec(l);
        if (m && gone.has(`video/${m[2]}`.toLowerCase())) pts.add(m[1]!);
      }
      for (const l of lines) {
        const m = /^a=fmtp:(\d+) apt=(\d+)/.exec(l);
        if (m && pts.has(m[2]!)) pts.add(m[1]!);
      }
      return lines
        .filter((l) => {
          const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /.exec(l);
          return !(m && pts.has(m[1]!));
        })
        .map((l) =>
          l.startsWith('m=video')
            ? l
                .split(' ')
                .filter((p, i) => i < 3 || !pts.has(p))
                .join(' ')
            : l,
        )
        .join('\r\n');
    };
    const proto = RTCPeerConnection.prototype;
    const createOffer = proto.createOffer as (this: RTCPeerConnection, ...a: unknown[]) => Promise<RTCSessionDescriptionInit>;
    proto.createOffer = async function (this: RTCPeerConnection, ...args: unknown[]) {
      const o = await createOffer.apply(this, args);
      return { type: o.type, sdp: strip(o.sdp ?? '') };
    } as typeof proto.createOffer;
    const setRemote = proto.setRemoteDescription as (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) => Promise<void>;
    proto.setRemoteDescription = function (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) {
      return setRemote.call(this, d?.sdp ? { type: d.type, sdp: strip(d.sdp) } : d);
    } as typeof proto.setRemoteDescription;
    for (const Kind of [RTCRtpSender, RTCRtpReceiver]) {
      const caps = Kind.getCapabilities.bind(Kind);
      Kind.getCapabilities = (kind: string) => {
        const c = caps(kind);
        return c && { ...c, codecs: c.codecs.filter((x) => !gone.has(x.mimeType.toLowerCase())) };
      };
    }
  }, codecs);
}
