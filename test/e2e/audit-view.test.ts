import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, type Device } from '../support/browser.js';
import { auditLogin, openAuditSession } from '../support/audit.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The supervisor's view of one session (issue #14, part 5), in a real Chromium: an integrity badge
 * that never cries wolf.
 */
let server: TestServer;
let supervisor: Device;
let ended: string;

beforeAll(async () => {
  server = await startServer();
  const token = await login(server, 'dispatcher');
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-View-7' } });
  expect(created.status).toBe(201);
  ended = created.body.id;
  expect((await http('POST', `${server.url}/api/sessions/${ended}/end`, { token })).status).toBe(200);
  supervisor = await launchDevice();
  await supervisor.page.setViewport({ width: 1280, height: 720 });
  await auditLogin(supervisor.page, server.url);
});

afterAll(async () => {
  await supervisor?.close();
  await server?.stop();
});

describe('the integrity badge', () => {
  it('opening an ended session 20 times never shows "broken" (each view appends its own look while it verifies)', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) seen.push(await openAuditSession(supervisor.page, ended));
    expect(seen.filter((s) => s !== 'intact')).toEqual([]);
    const token = await login(server, 'supervisor');
    expect((await http('GET', `${server.url}/api/sessions/${ended}/verify`, { token })).body).toMatchObject({ intact: true });
  });
});
