import { isIP } from 'node:net';
import type { types } from 'mediasoup';
import { MEDIA_CODECS } from '../sfu/codecs.js';

/** One consumer's stream as ffmpeg should receive it. */
export interface SdpStream {
  kind: 'audio' | 'video';
  /** The consumer's RTP parameters (what mediasoup sends). */
  rtpParameters: types.RtpParameters;
  /** Where ffmpeg listens; RTCP is on `port + 1` (ffmpeg's convention). */
  port: number;
}

export interface SdpOptions {
  /** Address ffmpeg receives on. Default 127.0.0.1. */
  ip?: string;
  /** Session name (s= line). */
  name?: string;
}

/** The media codec of a consumer: its first codec that is not a retransmission (RTX) codec. */
export function mediaCodec(rtpParameters: types.RtpParameters): types.RtpCodecParameters {
  const codec = rtpParameters.codecs.find((c) => !/\/rtx$/i.test(c.mimeType));
  if (!codec) throw new Error('RTP parameters carry no media codec');
  return codec;
}

/** `video/VP8` → `vp8`: the codec name as ffprobe spells it. */
export function codecName(mimeType: string): string {
  return (mimeType.split('/')[1] ?? mimeType).toLowerCase();
}

/** Why a value may not go into a recording SDP. */
export type UnsafeSdpReason = 'codec' | 'payload_type' | 'clock_rate' | 'channels' | 'address';

/**
 * A value that is not on the recording SDP's lists. Media parameters come from a caller's produce
 * (mediasoup copies the codec parameters into the consumer), so nothing reaches ffmpeg's SDP that
 * was not checked here; a newline in a value would otherwise add lines of the caller's choosing.
 */
export class UnsafeSdpValueError extends Error {
  override name = 'UnsafeSdpValueError';
  constructor(
    readonly reason: UnsafeSdpReason,
    message: string,
  ) {
    super(message);
  }
}

/** Encoding names the recorder writes: the router's own codecs (sfu/codecs.ts), keyed by lower case. */
const ENCODINGS = new Map(MEDIA_CODECS.map((c) => [c.mimeType.toLowerCase(), { kind: c.kind, encoding: c.mimeType.split('/')[1]! }]));
/** Format parameters as RFC 4566 and the codecs' payload formats write them; anything else is left out. */
const FMTP_KEY = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const FMTP_VALUE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The `a=fmtp` parameters that pass FMTP_KEY and FMTP_VALUE (numbers as finite numbers), and how
 * many were left out. Leaving a parameter out costs nothing to a stream copy: ffmpeg reads the
 * picture size and profile from the stream itself.
 */
export function safeFmtp(parameters: Record<string, unknown> | undefined): { fmtp: string; dropped: number } {
  const kept: string[] = [];
  let dropped = 0;
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value : undefined;
    if (FMTP_KEY.test(key) && text !== undefined && FMTP_VALUE.test(text)) kept.push(`${key}=${text}`);
    else dropped++;
  }
  return { fmtp: kept.join(';'), dropped };
}

/**
 * An SDP describing mediasoup consumers for ffmpeg's `sdp` demuxer: one m= section per stream, each
 * on its own port pair (ffmpeg's SDP input cannot split streams that share a port). Every value is
 * ours or checked: the codec one of the router's (its name as we spell it), payload type 0-127,
 * clock rate and channels whole numbers in range, format parameters as safeFmtp keeps them. No
 * CNAME or SSRC line is written (ffmpeg needs neither), so the caller's CNAME never gets here.
 * Throws UnsafeSdpValueError for a codec, payload type, clock rate, channel count or address off
 * those lists, and a plain Error for no streams or bad ports.
 */
export function recordingSdp(streams: readonly SdpStream[], opts: SdpOptions = {}): string {
  if (streams.length === 0) throw new Error('an SDP needs at least one stream');
  const ip = opts.ip ?? '127.0.0.1';
  const family = isIP(ip) === 6 ? 'IP6' : isIP(ip) === 4 ? 'IP4' : undefined;
  if (!family) throw new UnsafeSdpValueError('address', 'the recording address is not an IP address');
  const name = (opts.name ?? 'Sightline recording').replace(/[^\x20-\x7e]/g, ' ');
  const lines = ['v=0', `o=- 0 0 IN ${family} ${ip}`, `s=${name}`, `c=IN ${family} ${ip}`, 't=0 0'];
  const ports = new Set<number>();
  for (const stream of streams) {
    const { port } = stream;
    if (!Number.isInteger(port) || port < 1 || port > 65534) throw new Error(`invalid port ${port}`);
    if (ports.has(port) || ports.has(port + 1) || ports.has(port - 1)) throw new Error(`streams share port ${port}`);
    ports.add(port);
    const codec = mediaCodec(stream.rtpParameters);
    const known = ENCODINGS.get(String(codec.mimeType).toLowerCase());
    if (!known || known.kind !== stream.kind) throw new UnsafeSdpValueError('codec', `not a ${stream.kind} codec of the router`);
    const pt = codec.payloadType;
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) throw new UnsafeSdpValueError('payload_type', 'payload type out of 0-127');
    if (!Number.isInteger(codec.clockRate) || codec.clockRate < 1000 || codec.clockRate > 200_000) {
      throw new UnsafeSdpValueError('clock_rate', 'clock rate out of 1000-200000 Hz');
    }
    const ch = codec.channels;
    if (ch !== undefined && (!Number.isInteger(ch) || ch < 1 || ch > 8)) throw new UnsafeSdpValueError('channels', 'channels out of 1-8');
    const channels = stream.kind === 'audio' && ch && ch > 1 ? `/${ch}` : '';
    lines.push(`m=${stream.kind} ${port} RTP/AVP ${pt}`);
    lines.push(`a=rtcp:${port + 1}`);
    lines.push(`a=rtpmap:${pt} ${known.encoding}/${codec.clockRate}${channels}`);
    const { fmtp } = safeFmtp(codec.parameters);
    if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
    lines.push('a=recvonly');
  }
  return lines.join('\r\n') + '\r\n';
}
