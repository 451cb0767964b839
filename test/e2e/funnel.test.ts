import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelResponse, SessionEvent } from '@sightline/shared';
import { framesDecoded, launchDevice, waitFor, type Device } from '../support/browser.js';
import { startFakeTwilio, twilioEnv, type FakeTwilio } from '../support/fakeTwilio.js';
import { callerStartsVideo, dispatcherCreatesSession, openConsole } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card, framesKeepRising } from '../support/session.js';

/**
 * The time-to-video funnel end to end (issue #16 §1): a caller in one Chromium (fake camera) goes
 * live, the dispatcher's consoles in two others show the picture and report its first frame, logged
 * once, and once still after a console comes back; sessions that fail at each other point (the SMS, never
 * opened, opened without consent, camera denied in a third Chromium, unsupported browser, ended
 * before video); then the supervisor's funnel, its CSV export, /metrics and the access log.
 */
let fake: FakeTwilio;
let server: TestServer;
let console_: Device;
let caller: Device;
/** A second console of the same dispatcher, for the first test. */
let second: Device | undefined;
let dispatcherToken: string;
let supervisorToken: string;
const ids: Record<string, string> = {};
const PHONE = '+4791234567';

beforeAll(async () => {
  fake = await startFakeTwilio();
  server = await startServer(twilioEnv(fake));
  [console_, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  dispatcherToken = await login(server, 'dispatcher');
  supervisorToken = await login(server, 'supervisor');
});

afterAll(async () => {
  await Promise.all([console_?.close(), caller?.close(), second?.close()]);
  await server?.stop();
  await fake?.close();
});

const events = async (id: string): Promise<SessionEvent[]> => (await http('GET', `${server.url}/api/sessions/${id}`, { token: dispatcherToken })).body.events;
const firstFrames = async (id: string) => (await events(id)).filter((e) => e.type === 'first_frame');
const end = async (id: string) => expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token: dispatcherToken })).status).toBe(200);
/** A session made over REST (a CAD integration would), its SMS through the fake Twilio. */
const restSession = async (incidentRef: string) => {
  const r = await http('POST', `${server.url}/api/sessions`, { token: dispatcherToken, body: { phone: PHONE, incidentRef } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.id as string, code: String(r.body.inviteUrl).split('/j/')[1]!, inviteUrl: r.body.inviteUrl as string };
};

describe('the time-to-video funnel', () => {
  it('logs the console’s first frame of a media start once, with two consoles open and after one comes back', async () => {
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(console_.page, server.url, { incident: 'INC-FUNNEL-VIDEO' });
    ids['video'] = sessionId;
    const c = card(console_.page, sessionId);
    // A second console of the same dispatcher (another desk, its own browser) shows the same picture and reports it too.
    const other = (second = await launchDevice());
    await openConsole(other.page, server.url);
    await other.page.waitForSelector(`${c.scope}[data-attached="true"]`);
    await c.waitStatus('sms_sent');
    expect((await fake.deliverStatus(fake.messages.at(-1)!, 'delivered', { via: server.url })).status).toBe(204);
    await c.waitStatus('sms_delivered');
    await callerStartsVideo(caller.page, inviteUrl);
    await waitFor('caller live', async () => (await callerStatus(caller.page)).startsWith('live'), 20_000);
    await waitFor(
      'the picture on both consoles',
      async () => (await framesDecoded(console_.page, sessionId)) > 0 && (await framesDecoded(other.page, sessionId)) > 0,
      20_000,
    );
    const [logged] = await waitFor('first_frame logged', async () => {
      const f = await firstFrames(sessionId);
      return f.length ? f : undefined;
    });
    const started = (await events(sessionId)).find((e) => e.type === 'media_started' && e.details?.['kind'] === 'video')!;
    expect(logged!.details).toMatchObject({ producerId: started.details!['producerId'] });
    expect(logged!.actor).toBe('dispatcher:dispatcher');
    console.log(
      `[funnel] first frame: ${logged!.details!['msSinceMediaStarted']} ms after media_started, ${logged!.details!['msSinceSmsSent']} ms after the SMS went out`,
    );

    await other.close();
    // The console reloaded (a new card, a new consumer of the same producer): it reports again, the log keeps one.
    await console_.page.reload();
    await console_.page.waitForSelector(`${c.scope}[data-attached="true"]`);
    await framesKeepRising(console_.page, 10, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await firstFrames(sessionId)).toHaveLength(1);
    await c.end();
    await c.waitStatus('ended');
  });

  it('ends sessions at every other point of the way, each with its failure cause', async () => {
    fake.setMode('invalid_number');
    const smsFailed = await restSession('INC-FUNNEL-SMS');
    fake.setMode('ok');
    const neverOpened = await restSession('INC-FUNNEL-UNOPENED');
    const noConsent = await restSession('INC-FUNNEL-NO-CONSENT');
    const denied = await restSession('INC-FUNNEL-DENIED');
    const unsupported = await restSession('INC-FUNNEL-UNSUPPORTED');
    const beforeVideo = await restSession('INC-FUNNEL-EARLY-END');
    Object.assign(ids, {
      smsFailed: smsFailed.id,
      neverOpened: neverOpened.id,
      noConsent: noConsent.id,
      denied: denied.id,
      unsupported: unsupported.id,
      beforeVideo: beforeVideo.id,
    });

    // A phone whose camera is refused: it opens one link and stops there, taps Start on another.
    await caller.close();
    caller = await launchDevice({ mobile: true, denyCamera: true });
    await caller.browser.defaultBrowserContext().overridePermissions(server.url, []);
    await caller.page.goto(noConsent.inviteUrl);
    await waitFor('link_opened', async () => (await events(noConsent.id)).some((e) => e.type === 'link_opened'));
    await callerStartsVideo(caller.page, denied.inviteUrl);
    await waitFor('camera_denied', async () => (await callerStatus(caller.page)).startsWith('camera_denied'));
    // A browser that cannot stream reports so as its page loads (the unsupported-browser e2e drives the page itself).
    expect(
      (await http('POST', `${server.url}/api/invites/${unsupported.code}/opened`, { body: { browser: 'other', unsupported: 'no_peer_connection' } })).status,
    ).toBe(204);
    // Consent over REST (the tap's redeem), then the end before any camera.
    expect((await http('POST', `${server.url}/api/invites/${beforeVideo.code}/redeem`, {})).status).toBe(200);
    for (const s of [smsFailed, neverOpened, noConsent, denied, unsupported, beforeVideo]) await end(s.id);
  });

  it('answers the supervisor the funnel: reached per stage, times from the SMS, every failure cause', async () => {
    const res = await http('GET', `${server.url}/api/analytics/funnel?from=${new Date().toISOString().slice(0, 10)}`, { token: supervisorToken });
    expect(res.status).toBe(200);
    const f = res.body as FunnelResponse;
    const reached = Object.fromEntries(f.stages.map((s) => [s.name, s.reached]));
    expect(f.sessions).toBe(7);
    expect(reached).toEqual({ created: 7, sms_sent: 6, sms_delivered: 1, link_opened: 5, consent_given: 3, camera_granted: 1, first_frame: 1 });
    expect(f.failures).toEqual({
      sms_failed: 1,
      never_opened: 1,
      consent_declined: 1,
      camera_denied: 1,
      browser_unsupported: 1,
      network_failure: 0,
      ended_before_video: 1,
      other: 0,
    });
    const frame = f.stages.find((s) => s.name === 'first_frame')!;
    expect(frame.p50Ms).toBeGreaterThan(0);
    expect(frame.p50Ms).toBe(frame.p90Ms);
    expect(f.weeks.reduce((n, w) => n + w.withVideo, 0)).toBe(1);
    expect(f.synthetic).toBe(0);
    console.log(`[funnel] sessions ${f.sessions}; stages (reached, p50/p90 ms from SMS sent):`);
    for (const s of f.stages) console.log(`[funnel]   ${s.name.padEnd(15)} ${String(s.reached).padStart(2)}  ${s.p50Ms ?? '—'} / ${s.p90Ms ?? '—'}`);
    console.log(`[funnel] failures ${JSON.stringify(f.failures)}`);

    const mine = await http('GET', `${server.url}/api/analytics/funnel?dispatcher=nobody`, { token: supervisorToken });
    expect(mine.body.sessions).toBe(0);
    expect((await http('GET', `${server.url}/api/analytics/funnel`, { token: dispatcherToken })).status).toBe(403);
  });

  it('exports one anonymised CSV row per session: no phone number, username, incident or session id', async () => {
    const res = await fetch(`${server.url}/api/analytics/sessions.csv`, { headers: { authorization: `Bearer ${supervisorToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    const text = await res.text();
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(7);
    const body = text.slice(text.indexOf('\r\n'));
    for (const secret of [...Object.values(ids), PHONE, PHONE.slice(3), 'INC-FUNNEL', 'dispatcher', 'supervisor']) expect(body).not.toContain(secret);
    expect(rows.filter((r) => r['outcome'] === 'video')).toHaveLength(1);
    expect(rows.map((r) => r['failure_cause']).sort()).toEqual([
      '',
      'browser_unsupported',
      'camera_denied',
      'consent_declined',
      'ended_before_video',
      'never_opened',
      'sms_failed',
    ]);
    // Stable: the same session has the same pseudonym in the next export.
    const again = parse(await (await fetch(`${server.url}/api/analytics/sessions.csv`, { headers: { authorization: `Bearer ${supervisorToken}` } })).text(), {
      columns: true,
    }) as Record<string, string>[];
    expect(again.map((r) => r['session']).sort()).toEqual(rows.map((r) => r['session']).sort());
    expect((await http('GET', `${server.url}/api/analytics/sessions.csv`, { token: dispatcherToken })).status).toBe(403);
  });

  it('shows the time to first frame and the failures by cause in /metrics, and both accesses in the access log', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sightline_time_to_first_frame_seconds_count 1\n/);
    for (const cause of ['sms_failed', 'never_opened', 'consent_declined', 'camera_denied', 'browser_unsupported', 'ended_before_video'])
      expect(metrics).toContain(`sightline_video_failures_total{cause="${cause}"} 1\n`);
    expect(metrics).toContain('sightline_video_failures_total{cause="network_failure"} 0\n');

    const access = await http('GET', `${server.url}/api/audit/access`, { token: supervisorToken });
    const records = access.body.records as { type: string; actor: string; details?: { query?: Record<string, string>; sessions?: number } }[];
    const viewed = records.filter((r) => r.type === 'analytics_viewed');
    const exported = records.filter((r) => r.type === 'analytics_exported');
    expect(viewed.map((r) => r.details?.query)).toEqual([{ from: new Date().toISOString().slice(0, 10) }, { dispatcher: 'nobody' }]);
    expect(viewed[0]).toMatchObject({ actor: 'supervisor:supervisor', details: { sessions: 7 } });
    expect(exported).toHaveLength(2);
    expect(access.body.integrity.intact).toBe(true);
  });
});
