import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddedJpeg } from '../support/image.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The caller's photo routes take images from the public: before the tap on the strength of the
 * unspent invite alone (anyone who has the link: a previewer, a forwarded SMS), after it with the
 * caller's token. The page sends JPEGs it scaled to at most 900 kB (client/src/caller/photo.ts), a
 * handful per call. A script must not fill the disk and the dispatcher's card with them (found by
 * hand: 40 uploads of 12 MB in 22 s, 455 MB in one session).
 */
let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
});

afterAll(async () => {
  await server?.stop();
});

/** A real JPEG of `bytes` (padded with comments): the server decodes every still. */
function jpeg(bytes: number): Blob {
  return new Blob([new Uint8Array(paddedJpeg(bytes))], { type: 'image/jpeg' });
}

async function upload(url: string, bytes: number, bearer?: string): Promise<{ status: number; retryAfter: string | null }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg', ...(bearer && { authorization: `Bearer ${bearer}` }) },
    body: jpeg(bytes),
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

async function newInvite(): Promise<{ id: string; code: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  expect(r.status).toBe(201);
  return { id: r.body.id, code: String(r.body.inviteUrl).split('/j/')[1]! };
}

describe('caller photos: a flood is refused', () => {
  it('takes what the page sends, refuses a body far above it, and refuses a stream of photos on the unspent invite', async () => {
    const { id, code } = await newInvite();
    const url = `${server.url}/api/invites/${code}/photos`;
    expect((await upload(url, 900_000)).status, 'the largest photo the page sends').toBe(201);
    expect((await upload(url, 6_000_000)).status, 'a raw camera file the page never sends').toBe(413);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await upload(url, 20_000)).status);
    const refused = statuses.indexOf(429);
    expect(refused, 'a flood meets a limit').toBeGreaterThan(0);
    expect(
      statuses.slice(0, refused).every((s) => s === 201),
      'photos before the limit are taken',
    ).toBe(true);
    expect((await upload(url, 20_000)).retryAfter, 'the refusal says when to try again').toMatch(/^\d+$/);
    const detail = (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body as { events: { type: string }[] };
    expect(detail.events.filter((e) => e.type === 'photo_uploaded').length).toBe(refused + 1);
  });

  it('the limit is per session: the same flood after the tap, with the caller token, is refused too; another session is unaffected', async () => {
    const { id, code } = await newInvite();
    const redeemed = await http('POST', `${server.url}/api/invites/${code}/redeem`);
    expect(redeemed.status).toBe(200);
    const url = `${server.url}/api/sessions/${id}/photos`;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await upload(url, 20_000, redeemed.body.token as string)).status);
    expect(statuses).toContain(429);
    expect((await upload(url, 6_000_000, redeemed.body.token as string)).status).toBe(413);
    const other = await newInvite();
    expect((await upload(`${server.url}/api/invites/${other.code}/photos`, 20_000)).status).toBe(201);
  });

  it("the dispatcher's snapshots of a session meet a limit too (60 in 10 minutes), and each refusal is a security event", async () => {
    const { id } = await newInvite();
    const url = `${server.url}/api/sessions/${id}/snapshots`;
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push((await upload(url, 2_000, token)).status);
    expect(statuses.slice(0, 60).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(60).every((s) => s === 429)).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/sightline_security_events_total\{kind="upload_refused"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(10);
  });
});
