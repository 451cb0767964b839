import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { codecName, mediaCodec, recordingSdp, safeFmtp, UnsafeSdpValueError } from './sdp.js';
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

  describe('takes nothing from a caller that is not on its lists (issue #11 item 8)', () => {
    const evil = (codec: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
      ({ codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {}, ...codec }], ...rest }) as unknown as types.RtpParameters;
    const sdpOf = (rtpParameters: types.RtpParameters, kind: 'audio' | 'video' = 'video') => recordingSdp([{ kind, rtpParameters, port: 50000 }]);
    /** Every line the SDP holds, after the five session lines. */
    const mediaLines = (sdp: string) => sdp.trimEnd().split('\r\n').slice(5);

    it('leaves out format parameters whose key or value could carry a line, keeping the good ones', () => {
      const sdp = sdpOf(
        evil({
          parameters: { 'max-fr': 30, 'x\r\na=injected': 1, 'x-google-start-bitrate': '1000\r\nm=audio 9 RTP/AVP 0', bad: 'a;b', inf: Infinity, obj: { a: 1 } },
        }),
      );
      expect(mediaLines(sdp)).toEqual(['m=video 50000 RTP/AVP 101', 'a=rtcp:50001', 'a=rtpmap:101 VP8/90000', 'a=fmtp:101 max-fr=30', 'a=recvonly']);
      expect(safeFmtp({ 'a\nb': 1, c: 'd e', ok: '42e01f' })).toEqual({ fmtp: 'ok=42e01f', dropped: 2 });
    });

    it('refuses a codec that is not one of the router’s, or of the other kind, whatever its spelling', () => {
      for (const mimeType of ['video/VP8\r\na=injected:1', 'video/theora', 'audio/opus']) {
        expect(() => sdpOf(evil({ mimeType })), mimeType).toThrow(UnsafeSdpValueError);
      }
      // Our own spelling, not the caller's.
      expect(mediaLines(sdpOf(evil({ mimeType: 'video/vp8' })))).toContain('a=rtpmap:101 VP8/90000');
    });

    it('refuses payload types, clock rates and channel counts that are not whole numbers in range', () => {
      const reasons = [
        [{ payloadType: 128 }, 'payload_type'],
        [{ payloadType: '101\r\na=injected' }, 'payload_type'],
        [{ clockRate: '90000\r\na=injected' }, 'clock_rate'],
        [{ clockRate: 90000.5 }, 'clock_rate'],
      ] as const;
      for (const [codec, reason] of reasons) {
        expect(() => sdpOf(evil(codec)), JSON.stringify(codec)).toThrow(expect.objectContaining({ reason }));
      }
      const opusWith = (channels: unknown) => evil({ mimeType: 'audio/opus', clockRate: 48000, channels });
      expect(() => sdpOf(opusWith('2\r\na=injected'), 'audio')).toThrow(expect.objectContaining({ reason: 'channels' }));
      expect(() => sdpOf(opusWith(9), 'audio')).toThrow(expect.objectContaining({ reason: 'channels' }));
    });

    it('writes no CNAME or SSRC line, so the caller’s CNAME never reaches ffmpeg', () => {
      const sdp = sdpOf(evil({}, { rtcp: { cname: 'x\r\na=injected:cname' }, encodings: [{ ssrc: 1 }] }));
      expect(sdp).not.toMatch(/cname|ssrc|injected/i);
    });

    it('keeps the session name to one line of printable text and the address to an IP', () => {
      const sdp = recordingSdp([{ kind: 'video', rtpParameters: vp8, port: 50000 }], { name: 'a\r\nm=audio 9 RTP/AVP 0' });
      expect(sdp.split('\r\n').filter((l) => l.startsWith('m='))).toHaveLength(1);
      expect(() => recordingSdp([{ kind: 'video', rtpParameters: vp8, port: 50000 }], { ip: '127.0.0.1\r\na=x' })).toThrow(UnsafeSdpValueError);
    });
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
