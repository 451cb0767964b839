import type { types } from 'mediasoup';

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

/**
 * An SDP describing mediasoup consumers for ffmpeg's `sdp` demuxer: one m= section per stream, each
 * on its own port pair (ffmpeg's SDP input cannot split streams that share a port).
 */
export function recordingSdp(streams: readonly SdpStream[], opts: SdpOptions = {}): string {
  if (streams.length === 0) throw new Error('an SDP needs at least one stream');
  const ip = opts.ip ?? '127.0.0.1';
  const family = ip.includes(':') ? 'IP6' : 'IP4';
  const name = (opts.name ?? 'Sightline recording').replace(/[\r\n]/g, ' ');
  const lines = ['v=0', `o=- 0 0 IN ${family} ${ip}`, `s=${name}`, `c=IN ${family} ${ip}`, 't=0 0'];
  const ports = new Set<number>();
  for (const stream of streams) {
    const { port } = stream;
    if (!Number.isInteger(port) || port < 1 || port > 65534) throw new Error(`invalid port ${port}`);
    if (ports.has(port) || ports.has(port + 1) || ports.has(port - 1)) throw new Error(`streams share port ${port}`);
    ports.add(port);
    const codec = mediaCodec(stream.rtpParameters);
    const [, encoding = codec.mimeType] = codec.mimeType.split('/');
    const channels = stream.kind === 'audio' && codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
    lines.push(`m=${stream.kind} ${port} RTP/AVP ${codec.payloadType}`);
    lines.push(`a=rtcp:${port + 1}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${encoding}/${codec.clockRate}${channels}`);
    const fmtp = Object.entries(codec.parameters ?? {})
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(';');
    if (fmtp) lines.push(`a=fmtp:${codec.payloadType} ${fmtp}`);
    lines.push('a=recvonly');
  }
  return lines.join('\r\n') + '\r\n';
}
