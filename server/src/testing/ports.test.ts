import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, freePortRange } from './ports.js';

const sockets: dgram.Socket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Binds UDP `port` on `address` and keeps it bound until the test ends; false when that fails. */
async function holdUdp(port: number, address: string): Promise<boolean> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    sock.once('error', () => resolve(false));
    sock.bind(port, address, () => {
      sockets.push(sock);
      resolve(true);
    });
  });
}

/** A port whose TCP side is free and whose UDP side this test now holds on `address`. */
async function udpOnlyTaken(address = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (await holdUdp(port, address)) return port;
  }
}

async function tcpAndUdpBindable(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  const udp = await new Promise<boolean>((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
  });
  return tcp && udp;
}

/** Offers the given ports first, then whatever a TCP listener on port 0 gets. */
function offering(...first: number[]): () => Promise<number> {
  const queue = [...first];
  return async () => queue.shift() ?? freePortFromKernel();
}

async function freePortFromKernel(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

describe('freePort', () => {
  it('returns a port free for both TCP and UDP on loopback', async () => {
    const port = await freePort();
    expect(await tcpAndUdpBindable(port)).toBe(true);
  });

  it('passes over a port whose UDP side another socket holds, though its TCP side is free', async () => {
    const taken = await udpOnlyTaken();
    const port = await freePortRange(1, offering(taken));
    expect(port).not.toBe(taken);
    expect(await tcpAndUdpBindable(port)).toBe(true);
  });

  it('passes over a port held for UDP on every address (0.0.0.0)', async () => {
    const taken = await udpOnlyTaken('0.0.0.0');
    expect(await freePortRange(1, offering(taken))).not.toBe(taken);
  });

  it('checks the whole range RTC_PORT..RTC_PORT+workers-1', async () => {
    const taken = await udpOnlyTaken();
    // A range starting one below the held port would give worker 1 a port it cannot bind.
    const first = await freePortRange(3, offering(taken - 1, taken - 2));
    expect([first, first + 1, first + 2]).not.toContain(taken);
    for (const p of [first, first + 1, first + 2]) expect(await tcpAndUdpBindable(p)).toBe(true);
  });

  it('never hands out the same port twice in one process', async () => {
    const port = await freePort();
    await expect(freePortRange(1, async () => port)).rejects.toThrow(/no 1 consecutive ports free/);
    expect(await freePortRange(1, offering(port))).not.toBe(port);
  });
});
