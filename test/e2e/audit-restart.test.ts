import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SessionEvent } from '@sightline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogin, openAuditSession } from '../support/audit.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Sessions survive a restart on the embedded default (issue #14, part 5): a server in memory mode is
 * killed (SIGKILL: a crash, no shutdown), started again on the same DATA_DIR, and a supervisor finds
 * every session in /audit with its log intact; the one that was still going when it died is ended by
 * the server, reason `server_restart`.
 */
let dataDir: string;
let server: TestServer | undefined;
let supervisor: Device | undefined;
const ids = { ended: '', going: '' };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-audit-restart-'));
});

afterAll(async () => {
  await supervisor?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a restart in memory mode', () => {
  it('keeps every session findable in /audit, logs intact, and ends the one that was going with server_restart', async () => {
    const env = { DATA_DIR: dataDir, PORT: String(await freePort()) };
    server = await startServer(env);
    const token = await login(server, 'dispatcher');
    const create = async (incidentRef: string) =>
      (await http('POST', `${server!.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef } })).body.id as string;
    ids.ended = await create('INC-RESTART-1');
    expect((await http('POST', `${server.url}/api/sessions/${ids.ended}/end`, { token })).status).toBe(200);
    ids.going = await create('INC-RESTART-2');

    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    server = await startServer(env);

    supervisor = await launchDevice();
    await supervisor.page.setViewport({ width: 1280, height: 720 });
    const page = supervisor.page;
    await auditLogin(page, server.url);
    await page.type(sel('search-incident'), 'inc-restart');
    await page.click(sel('search-submit'));
    await waitFor('both sessions listed', async () => {
      const rows = await page.$$eval(sel('session-row'), (els) => els.map((e) => e.getAttribute('data-session-id')));
      return rows.includes(ids.ended) && rows.includes(ids.going);
    });
    for (const id of [ids.ended, ids.going]) expect(await openAuditSession(page, id), id).toBe('intact');

    const supervisorToken = await login(server, 'supervisor');
    const going = (await http('GET', `${server.url}/api/sessions/${ids.going}`, { token: supervisorToken })).body as { status: string; events: SessionEvent[] };
    expect(going.status).toBe('ended');
    expect(going.events.find((e) => e.type === 'ended')).toMatchObject({ actor: 'system', details: { reason: 'server_restart' } });
    const ended = (await http('GET', `${server.url}/api/sessions/${ids.ended}`, { token: supervisorToken })).body as { status: string; events: SessionEvent[] };
    expect(ended.events.filter((e) => e.type === 'ended')).toHaveLength(1);
    expect(ended.events.find((e) => e.type === 'ended')?.actor).toMatch(/^dispatcher:/);
    for (const id of [ids.ended, ids.going]) {
      expect((await http('GET', `${server.url}/api/sessions/${id}/verify`, { token: supervisorToken })).body, id).toMatchObject({ intact: true });
    }
  });
});
