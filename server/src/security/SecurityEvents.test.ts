import { describe, expect, it } from 'vitest';
import { Metrics } from '../metrics/Metrics.js';
import { createLogger } from '../logging.js';
import { SecurityEvents } from './SecurityEvents.js';

describe('SecurityEvents', () => {
  it('logs each event and counts it by kind in /metrics; a throwing observer fails nobody', async () => {
    const written: string[] = [];
    const log = createLogger('info', { write: (line: string) => void written.push(line) });
    const lines = () => written.map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = new SecurityEvents(log);
    const metrics = new Metrics();
    events.on('event', () => {
      throw new Error('observer broke');
    });
    events.on('event', (e) => metrics.onSecurityEvent(e));
    events.record({ kind: 'code_failed', reason: 'unknown_code', key: '2001:db8:1:2::/64' });
    events.record({ kind: 'code_failed', reason: 'expired' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('sightline_security_events_total{kind="code_failed"} 2');
    expect(text).toContain('sightline_security_events_total{kind="login_failed"} 0');
    expect(lines().filter((l) => l['security'] === 'code_failed')).toHaveLength(2);
    expect(lines().some((l) => l['msg'] === 'security event observer failed')).toBe(true);
  });
});
