import dgram from 'node:dgram';
import net from 'node:net';

const HOST = '127.0.0.1';

/**
 * Ports this process has handed out. A server started with one may not have bound it yet when the
 * next caller asks, and the kernel is free to offer the same number again meanwhile.
 */
const handedOut = new Set<number>();

/**
 * A port free on loopback for both TCP and UDP right now (the kernel picks it). mediasoup's
 * WebRtcServer binds the UDP side too, so a port whose UDP side is taken would fail its start.
 */
export async function freePort(): Promise<number> {
  return freePortRange(1);
}

/**
 * The first of `count` consecutive ports, each free on loopback for both TCP and UDP: RTC_PORT for
 * a server with `count` workers (worker i binds RTC_PORT + i).
 */
export async function freePortRange(count: number, candidate: () => Promise<number> = kernelPort): Promise<number> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`port count must be a positive integer, got ${count}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await candidate();
    if (first + count - 1 > 65535) continue;
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.some((p) => handedOut.has(p))) continue;
    if (await allFree(ports)) {
      for (const p of ports) handedOut.add(p);
      return first;
    }
  }
  throw new Error(`no ${count} consecutive ports free for TCP and UDP on ${HOST}`);
}

/** A port the kernel offers for a TCP listener on loopback (released before returning). */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Binds every port for TCP and UDP at once, then lets them all go: true when every bind worked. */
async function allFree(ports: readonly number[]): Promise<boolean> {
  const held: { close(): Promise<void> }[] = [];
  try {
    for (const port of ports) {
      held.push(await holdTcp(port));
      held.push(await holdUdp(port));
    }
    return true;
  } catch {
    return false;
  } finally {
    await Promise.all(held.map((h) => h.close()));
  }
}

function holdTcp(port: number): Promise<{ close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port, host: HOST, exclusive: true }, () => resolve({ close: () => new Promise<void>((r) => srv.close(() => r())) }));
  });
}

function holdUdp(port: number): Promise<{ close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    // No SO_REUSEADDR: a socket on this port, on loopback or on every address, makes the bind fail.
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    sock.once('error', (err) => {
      sock.close();
      reject(err);
    });
    sock.bind({ port, address: HOST, exclusive: true }, () => resolve({ close: () => new Promise<void>((r) => sock.close(() => r())) }));
  });
}
