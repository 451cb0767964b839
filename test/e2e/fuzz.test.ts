import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSchemas } from '@sightline/shared';
import { framesDecoded, launchDevice, waitFor } from '../support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession } from '../support/flow.js';
import { builtRoutes, routeKey } from '../support/routeTable.js';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';

/**
 * 100,000 generated malformed or hostile messages (fast-check) across every socket message and every
 * route the server mounts (read off its router, parameters filled with real and hostile values),
 * against the real server with a real worker. Afterwards the server is alive, a normal session still
 * gets video, nothing was left unhandled, and memory is back near where it started.
 */
const SOCKET_MESSAGES = 80_000;
const REST_REQUESTS = 20_000;
const EVENTS = Object.keys(requestSchemas);
/** Read off the built server's router: a route added anywhere is fuzzed without editing this file. */
const ROUTES = await builtRoutes();
let server: TestServer;
let twilio: FakeTwilio;
let staffToken: string;
let callerToken: string;
let sessionId: string;

/** Heap in use after a full collection (the server runs with --expose-gc here): what a leak would grow. */
async function heapMiB(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics?gc=1`)).text();
  return Number(/^sightline_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)![1]) / 2 ** 20;
}

beforeAll(async () => {
  const port = await freePort();
  // Twilio mode (against a local fake), so the delivery webhook is mounted and fuzzed too.
  twilio = await startFakeTwilio();
  server = await startServer({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SOCKET_EVENTS_PER_SECOND: '1000000',
    // Hostile input, not volume: refusals by the budgets are answers too, and must not drop the sockets.
    SOCKET_REFUSALS_PER_10S: '1000000',
    NODE_OPTIONS: '--expose-gc',
    ...twilioEnv(twilio),
  });
  staffToken = await login(server);
  const created = await http('POST', `${server.url}/api/sessions`, { token: staffToken, body: { phone: '+4791234567' } });
  sessionId = created.body.id;
  callerToken = (await http('POST', `${server.url}/api/invites/${String(created.body.inviteUrl).split('/j/')[1]}/redeem`)).body.token;
});

afterAll(async () => {
  await server?.stop();
  await twilio?.close();
});

/** Payloads shaped like ours but wrong in every way, plus anything at all. */
function hostilePayload(): fc.Arbitrary<unknown> {
  const id = fc.oneof(
    fc.constant(() => sessionId),
    fc.string({ maxLength: 80 }),
    fc.integer(),
    fc.constant(null),
    fc.constant('../../etc/passwd'),
  );
  const field = fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.string({ maxLength: 2000 }),
    fc.double(),
    fc.constant({ __proto__: { polluted: true } }),
    fc.constant('constructor'),
  );
  const shaped = fc.record(
    {
      sessionId: id.map((v) => (typeof v === 'function' ? v() : v)),
      transportId: field,
      producerId: field,
      consumerId: field,
      direction: fc.oneof(fc.constantFrom('send', 'recv', 'both', ''), field),
      kind: fc.oneof(fc.constantFrom('audio', 'video', 'data'), field),
      rtpParameters: fc.oneof(fc.record({ codecs: fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 40 }) }), field),
      dtlsParameters: fc.oneof(fc.record({ fingerprints: fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 10 }) }), field),
      text: fc.oneof(fc.string({ maxLength: 600 }), field),
      lat: fc.oneof(fc.double(), field),
      action: fc.oneof(fc.constantFrom('flip', 'torch_on', 'rm -rf'), field),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 3, arbitrary: shaped },
    { weight: 2, arbitrary: fc.anything({ maxDepth: 4 }) },
    fc.constant(undefined),
    fc.string({ maxLength: 3000 }),
  );
}

/** A route's path with each parameter filled (URL-encoded): this session's id, another's, or something hostile. */
function concretePath(pattern: string): fc.Arbitrary<string> {
  const hostile = fc.oneof(
    fc.string({ maxLength: 60 }).map(encodeURIComponent),
    fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%00', '%2e%2e', 'constructor', '__proto__', '%E2%80%AE', '%'),
  );
  const param: Record<string, fc.Arbitrary<string>> = {
    id: fc.oneof({ weight: 3, arbitrary: fc.constant(null).map(() => sessionId) }, fc.constant('s_abcdefgh'), hostile),
    code: fc.oneof(fc.constant('A'.repeat(22)), fc.stringMatching(/^\d{6}$/), hostile),
    name: fc.oneof(fc.constant('20261123T072501123Z-dispatcher-abcdef.jpeg'), fc.constant('video-0001.webm'), hostile),
  };
  const parts = pattern.split('/').map((part) => (part.startsWith(':') ? (param[part.slice(1)] ?? hostile) : fc.constant(part)));
  return fc.tuple(...parts).map((p) => p.join('/'));
}

async function connect(token: string): Promise<Socket> {
  const s = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

describe('hostile input', () => {
  it(`survives ${SOCKET_MESSAGES + REST_REQUESTS} generated messages`, async () => {
    // Generated before the sockets open: on a busy machine this takes longer than the server's ping
    // timeout (10 s), and a test process busy generating cannot answer pings.
    const messages = fc.sample(fc.tuple(fc.constantFrom(...EVENTS), hostilePayload(), fc.nat(1)), { numRuns: SOCKET_MESSAGES, seed: 42 });
    const sockets = [await connect(staffToken), await connect(callerToken)];
    let heapStart = await heapMiB();
    expect(new Set(messages.map(([event]) => event)), 'every socket message is sent').toEqual(new Set(EVENTS));
    let answered = 0;
    for (let i = 0; i < messages.length; i += 400) {
      await Promise.all(
        messages.slice(i, i + 400).map(async ([event, payload, which]) => {
          const socket = sockets[which]!;
          const ack = (await socket.timeout(10_000).emitWithAck(event as never, payload as never)) as { ok: boolean };
          if (typeof ack?.ok === 'boolean') answered++;
        }),
      );
      // Unknown event names are dropped by socket.io without an answer; send some anyway.
      sockets[0]!.emit(`no:such:event:${i}` as never, { sessionId } as never);
      // Memory is compared from after a warm-up, once the process has reached its working size.
      if (i === 8000) heapStart = await heapMiB();
    }
    expect(answered).toBe(SOCKET_MESSAGES);
    expect(sockets.every((s) => s.connected)).toBe(true);
    for (const s of sockets) s.disconnect();

    const requests = fc.sample(
      fc.record({
        target: fc.constantFrom(...ROUTES).chain((route) => fc.tuple(fc.constant(route), concretePath(route.path))),
        // Mostly the route's own method (so its handler runs), sometimes one it does not answer.
        otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), { freq: 3 }),
        body: fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ maxLength: 5000 }), fc.constant('{"phone":'), fc.constant('A'.repeat(20_000))),
        type: fc.constantFrom('application/json', 'text/plain', 'image/jpeg', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16'),
        token: fc.constantFrom(staffToken, callerToken, 'garbage', ''),
        query: fc.string({ maxLength: 100 }),
        from: fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `198.18.${a}.${b}`),
      }),
      { numRuns: REST_REQUESTS, seed: 7 },
    );
    const statuses = new Map<number, number>();
    const handled = new Set<string>();
    for (let i = 0; i < requests.length; i += 50) {
      await Promise.all(
        requests.slice(i, i + 50).map(async ({ target: [mounted, route], otherMethod, ...r }) => {
          const method = otherMethod ?? (mounted.method === 'ALL' ? 'POST' : mounted.method);
          if (method === mounted.method) handled.add(routeKey(mounted));
          // Logging out revokes the staff login (issue #11): the fuzz's own token must outlive its
          // requests, or every later staff request would be a 401 and test nothing.
          const token = route.startsWith('/api/auth/logout') && r.token === staffToken ? 'garbage' : r.token;
          const res = await fetch(`${server.url}${route}?q=${encodeURIComponent(r.query)}`, {
            method,
            // Many clients behind the (loopback, trusted) proxy: limits per address stay per address.
            headers: { 'content-type': r.type, 'x-forwarded-for': r.from, ...(token && { authorization: `Bearer ${token}` }) },
            body: method === 'GET' ? undefined : r.body,
          });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${method} ${route}`).toBeLessThan(500);
          if (res.status >= 400 && res.status !== 404 && route.startsWith('/api/')) expect(JSON.parse(text).error.code).toBeTypeOf('string');
        }),
      );
    }
    process.stdout.write(`REST statuses over ${ROUTES.length} routes: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
    // Every route the server mounts got requests with its own method, not only stray ones.
    expect([...handled].sort()).toEqual(ROUTES.map(routeKey).sort());

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.output()).not.toMatch(/unhandled rejection/);
    // Nothing secret reached the logs, whatever was thrown at the server.
    expect(server.output()).not.toContain(staffToken);
    expect(server.output()).not.toContain(callerToken);
    const heapEnd = await heapMiB();
    process.stdout.write(`server heap after full GC: ${heapStart.toFixed(1)} MiB before, ${heapEnd.toFixed(1)} MiB after\n`);
    expect(heapEnd - heapStart).toBeLessThan(10);
  });

  it('still carries a normal session to video afterwards', async () => {
    const [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
    try {
      const { sessionId: fresh, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
      await callerStartsVideo(caller.page, inviteUrl);
      // The fuzzed session may still be open on the console too: watch the new one's card.
      await waitFor('video after fuzzing', async () => (await framesDecoded(dispatcher.page, fresh)) > 10);
    } finally {
      await Promise.all([dispatcher.close(), caller.close()]);
    }
  });
});
