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
});
