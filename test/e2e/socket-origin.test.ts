import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11 (Low): socket.io checked no Origin, so a page on any site could open a socket with a
 * token it had obtained (a leaked caller link's token, say) and act from the victim's browser.
 * Sockets are refused unless they come from PUBLIC_URL's origin, the origin of the host reached, or
 * carry no Origin (not a browser); each refusal is a `socket_refused` security event.
 */
let server: TestServer;
let token: string;
const PUBLIC = 'https://sightline-origin.example.test';

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: PUBLIC });
  token = await login(server);
});

afterAll(async () => {
  await server?.stop();
});

/** Opens a socket with this Origin header (none when undefined): 'connected', or 'refused'. */
function tryConnect(origin: string | undefined, transport: 'websocket' | 'polling'): Promise<string> {
  const socket = io(server.url, {
    auth: { token },
    transports: [transport],
    reconnection: false,
    ...(origin !== undefined && { extraHeaders: { origin } }),
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.once('connect_error', () => {
      socket.disconnect();
      resolve('refused');
    });
  });
}

async function refusedSockets(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/sightline_security_events_total\{kind="socket_refused"\} (\d+)/.exec(text)?.[1] ?? 0);
}

describe('socket Origin', () => {
  it('refuses a socket opened by a page on another site, token and all, at the handshake (403), and counts it', async () => {
    const before = await refusedSockets();
    const handshake = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
    expect(handshake.status).toBe(403);
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await tryConnect('https://evil.example', transport), transport).toBe('refused');
      expect(await tryConnect('null', transport), `${transport}, sandboxed page`).toBe('refused');
      expect(await tryConnect(`${PUBLIC}.evil.example`, transport), `${transport}, look-alike`).toBe('refused');
    }
    expect(await refusedSockets()).toBe(before + 7);
  });

  it('lets our own pages in (PUBLIC_URL, or the host the request reached), and clients that send no Origin', async () => {
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await tryConnect(PUBLIC, transport), `${transport}, PUBLIC_URL`).toBe('connected');
      expect(await tryConnect(server.url, transport), `${transport}, same origin`).toBe('connected');
      expect(await tryConnect(undefined, transport), `${transport}, no Origin`).toBe('connected');
    }
  });
});
