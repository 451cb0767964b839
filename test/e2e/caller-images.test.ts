import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bombPng } from '../../server/src/testing/bombPng.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * What a caller sends is decoded and re-encoded on the server before any browser sees it (issue #11,
 * item 13). Found by review: a PNG of 20000×20000 pixels (50 kB on the wire, 1.6 GB once decoded)
 * was stored as sent and handed to the dispatcher's console, whose browser decodes it.
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

async function newInvite(): Promise<{ id: string; code: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  expect(r.status).toBe(201);
  return { id: r.body.id, code: String(r.body.inviteUrl).split('/j/')[1]! };
}

async function send(code: string, image: Buffer, type: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/invites/${code}/photos`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(image) });
  return { status: res.status, body: await res.json() };
}

/** What the console's browser would be handed for each still of the session. */
async function stills(id: string): Promise<Buffer[]> {
  const list = (await http('GET', `${server.url}/api/sessions/${id}/snapshots`, { token })).body.snapshots as { name: string }[];
  return Promise.all(
    list.map(async (s) =>
      Buffer.from(await (await fetch(`${server.url}/api/sessions/${id}/snapshots/${s.name}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer()),
    ),
  );
}

async function securityCount(kind: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`sightline_security_events_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

describe('caller images', () => {
  it('refuses a decompression bomb (a 20000×20000 PNG) with 413: the console is never handed it', async () => {
    const { id, code } = await newInvite();
    const refusedBefore = await securityCount('upload_refused');
    const answer = await send(code, bombPng(20_000, 20_000), 'image/png');
    expect(answer.status).toBe(413);
    expect(answer.body.error.details).toEqual({ reason: 'too_many_pixels' });
    for (const still of await stills(id)) expect((await sharp(still).metadata()).width).toBeLessThanOrEqual(2048);
    expect(await stills(id)).toEqual([]);
    expect(await securityCount('upload_refused')).toBe(refusedBefore + 1);
    const events = (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events as { type: string }[];
    expect(events.some((e) => e.type === 'photo_uploaded')).toBe(false);
  });

  it('takes valid JPEG, PNG and WebP, and hands the console its own re-encoding: at most 2048 px, no EXIF GPS', async () => {
    const { id, code } = await newInvite();
    const colour = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 20, g: 120, b: 220 } } });
    const gps = { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '59/1 54/1 4577/100', GPSLongitudeRef: 'E', GPSLongitude: '10/1 44/1 3381/100' } };
    const jpeg = await colour(3000, 2000)
      .withExif({ IFD0: { Make: 'PhoneMaker' }, ...gps })
      .jpeg()
      .toBuffer();
    expect(jpeg.includes(Buffer.from('PhoneMaker'))).toBe(true);
    expect((await send(code, jpeg, 'image/jpeg')).status).toBe(201);
    expect((await send(code, await colour(800, 600).png().toBuffer(), 'image/png')).status).toBe(201);
    expect((await send(code, await colour(800, 600).webp().toBuffer(), 'image/webp')).status).toBe(201);
    const got = await Promise.all((await stills(id)).map(async (b) => ({ b, meta: await sharp(b).metadata() })));
    expect(got.map((g) => [g.meta.format, g.meta.width, g.meta.height]).sort()).toEqual([
      ['jpeg', 2048, 1365],
      ['png', 800, 600],
      ['webp', 800, 600],
    ]);
    for (const { b, meta } of got) {
      expect(meta.exif).toBeUndefined();
      expect(b.includes(Buffer.from('PhoneMaker'))).toBe(false);
    }
  });

  it('refuses what only looks like an image (magic bytes, nothing behind them) with 400', async () => {
    const { code } = await newInvite();
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]), Buffer.alloc(5000, 0x11)]);
    const answer = await send(code, fake, 'image/jpeg');
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual({ reason: 'undecodable' });
  });
});
