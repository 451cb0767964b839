import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './MemoryStore.js';
import { storeContract } from './Store.contract.js';

storeContract('memory', async () => new MemoryStore());

describe('MemoryStore users file', () => {
  it('sees users added and removed by another process (the command line) without a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-users-'));
    try {
      const file = path.join(dir, 'users.json');
      const server = new MemoryStore(file);
      const cli = new MemoryStore(file);
      const ann = { username: 'ann', role: 'dispatcher' as const, passwordHash: 'x', createdAt: new Date().toISOString() };
      expect(await server.getUser('ann')).toBeUndefined();
      expect(await cli.addUser(ann)).toBe(true);
      expect(await server.getUser('ann')).toEqual(ann);
      expect(await new MemoryStore(file).removeUser('ann')).toBe(true);
      expect(await server.getUser('ann')).toBeUndefined();
      expect(await server.countUsers()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
