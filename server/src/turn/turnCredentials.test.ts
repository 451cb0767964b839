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
});
