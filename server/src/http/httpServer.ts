import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** TLS when given a certificate (PEM files); otherwise plain HTTP, a TLS-terminating proxy expected in front. */
export async function createHttpServer(app: RequestListener, tls: { certFile: string; keyFile: string } | undefined): Promise<Server> {
  return tls ? createHttpsServer({ cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) }, app) : createServer(app);
}

/**
 * Listens on `host:port` (port 0: any free one).
 * @returns the port listened on and the server's URL (an IPv6 host in brackets).
 * @throws the listen error (EADDRINUSE, EACCES…).
 */
export async function listen(http: Server, host: string, port: number, tls: boolean): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  const bound = (http.address() as AddressInfo).port;
  return { port: bound, url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
