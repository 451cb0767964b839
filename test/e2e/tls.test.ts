import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInsecure, startServer, type TestServer } from '../support/server.js';

/** Optional TLS in the process itself: HTTPS with the given certificate, and HSTS only then. */
let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-tls-'));
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    path.join(dir, 'key.pem'),
    '-out',
    path.join(dir, 'cert.pem'),
  ]);
  server = await startServer({ TLS_CERT_FILE: path.join(dir, 'cert.pem'), TLS_KEY_FILE: path.join(dir, 'key.pem') });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The certificate the server presents in the handshake. */
function presented(url: string): Promise<tls.PeerCertificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe('TLS', () => {
  it('serves HTTPS with the given certificate, and HSTS', async () => {
    expect(server.url.startsWith('https://')).toBe(true);
    const given = new X509Certificate(await readFile(path.join(dir, 'cert.pem')));
    expect((await presented(server.url)).fingerprint256).toBe(given.fingerprint256);
    const health = await getInsecure(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(String(health.headers['strict-transport-security'])).toMatch(/max-age=31536000/);
    const page = await getInsecure(`${server.url}/console`);
    expect(page.status).toBe(200);
  });
});
