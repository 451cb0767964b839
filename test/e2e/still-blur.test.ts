import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { openConsole } from '../support/flow.js';
import { TINY_JPEG } from '../support/image.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { card } from '../support/session.js';

/**
 * Issue #14, section 4 "Blur": the blur protected the live picture but not the stills. Now every
 * thumbnail, the dispatcher's snapshots and the caller's photos alike, follows the card's blur, with
 * a reveal per still. The console at 1280×720.
 */
let server: TestServer;
let dispatcher: Device;
let c: ReturnType<typeof card>;

async function upload(path: string, token?: string): Promise<void> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg', ...(token && { authorization: `Bearer ${token}` }) },
    body: new Uint8Array(TINY_JPEG),
  });
  expect(res.status, path).toBe(201);
}

beforeAll(async () => {
  server = await startServer();
  const token = await login(server);
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  const id = created.body.id as string;
  const code = String(created.body.inviteUrl).split('/j/')[1]!;
  await upload(`/api/sessions/${id}/snapshots`, token);
  await upload(`/api/sessions/${id}/snapshots`, token);
  // A caller's photo, sent before the tap (a browser that cannot stream).
  await upload(`/api/invites/${code}/photos`);
  dispatcher = await launchDevice();
  await dispatcher.page.setViewport({ width: 1280, height: 720 });
  await openConsole(dispatcher.page, server.url);
  // "Blur new video by default", then a reload: the card is made blurred, stills included.
  await dispatcher.page.click('#blur-default');
  await openConsole(dispatcher.page, server.url);
  c = card(dispatcher.page, id);
  await waitFor('three stills, loaded', () =>
    dispatcher.page.$$eval(c.sel('snapshot-item'), (els) => els.length === 3 && els.every((li) => (li.querySelector('img') as HTMLImageElement).complete)),
  );
}, 60_000);

afterAll(async () => {
  await dispatcher?.close();
  await server?.stop();
});

/** Each still's computed CSS filter, in list order, with its source. */
const filters = () =>
  dispatcher.page.$$eval(c.sel('snapshot-item'), (els) =>
    els.map((li) => ({ source: li.getAttribute('data-source'), filter: getComputedStyle(li.querySelector('img')!).filter })),
  );
/**
 * The card's Blur button. A session without video yet shows no video box (the rail's waiting card),
 * so its toolbar is not on screen: the button is pressed as its keyboard shortcut would.
 */
const toggleBlur = () => dispatcher.page.$eval(c.sel('blur-toggle'), (b) => (b as HTMLButtonElement).click());
const blurred = (f: { filter: string }) => f.filter.includes('blur(');

describe('blur on the stills (1280×720)', () => {
  it('blurs every still, snapshots and caller photos alike, when the picture is blurred', async () => {
    const all = await filters();
    expect(all.map((f) => f.source).sort()).toEqual(['caller', 'dispatcher', 'dispatcher']);
    expect(all.every(blurred), JSON.stringify(all)).toBe(true);
  });

  it('reveals one still and only that one; the blur turned on again covers it again', async () => {
    const reveals = await dispatcher.page.$$(c.sel('snapshot-reveal'));
    await reveals[0]!.click();
    const after = await filters();
    expect(after.map(blurred)).toEqual([false, true, true]);
    expect(await dispatcher.page.$$eval(c.sel('snapshot-reveal'), (els) => els.map((b) => b.getAttribute('aria-pressed')))).toEqual(['true', 'false', 'false']);
    // Off: all clear; on again: all covered, the reveal forgotten.
    await toggleBlur();
    expect((await filters()).some(blurred)).toBe(false);
    await toggleBlur();
    expect((await filters()).every(blurred)).toBe(true);
  });
});
