import type { Publisher } from './Publisher.js';

/**
 * Tells the caller when the network is weak: the encoder is limited by bandwidth, the estimate of
 * available bandwidth is low, or round trips are long. Checked every two seconds.
 */
export function watchQuality(publisher: Publisher, onChange: (weak: boolean) => void): () => void {
  let last: boolean | undefined;
  const timer = setInterval(async () => {
    const report = await publisher.stats().catch(() => undefined);
    if (!report) return;
    let weak = false;
    report.forEach((s: Record<string, unknown>) => {
      if (s['type'] === 'outbound-rtp' && s['qualityLimitationReason'] === 'bandwidth') weak = true;
      if (s['type'] === 'candidate-pair' && s['nominated']) {
        const bitrate = s['availableOutgoingBitrate'] as number | undefined;
        const rtt = s['currentRoundTripTime'] as number | undefined;
        if ((bitrate !== undefined && bitrate < 250_000) || (rtt !== undefined && rtt > 0.6)) weak = true;
      }
    });
    if (weak !== last) onChange((last = weak));
  }, 2000);
  return () => clearInterval(timer);
}
