import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../testing/logger.js';
import { errorHandler } from './errorHandler.js';

/** The handler behind a real express router, over a real loopback socket. */
let server: ReturnType<ReturnType<typeof express>['listen']>;
let base: string;

beforeAll(async () => {
  const app = express();
  app.get('/things/:name', (req, res) => void res.json({ name: req.params['name'] }));
  app.get('/boom', () => {
    throw new Error('a bug');
  });
  app.use(errorHandler(testLogger));
  await new Promise<void>((resolve) => (server = app.listen(0, '127.0.0.1', () => resolve())));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('errorHandler', () => {
  it("answers 400 to a path parameter that is not valid percent-encoding (the client's fault, not a 500)", async () => {
    for (const bad of ['%', '%E0%A4%A', 'abc%zz']) {
      const res = await fetch(`${base}/things/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toEqual({ error: { code: 'bad_request', message: 'malformed path parameter' } });
    }
    expect(await (await fetch(`${base}/things/a%20b`)).json()).toEqual({ name: 'a b' });
  });

  it('still answers 500 with no detail to anything else thrown', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});
