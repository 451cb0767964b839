import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInsecure, startServer, type TestServer } from '../support/server.js';

/** Optional TLS in the process itself: HTTPS with the given certificate, and HSTS only then. */
let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-tls-'));
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ]);
  server = await startServer({ TLS_CERT_FILE: path.join(dir, 'cert.pem'), TLS_KEY_FILE: path.join(dir, 'key.pem') });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('serves HTTPS with HSTS', async () => {
    expect(server.url.startsWith('https://')).toBe(true);
    const health = await getInsecure(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(String(health.headers['strict-transport-security'])).toMatch(/max-age=31536000/);
    const page = await getInsecure(`${server.url}/console`);
    expect(page.status).toBe(200);
  });
});
