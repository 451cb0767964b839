import { t } from '../../staff-i18n/index.js';
/** The figures a dispatcher (or support) reads off the receive side of the caller's video. */
export interface MediaStats {
  kbps: number;
  width: number;
  height: number;
  fps: number;
  lossPercent: number;
  rttMs?: number;
  framesDecoded: number;
}

/** Reads one sample; `prev` gives the bitrate over the interval since it. */
export function readStats(
  report: RTCStatsReport,
  prev?: { bytes: number; at: number },
): { stats: MediaStats; sample: { bytes: number; at: number } } | undefined {
  let inbound: Record<string, number> | undefined;
  let rtt: number | undefined;
  report.forEach((s: Record<string, unknown>) => {
    if (s['type'] === 'inbound-rtp' && s['kind'] === 'video') inbound = s as Record<string, number>;
    if (s['type'] === 'candidate-pair' && s['nominated'] && typeof s['currentRoundTripTime'] === 'number') rtt = s['currentRoundTripTime'];
  });
  if (!inbound) return undefined;
  const bytes = inbound['bytesReceived'] ?? 0;
  const at = inbound['timestamp'] ?? performance.now();
  const kbps = prev && at > prev.at ? ((bytes - prev.bytes) * 8) / (at - prev.at) : 0;
  const lost = inbound['packetsLost'] ?? 0;
  const received = inbound['packetsReceived'] ?? 0;
  return {
    stats: {
      kbps: Math.max(0, Math.round(kbps)),
      width: inbound['frameWidth'] ?? 0,
      height: inbound['frameHeight'] ?? 0,
      fps: Math.round(inbound['framesPerSecond'] ?? 0),
      lossPercent: received + lost > 0 ? Math.round((1000 * lost) / (received + lost)) / 10 : 0,
      ...(rtt !== undefined && { rttMs: Math.round(rtt * 1000) }),
      framesDecoded: inbound['framesDecoded'] ?? 0,
    },
    sample: { bytes, at },
  };
}

export function formatStats(s: MediaStats): string {
  const { rttMs, ...figures } = s;
  return t('console.video.stats', figures) + (rttMs !== undefined ? t('console.video.rtt', { rttMs }) : '');
}

/** The figures line while the picture is not live: every figure a dash, never the last values of a picture gone. */
export function blankStats(): string {
  return t('console.video.stats', { kbps: '—', width: '—', height: '—', fps: '—', lossPercent: '—' }).replace(/—\s?%/, '—');
}
