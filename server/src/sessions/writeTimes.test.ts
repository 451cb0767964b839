import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '@sightline/shared';
import { AuditLogs } from '../audit/AuditLogs.js';
import { Metrics } from '../metrics/Metrics.js';
import type { SmsProvider } from '../sms/SmsProvider.js';
import { sessionServices } from '../testing/sessionServices.js';
import type { EventWriteTimes } from './SessionService.js';

const sms = { name: 'console', send: async () => ({}) } as unknown as SmsProvider;

/**
 * The consent record's write is a step of the caller's time to first frame (issue #12, item 1):
 * each event's write is told in parts (queued, store, log), and each log append's fdatasync apart.
 */
describe('event write times', () => {
  it('tells where each write spent its time: a slow log shows in the log part, and the metrics take it by type', async () => {
    const log = {
      appendSession: () => new Promise<void>((r) => setTimeout(r, 40)),
      readSession: async (): Promise<SessionEvent[]> => [],
    };
    const { sessions, invites } = sessionServices({ sms, sessions: { eventLog: log } });
    const written: [string, EventWriteTimes][] = [];
    const metrics = new Metrics();
    sessions.on('written', (_id, type, times) => {
      written.push([type, times]);
      metrics.onEventWritten(type, times);
    });
    const s = await invites.create('disp', { phone: '+4791234567' });
    await invites.redeem(s.inviteCode);

    const consent = written.find(([type]) => type === 'consent_given')?.[1];
    expect(consent).toBeDefined();
    // The log held each write 40 ms (timers may fire a little early, never much).
    expect(consent!.logMs).toBeGreaterThanOrEqual(35);
    expect(consent!.storeMs).toBeGreaterThanOrEqual(0);
    expect(consent!.queuedMs).toBeGreaterThanOrEqual(0);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/sightline_event_write_seconds_count\{type="consent_given",part="log"\} 1\n/);
    expect(text).toMatch(/sightline_event_write_seconds_count\{type="other",part="store"\} [1-9]/);
  });

  it('reports each hash-chained append with its fdatasync time', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'write-times-'));
    try {
      const audit = new AuditLogs(dir);
      const appended: { logId: string; seq: number; syncMs: number }[] = [];
      audit.on('appended', (a) => appended.push(a));
      const event = { type: 'consent_given', at: new Date().toISOString(), actor: 'caller' } as const;
      await audit.appendSession('sess-0001', event, false);
      await audit.appendSession('sess-0001', event, false);
      expect(appended.map((a) => [a.logId, a.seq])).toEqual([
        ['sess-0001', 1],
        ['sess-0001', 2],
      ]);
      expect(appended.every((a) => a.syncMs >= 0)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
