import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { freePort } from '../testing/ports.js';
import { PortAllocator, udpPortIsFree } from './PortAllocator.js';

describe('PortAllocator', () => {
  it('hands out even/odd pairs in turn and takes them back', async () => {
    const ports = new PortAllocator([40000, 40005], async () => true);
    expect(ports.capacity).toBe(3);
    const a = await ports.allocate();
    const b = await ports.allocate();
    expect(a).toEqual({ rtp: 40000, rtcp: 40001 });
    expect(b).toEqual({ rtp: 40002, rtcp: 40003 });
    expect(ports.inUse()).toEqual([40000, 40002]);
    ports.release(a);
    // The search goes on after the last pair, so a released pair is not reused at once.
    expect(await ports.allocate()).toEqual({ rtp: 40004, rtcp: 40005 });
    expect(await ports.allocate()).toEqual({ rtp: 40000, rtcp: 40001 });
    await expect(ports.allocate()).rejects.toThrow(/no free UDP port pair/);
    ports.release(b);
    expect(ports.inUse()).toEqual([40000, 40004]);
  });

  it('starts an odd range at the next even port', async () => {
    const ports = new PortAllocator([40001, 40004], async () => true);
    expect(ports.capacity).toBe(1);
    expect(await ports.allocate()).toEqual({ rtp: 40002, rtcp: 40003 });
    expect(() => new PortAllocator([40001, 40002])).toThrow(RangeError);
    expect(() => new PortAllocator([100, 200])).toThrow(RangeError);
  });

  it('never gives the same pair to concurrent callers', async () => {
    const ports = new PortAllocator([40000, 40099], async () => {
      await new Promise((r) => setTimeout(r, 5));
      return true;
    });
    const pairs = await Promise.all(Array.from({ length: 20 }, () => ports.allocate()));
    expect(new Set(pairs.map((p) => p.rtp)).size).toBe(20);
    expect(ports.inUse()).toHaveLength(20);
  });

  it('skips ports another socket holds (checked by binding them)', async () => {
    let base = (await freePort()) & ~1;
    if (base + 3 > 65535) base -= 4;
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((r) => holder.bind(base + 1, '127.0.0.1', r));
    try {
      expect(await udpPortIsFree(base + 1)).toBe(false);
      const ports = new PortAllocator([base, base + 3]);
      const pair = await ports.allocate();
      expect(pair).toEqual({ rtp: base + 2, rtcp: base + 3 });
      ports.release(pair);
      expect(ports.inUse()).toEqual([]);
    } finally {
      holder.close();
    }
    expect(await udpPortIsFree(base + 1)).toBe(true);
  });
});
