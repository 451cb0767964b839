import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { MEDIA_OPS, serveMediaOps, type MediaOps } from './MediaOps.js';

describe('serveMediaOps', () => {
  it('refuses a forwarded operation for a session the store gives to another node, and runs nothing', async () => {
    const ran: string[] = [];
    const local = Object.fromEntries(
      MEDIA_OPS.map((op) => [op, async (...args: unknown[]) => void ran.push(`${op}:${String(args[0])}`)]),
    ) as unknown as MediaOps;
    const serve = serveMediaOps(local, async (sessionId) => sessionId === 's-mine');
    await serve('join', ['s-mine']);
    // Taken over while this node was cut off: a late or stale forwarder must not bring it back here.
    for (const op of MEDIA_OPS) {
      const refused = await serve(op, ['s-moved']).catch((e: unknown) => e);
      expect(refused, op).toBeInstanceOf(AppError);
      expect((refused as AppError).status, op).toBe(503);
    }
    expect(ran).toEqual(['join:s-mine']);
    await expect(serve('join', [42])).rejects.toMatchObject({ status: 400 });
  });
});
