import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * test/support/staleConnection.ts (the e2e and netns setup file): a request sent on a kept-alive
 * connection the server closes without answering is sent again once on a new connection, as a
 * browser does; any other failure stays a failure.
 */
let server: Server;
let base: string;
const answered: string[] = [];

beforeAll(async () => {
  // Answers the first request on each connection; a second request on it finds the connection closed.
  server = createServer((req, res) => {
    const socket = req.socket as typeof req.socket & { served?: number };
    socket.served = (socket.served ?? 0) + 1;
    if (socket.served > 1) return void socket.destroy();
    answered.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a kept-alive connection closed under a request', () => {
  it('fails with plain fetch, and is sent again once with the setup file', async () => {
    const settle = () => new Promise((r) => setTimeout(r, 50)); // the connection back in undici's pool
    expect(await (await fetch(`${base}/one`)).text()).toBe('ok');
    await settle();
    // undici sends a GET again by itself; a POST it does not.
    await expect(fetch(`${base}/two`, { method: 'POST', body: 'x' })).rejects.toThrow(/fetch failed/);
    await import('../support/staleConnection.js');
    expect(await (await fetch(`${base}/three`)).text()).toBe('ok');
    await settle();
    expect(await (await fetch(`${base}/four`, { method: 'POST', body: 'x' })).text()).toBe('ok');
    expect(answered).toEqual(['/one', '/three', '/four']);
    expect(answered).not.toContain('/two');
  });
});
