import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Ack, EidoDocument, SessionEvent } from '@sightline/shared';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { danglingRefs, eidoErrors } from '../../server/src/testing/eido.js';
import { launchDevice, waitFor } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { http, REPO_ROOT, startServer, type TestServer } from '../support/server.js';
import { TestSockets } from '../support/sockets.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver.js';

/**
 * Issue #16 §3 over the real server: a session made over REST, its caller and dispatcher on their own
 * sockets (chat, a preset, a location), then `GET /api/sessions/:id/eido` as its dispatcher, as a
 * supervisor (logged) and as another dispatcher (403). The document is checked against the schema
 * written from NENA's EIDO schema (server/src/testing/eido.ts); its view-only link opens the viewer
 * page while the session is live and is refused after the end; and EIDO_WEBHOOK (set alone, with
 * WEBHOOK_SECRET) receives the ended session's document once, with a valid Standard Webhooks signature.
 */
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const PHONE = '+4791234567';
const staff = { kari: ['dispatcher', 'kari-password-123'], ola: ['dispatcher', 'ola-password-123'], sue: ['supervisor', 'sue-password-123'] } as const;
const tokens: Record<string, string> = {};
const sockets = new TestSockets();
let dataDir: string;
let server: TestServer;
let receiver: WebhookReceiver;

function userAdd(name: string, role: string, password: string) {
  const { REDIS_URL: _none, ...env } = process.env;
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'server/bin/sightline.js'), 'user', 'add', name, '--role', role], {
    cwd: REPO_ROOT,
    input: `${password}\n`,
    encoding: 'utf8',
    env: { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
}

async function acked(s: Socket, name: string, payload: unknown): Promise<void> {
  const ack = (await s.timeout(10_000).emitWithAck(name, payload)) as Ack<unknown>;
  if (!ack.ok) throw new Error(`${name} refused: ${ack.error.code} ${ack.error.message}`);
}

const eido = (id: string, who: string) => http('GET', `${server.url}/api/sessions/${id}/eido`, { token: tokens[who] });
const codeOf = (link: string) => link.slice(link.lastIndexOf('/j/') + 3);

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-eido-'));
  for (const [name, [role, password]] of Object.entries(staff)) {
    const r = userAdd(name, role, password);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }
  const eidoUrl = receiver.url('/eido');
  server = await startServer({ DATA_DIR: dataDir, EIDO_WEBHOOK: eidoUrl, WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_BASE_SECONDS: '0.5' });
  for (const [name, [, password]] of Object.entries(staff)) {
    tokens[name] = (await http('POST', `${server.url}/api/auth/login`, { body: { username: name, password } })).body.token as string;
  }
}, 60_000);

afterAll(async () => {
  sockets.closeAll();
  await server?.stop();
  await receiver?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('EIDO export', () => {
  it('answers its dispatcher and supervisors with a valid EIDO, whose view-only link works while live and not after; EIDO_WEBHOOK gets it at the end, signed', async () => {
    const made = await http('POST', `${server.url}/api/sessions`, { token: tokens['kari'], body: { phone: PHONE, incidentRef: 'CAD-EIDO-7' } });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    const caller = (await http('POST', `${server.url}/api/invites/${codeOf(made.body.inviteUrl as string)}/redeem`)).body.token as string;
    const [phone, console_] = [await sockets.connect(server.url, caller), await sockets.connect(server.url, tokens['kari']!)];
    for (const s of [phone, console_]) await acked(s, 'session:join', { sessionId: id });
    await acked(console_, 'chat:send', { sessionId: id, text: 'Hold the phone steady.', presetId: 'hold_steady' });
    await acked(phone, 'chat:send', { sessionId: id, text: 'He is breathing <slowly>' });
    await acked(phone, 'caller:location', { sessionId: id, lat: 59.91273, lng: 10.74609, accuracy: 12 });

    // Its dispatcher: a valid document, the caller's circle, the chat, a view-only link.
    const first = await eido(id, 'kari');
    expect(first.status).toBe(200);
    const doc = first.body as EidoDocument;
    expect(eidoErrors(doc)).toEqual([]);
    expect(danglingRefs(doc as unknown as Record<string, unknown>)).toEqual([]);
    expect(doc.$id).toMatch(/^urn:emergency:uid:incidentid:CADEIDO7:/);
    expect(doc.callComponent![0]!.callStateRegistryText).toBe('callAnswered');
    expect(doc.locationComponent![0]!.locationByValue).toContain(
      '<gml:pos>59.91273 10.74609</gml:pos><gs:radius uom="urn:ogc:def:uom:EPSG::9001">12</gs:radius>',
    );
    expect(doc.notesComponent!.map((n) => n.notesActionComments)).toEqual([
      '<p><b>Dispatcher</b>: Hold the phone steady. (preset)</p>',
      '<p><b>Caller</b>: He is breathing &lt;slowly&gt;</p>',
    ]);
    const link = doc.mediaComponent![0]!.uri;
    expect(link).toMatch(/^https?:\/\/[^/]+\/j\/[A-Za-z0-9_-]+$/);
    const json = JSON.stringify(doc);
    expect(json).not.toContain(PHONE.slice(3));
    expect(json).not.toContain(caller);
    expect(json).not.toContain(tokens['kari']);

    // A supervisor, who may not invite viewers, gets the session in /audit instead of a live link, and
    // the look is logged; another dispatcher is refused.
    const bySupervisor = await eido(id, 'sue');
    expect(bySupervisor.status).toBe(200);
    expect((bySupervisor.body as EidoDocument).mediaComponent![0]!.uri).toMatch(new RegExp(`/audit\\?session=${id}$`));
    expect(JSON.stringify(bySupervisor.body)).not.toContain(codeOf(link));
    expect((await eido(id, 'ola')).status).toBe(403);
    const events = (await http('GET', `${server.url}/api/sessions/${id}`, { token: tokens['kari'] })).body.events as SessionEvent[];
    expect(events.filter((e) => e.type === 'viewer_invited').map((e) => e.details)).toEqual([{ reason: 'eido' }]);
    expect(events.some((e) => e.type === 'supervisor_viewed' && e.details?.['what'] === 'eido' && e.actor === 'supervisor:sue')).toBe(true);

    // The link opens the viewer page while live: the page, and its invite is a viewer's, and lets a browser in.
    const code = codeOf(link);
    const page = await fetch(`${server.url}/j/${code}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await http('GET', `${server.url}/api/invites/${code}`)).body).toMatchObject({ role: 'viewer', valid: true });
    const viewer = await http('POST', `${server.url}/api/invites/${code}/redeem`);
    expect(viewer.status).toBe(200);
    expect(viewer.body.role).toBe('viewer');
    // Used (one browser): the next document carries a fresh link, which dies with the session.
    const fresh = codeOf(((await eido(id, 'kari')).body as EidoDocument).mediaComponent![0]!.uri);
    expect(fresh).not.toBe(code);
    expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token: tokens['kari'] })).status).toBe(200);
    expect((await http('GET', `${server.url}/api/invites/${fresh}`)).body).toMatchObject({ valid: false, reason: 'ended' });
    expect((await http('POST', `${server.url}/api/invites/${fresh}/redeem`)).status).toBe(410);

    // Ended: the link goes to the session in /audit, and the call has ended.
    const after = (await eido(id, 'kari')).body as EidoDocument;
    expect(eidoErrors(after)).toEqual([]);
    expect(after.mediaComponent![0]!.uri).toMatch(new RegExp(`/audit\\?session=${id}$`));
    expect(after.callComponent![0]!.callStateRegistryText).toBe('callEnd');

    // EIDO_WEBHOOK: the ended session's document, once, signed with WEBHOOK_SECRET (standardwebhooks verifies it).
    await waitFor('the EIDO webhook', async () => receiver.received.length > 0, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(receiver.received[0]!.id).toMatch(new RegExp(`^msg_${id}_\\d+_eido$`));
    const posted = JSON.parse(receiver.received[0]!.raw) as EidoDocument;
    expect(eidoErrors(posted)).toEqual([]);
    expect(posted.$id).toBe(doc.$id);
    expect(posted.mediaComponent![0]!.uri).toBe(after.mediaComponent![0]!.uri);
    expect(posted.callComponent![0]!.callStateRegistryText).toBe('callEnd');
    expect(posted.notesComponent).toHaveLength(2);
    expect(receiver.received[0]!.raw).not.toContain(PHONE.slice(3));

    // The ended session's link opens that session in /audit once a supervisor has logged in.
    const device = await launchDevice();
    try {
      await device.page.goto(after.mediaComponent![0]!.uri.replace(/^https?:\/\/[^/]+/, server.url));
      await device.page.waitForSelector(sel('login-username'), { visible: true });
      await device.page.type(sel('login-username'), 'sue');
      await device.page.type(sel('login-password'), staff.sue[1]);
      await device.page.click(sel('login-submit'));
      expect(
        await waitFor('log integrity shown', () => device.page.$eval(sel('log-integrity'), (el) => el.textContent ?? '').catch(() => undefined)),
      ).toContain('intact');
      expect(await device.page.$eval('#detail h2', (el) => el.textContent)).toBe(`CAD-EIDO-7 · ${id}`);
    } finally {
      await device.close();
    }
  }, 90_000);
});
