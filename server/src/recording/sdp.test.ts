import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { codecName, mediaCodec, recordingSdp } from './sdp.js';
import { rtcpBye } from './rtcp.js';

const vp8: types.RtpParameters = {
  codecs: [
    { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {} },
    { mimeType: 'video/rtx', payloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
  ],
  encodings: [{ ssrc: 1111 }],
};
const h264: types.RtpParameters = {
  codecs: [
    {
      mimeType: 'video/H264',
      payloadType: 107,
      clockRate: 90000,
      parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
    },
  ],
};
const opus: types.RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
};

describe('recordingSdp', () => {
  it('describes video and audio on their own port pairs', () => {
    const sdp = recordingSdp([
      { kind: 'video', rtpParameters: vp8, port: 50000 },
      { kind: 'audio', rtpParameters: opus, port: 50002 },
    ]);
    expect(sdp.endsWith('\r\n')).toBe(true);
    expect(sdp.split('\r\n')).toEqual([
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=Sightline recording',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=video 50000 RTP/AVP 101',
      'a=rtcp:50001',
      'a=rtpmap:101 VP8/90000',
      'a=recvonly',
      'm=audio 50002 RTP/AVP 100',
      'a=rtcp:50003',
      'a=rtpmap:100 opus/48000/2',
      'a=fmtp:100 useinbandfec=1',
      'a=recvonly',
      '',
    ]);
  });

  it('carries H264 format parameters and skips RTX', () => {
    const sdp = recordingSdp([{ kind: 'video', rtpParameters: h264, port: 50010 }]);
    expect(sdp).toContain('a=rtpmap:107 H264/90000\r\n');
    expect(sdp).toContain('a=fmtp:107 packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1\r\n');
    expect(recordingSdp([{ kind: 'video', rtpParameters: vp8, port: 50000 }])).not.toContain('rtx');
  });

  it('refuses no streams, bad ports and streams sharing ports', () => {
    expect(() => recordingSdp([])).toThrow();
    expect(() => recordingSdp([{ kind: 'video', rtpParameters: vp8, port: 0 }])).toThrow(/invalid port/);
    expect(() =>
      recordingSdp([
        { kind: 'video', rtpParameters: vp8, port: 50000 },
        { kind: 'audio', rtpParameters: opus, port: 50001 },
      ]),
    ).toThrow(/share/);
    expect(() => recordingSdp([{ kind: 'video', rtpParameters: { codecs: [vp8.codecs[1]!] }, port: 50000 }])).toThrow(/no media codec/);
  });

  it('names codecs as ffprobe does', () => {
    expect(codecName(mediaCodec(vp8).mimeType)).toBe('vp8');
    expect(codecName(mediaCodec(h264).mimeType)).toBe('h264');
    expect(codecName(mediaCodec(opus).mimeType)).toBe('opus');
  });
});

describe('rtcpBye', () => {
  it('is a 16-byte RTCP BYE for the SSRC (ffmpeg ignores packets under 12 bytes)', () => {
    const b = rtcpBye(0xdeadbeef);
    expect(b.length).toBe(16);
    expect(b[0]! >> 6).toBe(2);
    expect(b[1]).toBe(203);
    expect((b.readUInt16BE(2) + 1) * 4).toBe(16);
    expect(b.readUInt32BE(4)).toBe(0xdeadbeef);
  });
});
