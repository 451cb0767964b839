import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, http, startServer, type TestServer } from '../support/server.js';

/**
 * The other side of "/metrics is loopback only": clients at non-loopback addresses. A server that
 * listens on loopback cannot be reached any other way, so this runs inside run.sh's network
 * namespace, whose only other interfaces are its own veth pair (10.200.0.1-2, fd00:5e::1-2): the
 * server may listen on every interface there and nothing outside can reach it. Once IPv4-only and
 * once dual-stack (where IPv4 clients appear as ::ffff:a.b.c.d). Media stays on 127.0.0.1.
 */
const ownAddresses = Object.values(os.networkInterfaces())
  .flat()
  .filter((a): a is os.NetworkInterfaceInfo => a !== undefined && !a.internal && !a.address.startsWith('fe80:'));
const ipv4 = ownAddresses.filter((a) => a.family === 'IPv4').map((a) => a.address);
const ipv6 = ownAddresses.filter((a) => a.family === 'IPv6').map((a) => `[${a.address}]`);

describe(`/metrics from non-loopback addresses in the namespace (${[...ipv4, ...ipv6].join(', ')})`, () => {
  it('runs where there are such addresses (run.sh gives the namespace IPv4 and IPv6 ones)', () => {
    expect(ipv4.length).toBeGreaterThan(0);
    expect(ipv6.length).toBeGreaterThan(0);
  });

  describe.each([
    { host: '0.0.0.0', remotes: ipv4 },
    { host: '::', remotes: [...ipv4, ...ipv6] },
  ])('server listening on $host', ({ host, remotes }) => {
    let server: TestServer;
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      server = await startServer({ PORT: String(port), HOST: host, RTC_LISTEN_IP: '127.0.0.1' });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('refuses /metrics to a client that is not on loopback, forwarded-for header or not, while the rest answers', async () => {
      // The same server, the same moment: loopback gets the figures...
      const local = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(local.status).toBe(200);
      expect(await local.text()).toMatch(/sightline_mediasoup_workers 1/);
      const claims: Record<string, string>[] = [{}, { 'x-forwarded-for': '127.0.0.1' }, { 'x-forwarded-for': '::1', 'x-real-ip': '127.0.0.1' }];
      for (const address of remotes) {
        const remote = `http://${address}:${port}`;
        // ...the other address reaches the server, and only /metrics is closed to it.
        expect((await http('GET', `${remote}/healthz`)).status, address).toBe(200);
        for (const headers of claims) {
          const res = await fetch(`${remote}/metrics`, { headers });
          const body = await res.text();
          expect(res.status, `${address} ${JSON.stringify(headers)}`).toBe(404);
          expect(body).not.toMatch(/sightline_|process_cpu/);
          expect(JSON.parse(body)).toEqual({ error: { code: 'not_found', message: 'no such route' } });
        }
      }
    });
  });
});
