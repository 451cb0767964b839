import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../client/src/caller/i18n/en.js';
import { nb } from '../../client/src/caller/i18n/nb.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { dispatcherCreatesSession, sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card, framesKeepRising } from '../support/session.js';
import { pidWithArg } from '../../server/src/testing/processes.js';

/**
 * What the caller page tells the caller about the call itself: the recording policy at consent,
 * "● REC" exactly while a recording runs, and a weak-network notice while the uplink is poor.
 * Sessions here speak bokmål (the default), so the texts are the bokmål ones.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-indicators-'));
  server = await startServer({ RECORDING_POLICY: 'on-demand', DATA_DIR: dataDir });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  await caller.page.evaluateOnNewDocument(KEEP_PEER_CONNECTIONS);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Keeps the page's peer connections in reach of the test (the product is not changed). */
const KEEP_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
})();`;

/** Sets a bitrate ceiling on the newest peer connection's video sender; resolves with the ceilings it replaced. */
async function capUplink(page: Page, ceilings: number | (number | null)[]): Promise<(number | null)[]> {
  return page.evaluate(async (want) => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const sender = pcs[pcs.length - 1]?.getSenders().find((s) => s.track?.kind === 'video');
    if (!sender) throw new Error('no video sender on the caller page');
    const params = sender.getParameters();
    const before = params.encodings.map((e) => e.maxBitrate ?? null);
    params.encodings.forEach((e, i) => {
      const bps = Array.isArray(want) ? want[i] : want;
      if (bps === null || bps === undefined) delete e.maxBitrate;
      else e.maxBitrate = bps;
    });
    await sender.setParameters(params);
    return before;
  }, ceilings);
}

/** Runs `fn` with the caller's whole browser stopped (a hung phone: no RTP, no key frame), then lets it go. */
async function withCallerFrozen(fn: () => Promise<void>): Promise<void> {
  const phone = -caller.browser.process()!.pid!;
  process.kill(phone, 'SIGSTOP');
  try {
    await fn();
  } finally {
    process.kill(phone, 'SIGCONT');
  }
}

/** The recording segment ends on the console's timeline, in order. */
async function recordingEnds(c: ReturnType<typeof card>): Promise<string[]> {
  return (await c.timeline()).filter((type) => type === 'recording_ended' || type === 'recording_failed');
}

/** SIGKILLs the ffmpeg recording segment `segment` of the card's session (the server logs recording_failed). */
async function killRecorder(c: ReturnType<typeof card>, segment: number): Promise<void> {
  const sessionId = c.scope.match(/data-session-id="([^"]+)"/)![1]!;
  const file = path.join(dataDir, 'sessions', sessionId, 'recordings', `segment-${String(segment).padStart(4, '0')}.mkv`);
  process.kill(await pidWithArg(file), 'SIGKILL');
  await waitFor('recording_failed on the timeline', async () => (await recordingEnds(c)).length === segment, 10_000);
}

const shown = (page: Page, testid: string) =>
  page.$eval(sel(testid), (el) => ({
    visible: !(el as HTMLElement).hidden && el.getBoundingClientRect().height > 0,
    text: el.textContent ?? '',
    data: { ...(el as HTMLElement).dataset },
  }));

/** Opens the invite and waits for the consent screen to state the policy (the tap has not happened). */
async function consentNotice(page: Page, inviteUrl: string): Promise<string> {
  await page.goto(inviteUrl);
  await page.waitForSelector(`${sel('start-video')}:not([disabled])`);
  return waitFor('the recording notice', async () => (await shown(page, 'recording-notice')).text || undefined);
}

async function startAndGoLive(page: Page): Promise<void> {
  await page.click(sel('start-video'));
  await waitFor('caller live', async () => (await callerStatus(page)).startsWith('live'), 20_000);
}

describe('recording on demand', () => {
  let c: ReturnType<typeof card>;

  it('states the policy at consent, and shows ● REC only while the dispatcher records', async () => {
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
    c = card(dispatcher.page, sessionId);
    expect(await consentNotice(caller.page, inviteUrl)).toBe(nb.recording['on-demand']);
    expect((await shown(caller.page, 'recording-indicator')).visible).toBe(false);
    await startAndGoLive(caller.page);
    await c.waitStatus('live');
    await framesKeepRising(dispatcher.page);
    expect((await shown(caller.page, 'recording-indicator')).visible).toBe(false);

    await dispatcher.page.click(c.sel('record-button'));
    await waitFor('recording on the console', () => dispatcher.page.$eval(c.sel('record-button'), (el) => el.getAttribute('aria-pressed') === 'true'));
    const rec = await waitFor('● REC on the caller page', async () => {
      const s = await shown(caller.page, 'recording-indicator');
      return s.visible ? s : undefined;
    });
    expect(rec.text.startsWith('● REC')).toBe(true);
    // A few seconds on record, as a dispatcher would (a segment stopped within a second of its start
    // holds no playable media and ends as recording_failed, a different path).
    await framesKeepRising(dispatcher.page, 60);

    await dispatcher.page.click(c.sel('record-button'));
    await waitFor('recording stopped on the console', () => dispatcher.page.$eval(c.sel('record-button'), (el) => el.getAttribute('aria-pressed') === 'false'));
    await waitFor('recording_ended on the timeline', async () => (await c.timeline()).includes('recording_ended'));
    await waitFor('● REC gone from the caller page', async () => !(await shown(caller.page, 'recording-indicator')).visible);
  });

  it('drops ● REC when a segment fails (recording_failed), and shows it only once media is really recorded', async () => {
    await dispatcher.page.click(c.sel('record-button'));
    await waitFor('● REC on the caller page', async () => (await shown(caller.page, 'recording-indicator')).visible);
    // The phone hangs, and the segment's ffmpeg dies: recording_failed. The next segment the server
    // starts gets no key frame from the hung phone, and the dispatcher stops it before one comes: it
    // fails too, and never counts as started. Only failures follow the last recording_started.
    await withCallerFrozen(async () => {
      await killRecorder(c, 2);
      await dispatcher.page.click(c.sel('record-button'));
      await waitFor('the retried segment failed', async () => (await recordingEnds(c)).length === 3, 15_000);
    });
    expect(await recordingEnds(c)).toEqual(['recording_ended', 'recording_failed', 'recording_failed']);
    expect((await c.timeline()).filter((t) => t === 'recording_started')).toHaveLength(2);
    await waitFor('● REC gone from the caller page', async () => !(await shown(caller.page, 'recording-indicator')).visible, 5_000);
    expect(await dispatcher.page.$eval(c.sel('record-button'), (el) => el.getAttribute('aria-pressed'))).toBe('false');
    expect((await shown(dispatcher.page, 'recording-failed-banner')).visible).toBe(true);
    await framesKeepRising(dispatcher.page);
  });

  it('shows the weak-network notice while the uplink is poor, and drops it when it recovers', async () => {
    expect((await shown(caller.page, 'connection-quality')).visible).toBe(false);
    // The uplink squeezed to 60 kbit/s at the phone's video sender, which is what its congestion
    // control does on a poor network. (DevTools network emulation would be the obvious tool, but
    // it does not reach WebRTC traffic in Chromium: tried, the video went on untouched.)
    const own = await capUplink(caller.page, 60_000);
    expect(own[0]).toBeGreaterThan(250_000);
    try {
      const weak = await waitFor(
        'the weak-network notice',
        async () => {
          const s = await shown(caller.page, 'connection-quality');
          return s.visible ? s : undefined;
        },
        30_000,
        250,
      );
      expect(weak.text).toBe(nb.status.weak);
      expect(weak.data['quality']).toBe('weak');
      // The call goes on meanwhile.
      expect(await callerStatus(caller.page)).toMatch(/^live/);
    } finally {
      await capUplink(caller.page, own);
    }
    // The encoder climbs back to full resolution over some seconds; the notice goes when it is there.
    const good = await waitFor(
      'the notice to go',
      async () => {
        const s = await shown(caller.page, 'connection-quality');
        return s.visible ? undefined : s;
      },
      90_000,
      250,
    );
    expect(good.data['quality']).toBe('good');
    await framesKeepRising(dispatcher.page);
  });
});

describe('the other recording policies', () => {
  async function sessionOn(policy: 'always' | 'off'): Promise<{ other: TestServer; token: string; sessionId: string; inviteUrl: string }> {
    const other = await startServer({ RECORDING_POLICY: policy });
    const token = await login(other);
    const r = await http('POST', `${other.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    expect(r.status).toBe(201);
    return { other, token, sessionId: r.body.id as string, inviteUrl: r.body.inviteUrl as string };
  }

  it("/c states the centre's own policy before a code can be sent (its redemption is the consent)", async () => {
    const policies = ['on-demand', 'always', 'off'] as const;
    const notices: string[] = [];
    for (const policy of policies) {
      const other = policy === 'on-demand' ? server : await startServer({ RECORDING_POLICY: policy });
      try {
        await caller.page.goto(`${other.url}/c`);
        await caller.page.waitForSelector(`${sel('code-submit')}:not([disabled])`);
        // No session yet, so the page speaks the browser's language (English here).
        expect(await caller.page.$eval('html', (el) => el.lang)).toBe('en');
        const notice = (await shown(caller.page, 'recording-notice')).text;
        expect(notice, policy).toBe(en.recording[policy]);
        notices.push(notice);
      } finally {
        if (other !== server) await other.stop();
      }
    }
    expect(new Set(notices).size).toBe(3);
  });

  it('always: says every video is recorded, and shows ● REC once live without anyone asking', async () => {
    const { other, inviteUrl } = await sessionOn('always');
    try {
      const notice = await consentNotice(caller.page, inviteUrl);
      expect(notice).toBe(nb.recording.always);
      expect(notice).not.toBe(nb.recording['on-demand']);
      await startAndGoLive(caller.page);
      await waitFor('● REC on the caller page', async () => (await shown(caller.page, 'recording-indicator')).visible);
    } finally {
      await other.stop();
    }
  });

  it('off: says nothing is recorded, and a request to record is refused with no ● REC', async () => {
    const { other, token, sessionId, inviteUrl } = await sessionOn('off');
    try {
      const notice = await consentNotice(caller.page, inviteUrl);
      expect(notice).toBe(nb.recording.off);
      expect(notice).not.toBe(nb.recording['on-demand']);
      expect(notice).not.toBe(nb.recording.always);
      await startAndGoLive(caller.page);
      const r = await http('POST', `${other.url}/api/sessions/${sessionId}/recording`, { token, body: { action: 'start' } });
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect((await shown(caller.page, 'recording-indicator')).visible).toBe(false);
    } finally {
      await other.stop();
    }
  });
});
