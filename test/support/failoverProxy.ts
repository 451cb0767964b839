import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP load balancer on loopback standing in for the TLS proxy in front of a cluster: each new
 * connection goes to the first backend that accepts it, in the given order, so clients stay on
 * their node while it lives and move to the next one when it dies (as HAProxy does with a
 * failed health check). Connections to a backend that dies are cut, as a real proxy's are.
 */
export interface FailoverProxy {
  url: string;
  close(): Promise<void>;
}

export async function startFailoverProxy(backendPorts: number[]): Promise<FailoverProxy> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryBackend = (i: number) => {
      if (i >= backendPorts.length) return void client.destroy();
      const upstream = net.connect(backendPorts[i]!, '127.0.0.1');
      let connected = false;
      upstream.once('error', () => {
        if (!connected) tryBackend(i + 1);
      });
      upstream.once('connect', () => {
        connected = true;
        open.add(upstream);
        upstream.on('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
