import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, VP8 } from '../support/authzRun.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Siblings of the flood test (issue #11 item 2), from outside against a real server: the socket cap
 * holds for a viewer's token and a staff user too, a slot comes back when its socket goes, and a
 * caller's socket cannot pile up transports or produce without end.
 */
let server: TestServer;
let staffToken: string;
let sessionId: string;
let callerToken: string;
let viewerToken: string;
const open: Socket[] = [];

type Ack = { ok: boolean; data?: any; error?: { code: string } };
const ask = (s: Socket, event: string, payload: unknown): Promise<Ack> => s.timeout(15_000).emitWithAck(event, payload);

/** Opens `n` sockets at once; the accepted ones stay open (closed after the test). */
async function openMany(token: string, n: number): Promise<{ accepted: Socket[]; refusals: string[] }> {
  const results = await Promise.all(Array.from({ length: n }, () => connect(server.url, token)));
  const accepted = results.filter((r): r is Socket => !(r instanceof Error));
  open.push(...accepted);
  const refusals = results.filter((r): r is Error => r instanceof Error).map((e) => (e as Error & { data?: { code?: string } }).data?.code ?? e.message);
  return { accepted, refusals };
}

function closeAll(): void {
  for (const s of open.splice(0)) s.disconnect();
}

beforeAll(async () => {
  server = await startServer({});
  staffToken = await login(server);
  const created = await http('POST', `${server.url}/api/sessions`, { token: staffToken, body: { phone: '+4791234569' } });
  sessionId = created.body.id;
  callerToken = (await http('POST', `${server.url}/api/invites/${String(created.body.inviteUrl).split('/j/')[1]}/redeem`)).body.token;
  const viewer = await http('POST', `${server.url}/api/sessions/${sessionId}/viewers`, { token: staffToken });
  viewerToken = (await http('POST', `${server.url}/api/invites/${String(viewer.body.inviteUrl).split('/j/')[1]}/redeem`)).body.token;
});

afterAll(async () => {
  closeAll();
  await server?.stop();
});

describe('sockets per token', () => {
  async function expectCap(token: string, max: number): Promise<void> {
    const { accepted, refusals } = await openMany(token, 12);
    expect(accepted).toHaveLength(max);
    expect(new Set(refusals)).toEqual(new Set(['rate_limited']));
    closeAll();
  }

  it('accepts only a few sockets at once for a viewer token', () => expectCap(viewerToken, 3));

  it('accepts only a few sockets at once for a staff user token', () => expectCap(staffToken, 6));

  it("gives a caller's slot back when one of its sockets goes", async () => {
    const { accepted } = await openMany(callerToken, 5);
    expect(accepted).toHaveLength(3);
    accepted[0]!.disconnect();
    // The server learns of the close at once (a WebSocket close), not at the ping timeout.
    let again: Socket | Error = new Error('not tried');
    for (let i = 0; i < 20 && again instanceof Error; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await connect(server.url, callerToken);
    }
    expect(again).not.toBeInstanceOf(Error);
    open.push(again as Socket);
    closeAll();
  });
});

describe("what a caller's socket may hold", () => {
  it('opens at most 4 transports, and produces at most 20 times a minute', async () => {
    const [socket] = (await openMany(callerToken, 1)).accepted;
    expect((await ask(socket!, 'session:join', { sessionId })).ok).toBe(true);
    const creates = [];
    for (let i = 0; i < 6; i++) creates.push(await ask(socket!, 'transport:create', { sessionId, direction: 'send' }));
    expect(creates.map((a) => a.ok)).toEqual([true, true, true, true, false, false]);
    expect(creates[4]!.error?.code).toBe('rate_limited');

    const transportId = creates[0]!.data.id as string;
    const produced = [];
    // Each produce replaces the last (same source): the peer never holds more than one, only the budget stops it.
    for (let i = 0; i < 25; i++)
      produced.push(
        await ask(socket!, 'media:produce', { sessionId, transportId, kind: 'video', rtpParameters: { ...VP8(40_000 + i), mid: String(i) }, source: 'camera' }),
      );
    expect(produced.filter((a) => a.ok)).toHaveLength(20);
    expect(produced.slice(20).every((a) => a.error?.code === 'rate_limited')).toBe(true);
    closeAll();
  });
});
