import { describe, expect, it } from 'vitest';
import { unplayableReason, videoCodecsIn, wantedVideoCodecs } from './codecs.js';
import { RoomCodecs } from './RoomCodecs.js';

const caps = (...mimeTypes: string[]) => ({
  codecs: [{ kind: 'audio', mimeType: 'audio/opus' }, ...mimeTypes.map((mimeType) => ({ kind: 'video', mimeType }))],
});
const H264 = 'video/H264';
const VP8 = 'video/VP8';

describe('video codec choice for a session', () => {
  it("reads the router's video codecs out of capabilities, in the router's order, whatever their case", () => {
    expect(videoCodecsIn(caps('video/vp8', 'video/rtx', 'video/h264'))).toEqual([H264, VP8]);
    expect(videoCodecsIn(caps('video/AV1'))).toEqual([]);
    expect(videoCodecsIn(undefined)).toEqual([]);
  });

  it('asks for what every receiver decodes; H264 first while everyone plays it', () => {
    expect(wantedVideoCodecs([])).toEqual([H264, VP8]);
    expect(wantedVideoCodecs([{ decodes: [H264, VP8], staff: true }])).toEqual([H264, VP8]);
    expect(
      wantedVideoCodecs([
        { decodes: [H264, VP8], staff: true },
        { decodes: [VP8], staff: false },
      ]),
    ).toEqual([VP8]);
  });

  it("keeps to what the caller can send, and to the dispatcher's console when no codec suits everyone", () => {
    expect(wantedVideoCodecs([{ decodes: [H264, VP8], staff: true }], [VP8])).toEqual([VP8]);
    expect(
      wantedVideoCodecs([
        { decodes: [H264], staff: true },
        { decodes: [VP8], staff: false },
      ]),
    ).toEqual([H264]);
    expect(
      wantedVideoCodecs([
        { decodes: [], staff: false },
        { decodes: [H264, VP8], staff: true },
      ]),
    ).toEqual([H264, VP8]);
    expect(wantedVideoCodecs([{ decodes: [], staff: true }], [VP8])).toEqual([VP8]);
  });

  it('says in words why a receiver cannot play the video', () => {
    expect(unplayableReason(H264, [], [H264, VP8])).toMatch(/cannot play any video format used here \(H264, VP8\)/);
    expect(unplayableReason(H264, [VP8], [VP8])).toBe("this browser cannot play H264: the caller's phone is switching to VP8");
    expect(unplayableReason(H264, [VP8], [H264], [H264])).toMatch(/sends only H264, which this browser cannot play \(it plays VP8\)/);
    expect(unplayableReason(H264, [VP8], [H264])).toMatch(/console plays only H264/);
  });

  it('tells its observers when the wanted codecs change, not otherwise, and forgets receivers that leave', () => {
    const room = new RoomCodecs();
    const seen: string[][] = [];
    room.on('changed', (c) => seen.push(c));
    room.receiver('console', caps(H264, VP8), true);
    room.callerCapabilities(caps(H264, VP8));
    expect(seen).toEqual([]);
    room.receiver('viewer', caps(VP8));
    expect(seen).toEqual([[VP8]]);
    expect(room.reason('viewer', H264)).toMatch(/switching to VP8/);
    // A consume without `staff` keeps what the join said.
    room.receiver('console', caps(H264, VP8));
    room.receiver('other-viewer', caps());
    expect(room.wanted).toEqual([H264, VP8]);
    room.removePeer('other-viewer');
    room.removePeer('viewer');
    expect(seen).toEqual([[VP8], [H264, VP8], [VP8], [H264, VP8]]);
  });
});
