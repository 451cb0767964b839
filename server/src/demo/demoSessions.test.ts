import { canTransition, FUNNEL_STAGES, isSessionStatus, isSmsPhase, SESSION_EVENT_TYPES, type SessionStatus } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { sessionFunnel } from '../analytics/sessionFunnel.js';
import { DEMO_DISPATCHERS, DEMO_OUTCOME_SHARES, demoSessions, type DemoEvent, type DemoSession } from './demoSessions.js';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const ms = (e: DemoEvent) => Date.parse(e.at);
const first = (s: DemoSession, type: string) => s.events.find((e) => e.type === type);

/**
 * The failure cause of a session without video, in the order shared/src/analytics/funnel.ts gives
 * (the first that fits), written here from that docstring so the generator is checked against the
 * rule and not against itself.
 */
function causeOf(s: DemoSession): string {
  const has = (t: string) => s.events.some((e) => e.type === t);
  if (has('first_frame')) return 'video';
  if (has('sms_failed') && !has('link_opened')) return 'sms_failed';
  if (!has('link_opened')) return 'never_opened';
  if (has('browser_unsupported')) return 'browser_unsupported';
  if (!has('consent_given')) return 'consent_declined';
  if (has('camera_denied') && !has('camera_granted')) return 'camera_denied';
  if (has('camera_granted')) return 'network_failure';
  return 'ended_before_video';
}

describe('demoSessions', () => {
  it('is the same for the same seed, and another for another seed', () => {
    const a = demoSessions({ sessions: 50, seed: 7, now: NOW });
    expect(demoSessions({ sessions: 50, seed: 7, now: NOW })).toEqual(a);
    const b = demoSessions({ sessions: 50, seed: 8, now: NOW });
    expect(b.map((s) => s.id)).not.toEqual(a.map((s) => s.id));
    expect(new Set(a.map((s) => s.id)).size).toBe(50);
  });

  it('writes each session as the server logs one: valid events in time order, lifecycle forward, stages in order, ended last', () => {
    for (const s of demoSessions({ sessions: 400, seed: 1, now: NOW })) {
      expect(s.events[0]!.type).toBe('created');
      expect(s.events.at(-1)!.type).toBe('ended');
      let status: SessionStatus = 'created';
      for (const [i, e] of s.events.entries()) {
        expect(SESSION_EVENT_TYPES).toContain(e.type);
        if (i > 0) expect(ms(e)).toBeGreaterThanOrEqual(ms(s.events[i - 1]!));
        if (i > 0 && isSessionStatus(e.type)) {
          // The SMS phase follows the newest message (SmsDispatch), the rest only moves forward.
          expect(canTransition(status, e.type) || (isSmsPhase(status) && isSmsPhase(e.type)), `${s.id}: ${status} → ${e.type}`).toBe(true);
          status = e.type;
        }
      }
      const reached = FUNNEL_STAGES.map((stage) => first(s, stage)).filter((e) => e !== undefined);
      expect(reached.map((e) => e.type)).toEqual(FUNNEL_STAGES.slice(0, reached.length));
      expect(reached.map(ms)).toEqual([...reached.map(ms)].sort((x, y) => x - y));
      expect(causeOf(s)).toBe(s.outcome);
      // And as the server's funnel reads it (what /audit shows): the generator's outcome, not another cause.
      const funnel = sessionFunnel(s.events.map((e, i) => ({ ...e, seq: i + 1 })));
      expect(funnel.cause ?? (funnel.outcome === 'video' ? 'video' : funnel.outcome), s.id).toBe(s.outcome);
      const frame = first(s, 'first_frame');
      if (frame) {
        // As FirstFrames logs it: the producer media_started named, times since it and since the SMS.
        const started = first(s, 'media_started')!;
        expect(frame.details).toEqual({
          producerId: started.details?.['producerId'],
          msSinceMediaStarted: ms(frame) - ms(started),
          msSinceSmsSent: ms(frame) - ms(first(s, 'sms_sent')!),
        });
      }
    }
  });

  it('marks every session synthetic and uses fictional numbers only (Ofcom drama range, masked as the server masks)', () => {
    for (const s of demoSessions({ sessions: 100, seed: 3, now: NOW })) {
      const created = s.events[0]!;
      expect(created.details).toMatchObject({ synthetic: true, generator: 'sightline demo-data', seed: 3 });
      expect(created.details?.['phone']).toMatch(/^\+44\*{7}\d{3}$/);
      expect(created.actor).toBe(`dispatcher:${s.dispatcher}`);
      expect(String(created.details?.['incidentRef'])).toMatch(/^DEMO-/);
      expect(JSON.stringify(s.events)).not.toMatch(/\+\d{5,}/); // no number unmasked
    }
  });

  it('spreads sessions over the last ten weeks, mostly daytime, among a few dispatchers, every one ended before now', () => {
    const all = demoSessions({ sessions: 2000, seed: 11, now: NOW });
    const created = all.map((s) => Date.parse(s.createdAt));
    expect(Math.min(...created)).toBeGreaterThanOrEqual(NOW.getTime() - 70 * 86_400_000);
    expect(Math.max(...all.map((s) => ms(s.events.at(-1)!)))).toBeLessThan(NOW.getTime());
    expect(created).toEqual([...created].sort((x, y) => x - y));
    const per = new Map(DEMO_DISPATCHERS.map((d) => [d, all.filter((s) => s.dispatcher === d).length]));
    for (const n of per.values()) expect(n).toBeGreaterThan(100);
    const day = all.filter((s) => {
      const h = new Date(s.createdAt).getUTCHours();
      return h >= 7 && h < 23;
    }).length;
    expect(day / all.length).toBeGreaterThan(0.75);
    // Uptake grows: the last four weeks hold more sessions than the first four.
    const weekOf = (t: number) => Math.floor((NOW.getTime() - t) / (7 * 86_400_000));
    expect(created.filter((t) => weekOf(t) < 4).length).toBeGreaterThan(created.filter((t) => weekOf(t) >= 6).length);
  });

  it('gives outcomes roughly in the intended shares, and most video within 20–90 s of the SMS', () => {
    const all = demoSessions({ sessions: 3000, seed: 5, now: NOW });
    for (const [outcome, share] of Object.entries(DEMO_OUTCOME_SHARES)) {
      const got = all.filter((s) => s.outcome === outcome).length / all.length;
      expect(Math.abs(got - share), `${outcome}: ${got.toFixed(3)} vs ${share}`).toBeLessThan(Math.max(0.02, share * 0.4));
    }
    const toVideo = all
      .filter((s) => s.outcome === 'video')
      .map((s) => (ms(first(s, 'first_frame')!) - ms(first(s, 'sms_sent')!)) / 1000)
      .sort((x, y) => x - y);
    const within = toVideo.filter((t) => t >= 20 && t <= 90).length / toVideo.length;
    expect(within).toBeGreaterThan(0.75);
    const median = toVideo[Math.floor(toVideo.length / 2)]!;
    expect(median).toBeGreaterThan(25);
    expect(median).toBeLessThan(60);
  });
});
