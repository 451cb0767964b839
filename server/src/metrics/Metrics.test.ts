import { describe, expect, it } from 'vitest';
import { Metrics } from './Metrics.js';

describe('Metrics', () => {
  it('tracks sessions by status, join latency, reconnects and SMS outcomes from session events', async () => {
    const m = new Metrics();
    const t0 = Date.parse('2026-11-23T08:00:00Z');
    m.onSessionEvent('s1', 'created', 'created', t0);
    m.onSessionEvent('s1', 'sms_sent', 'sms_sent', t0 + 100);
    m.onSessionEvent('s1', 'consent_given', 'consent_given', t0 + 5000);
    m.onSessionEvent('s1', 'live', 'live', t0 + 5400);
    m.onSessionEvent('s1', 'reconnecting', 'reconnecting', t0 + 9000);
    m.onSessionEvent('s1', 'live', 'live', t0 + 9500);
    m.onSessionEvent('s1', 'ended', 'ended', t0 + 20_000);
    m.onSessionEvent('s1', 'ended', 'supervisor_viewed', t0 + 30_000);
    const text = await m.registry.metrics();
    expect(text).toMatch(/sightline_sessions\{status="ended"\} 1\n/);
    expect(text).toMatch(/sightline_sessions\{status="live"\} 0\n/);
    expect(text).toMatch(/sightline_join_seconds_bucket\{le="0.5"\} 1\n/);
    expect(text).toMatch(/sightline_join_seconds_count 1\n/);
    expect(text).toMatch(/sightline_reconnects_total 1\n/);
    expect(text).toMatch(/sightline_sms_total\{outcome="sent"\} 1\n/);
  });

  it('times SMS sent to first frame (seconds) from the first first_frame, and counts sessions ended without video by cause', async () => {
    const m = new Metrics();
    m.onFirstFrame({ producerId: 'p1', msSinceMediaStarted: 300, msSinceSmsSent: 12_500 });
    // A later media start of the same session carries no SMS figure: not timed again.
    m.onFirstFrame({ producerId: 'p2', msSinceMediaStarted: 250 });
    m.onSessionEnded({ cause: 'camera_denied' });
    m.onSessionEnded({ cause: 'camera_denied' });
    m.onSessionEnded({});
    const text = await m.registry.metrics();
    expect(text).toMatch(/sightline_time_to_first_frame_seconds_bucket\{le="10"\} 0\n/);
    expect(text).toMatch(/sightline_time_to_first_frame_seconds_bucket\{le="15"\} 1\n/);
    expect(text).toMatch(/sightline_time_to_first_frame_seconds_count 1\n/);
    expect(text).toMatch(/sightline_video_failures_total\{cause="camera_denied"\} 2\n/);
    // Every cause shows from the start, at 0.
    expect(text).toMatch(/sightline_video_failures_total\{cause="sms_failed"\} 0\n/);
  });
});
