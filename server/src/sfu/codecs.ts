import type { types } from 'mediasoup';

/**
 * Router codecs. H264 constrained baseline first because iOS Safari encodes it in hardware;
 * VP8 as the fallback every browser has. Opus for the optional caller microphone.
 */
export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

/** The router's video mimeTypes, best first (as above). */
export const VIDEO_CODECS: readonly string[] = MEDIA_CODECS.filter((c) => c.kind === 'video').map((c) => c.mimeType);

/**
 * The router's video codecs that RTP capabilities list, in the router's order. mediasoup-client's
 * Device capabilities are already matched against the router's (H264 profile included), so the
 * mimeType, compared without case as mediasoup does, is enough here.
 */
export function videoCodecsIn(caps: unknown): string[] {
  const listed = new Set(
    ((caps as { codecs?: { kind?: string; mimeType?: string }[] } | undefined)?.codecs ?? [])
      .filter((c) => c.kind === 'video' && typeof c.mimeType === 'string')
      .map((c) => c.mimeType!.toLowerCase()),
  );
  return VIDEO_CODECS.filter((m) => listed.has(m.toLowerCase()));
}

/** One receiver of a session's video: what its browser decodes, and whether it is staff (the dispatcher's console). */
export interface VideoReceiver {
  decodes: readonly string[];
  staff: boolean;
}

/**
 * The video codecs to ask the caller for, best first: those the caller can send (all, if it never
 * said) that every receiver decodes. When none suits everyone, those that suit every staff receiver:
 * the dispatcher's picture is why the session exists, and a viewer that cannot share it is told why.
 * When none suits them either, everything the caller can send.
 */
export function wantedVideoCodecs(receivers: Iterable<VideoReceiver>, callerSends: readonly string[] = VIDEO_CODECS): string[] {
  const all = [...receivers];
  const suiting = (group: VideoReceiver[]) => callerSends.filter((m) => group.every((r) => r.decodes.includes(m)));
  const everyone = suiting(all);
  if (everyone.length > 0) return everyone;
  const staff = suiting(all.filter((r) => r.staff));
  return staff.length > 0 ? staff : [...callerSends];
}

const short = (mimeType: string) => mimeType.replace(/^video\//i, '');

/**
 * In words, for the receiver's screen: why a receiver that decodes `decodes` cannot play the
 * caller's `sending` codec, given what the caller is asked for (`wanted`) and can send.
 */
export function unplayableReason(
  sending: string,
  decodes: readonly string[],
  wanted: readonly string[],
  callerSends: readonly string[] = VIDEO_CODECS,
): string {
  if (decodes.length === 0) {
    return `this browser cannot play any video format used here (${VIDEO_CODECS.map(short).join(', ')}): open the link in a current Chrome, Edge, Firefox or Safari`;
  }
  const next = wanted.find((m) => decodes.includes(m));
  if (next && next !== sending) return `this browser cannot play ${short(sending)}: the caller's phone is switching to ${short(next)}`;
  if (!callerSends.some((m) => decodes.includes(m))) {
    return `the caller's phone sends only ${callerSends.map(short).join(', ')}, which this browser cannot play (it plays ${decodes.map(short).join(', ')})`;
  }
  return `the caller's video is ${short(sending)}, which this browser cannot play, and the dispatcher's console plays only ${wanted.map(short).join(', ')}`;
}
