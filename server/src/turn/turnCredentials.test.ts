import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnCredentials } from './turnCredentials.js';

describe('turnCredentials (coturn use-auth-secret)', () => {
  it('makes a username that expires and a password coturn can recompute', () => {
    const now = new Date('2026-11-23T08:00:00.000Z');
    const c = turnCredentials({ secret: 's3cret', urls: ['turn:turn.example:3478?transport=udp'], ttlSeconds: 600, label: 's_abc12345', now });
    expect(c.username).toBe(`${Math.floor(now.getTime() / 1000) + 600}:s_abc12345`);
    expect(c.credential).toBe(createHmac('sha1', 's3cret').update(c.username).digest('base64'));
    expect(c.urls).toEqual(['turn:turn.example:3478?transport=udp']);
  });

  it('never outlives the session it serves (notAfter), whatever the TTL', () => {
    const now = new Date('2026-11-23T08:00:00.000Z');
    const notAfter = new Date(now.getTime() + 90_000);
    const c = turnCredentials({ secret: 's', urls: [], ttlSeconds: 3600, label: 'x', now, notAfter });
    expect(Number(c.username.split(':')[0])).toBe(Math.floor(notAfter.getTime() / 1000));
    const short = turnCredentials({ secret: 's', urls: [], ttlSeconds: 60, label: 'x', now, notAfter });
    expect(Number(short.username.split(':')[0])).toBe(Math.floor(now.getTime() / 1000) + 60);
  });
});
