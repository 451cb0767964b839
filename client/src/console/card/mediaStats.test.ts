import { describe, expect, it } from 'vitest';
import { blankStats, formatStats, readStats } from './mediaStats.js';

function report(entries: Record<string, unknown>[]): RTCStatsReport {
  return new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;
}

describe('readStats', () => {
  it('derives bitrate, resolution, fps, loss and RTT from a stats report', () => {
    const first = readStats(report([{ type: 'inbound-rtp', kind: 'video', bytesReceived: 100_000, timestamp: 1000, packetsLost: 0, packetsReceived: 100 }]));
    const second = readStats(
      report([
        {
          type: 'inbound-rtp',
          kind: 'video',
          bytesReceived: 225_000,
          timestamp: 2000,
          frameWidth: 1280,
          frameHeight: 720,
          framesPerSecond: 29.6,
          packetsLost: 5,
          packetsReceived: 195,
          framesDecoded: 60,
        },
        { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.042 },
      ]),
      first!.sample,
    );
    expect(second!.stats).toEqual({ kbps: 1000, width: 1280, height: 720, fps: 30, lossPercent: 2.5, rttMs: 42, framesDecoded: 60 });
    expect(formatStats(second!.stats)).toBe('1000 kbit/s · 1280×720 · 30 fps · loss 2.5% · RTT 42 ms');
  });

  it('has nothing to say without an inbound video stream', () => {
    expect(readStats(report([{ type: 'transport' }]))).toBeUndefined();
  });
});

describe('blankStats()', () => {
  it('has the figures line shape with every figure a dash and no number', () => {
    const live = formatStats({ kbps: 900, width: 1280, height: 720, fps: 30, lossPercent: 0.5, framesDecoded: 10 });
    expect(blankStats().split(' · ')).toHaveLength(live.split(' · ').length);
    expect(blankStats()).not.toMatch(/\d/);
    expect(blankStats()).toContain('—');
  });
});
