import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pseudonyms, PSEUDONYM_KEY_FILE } from './Pseudonyms.js';

describe('Pseudonyms: stable, keyed stand-ins for ids in research exports', () => {
  it('gives the same id the same pseudonym across restarts (the key is kept in DATA_DIR, owner-only)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pseudo-'));
    const first = await Pseudonyms.open(dir);
    const again = await Pseudonyms.open(dir);
    expect(first.session('s_3X7XAEZS1wU9')).toBe(again.session('s_3X7XAEZS1wU9'));
    expect(first.session('s_3X7XAEZS1wU9')).toMatch(/^p_[A-Za-z0-9_-]{16}$/);
    expect(first.session('s_3X7XAEZS1wU9')).not.toBe(first.session('s_3X7XAEZS1wU8'));
    expect((await stat(join(dir, PSEUDONYM_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it('depends on the key: another data directory gives other pseudonyms, and the id is nowhere in it', async () => {
    const a = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'pseudo-')));
    const b = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'pseudo-')));
    expect(a.session('s_3X7XAEZS1wU9')).not.toBe(b.session('s_3X7XAEZS1wU9'));
    expect(a.session('s_3X7XAEZS1wU9')).not.toContain('3X7XAEZS');
  });

  it('keeps dispatchers and sessions apart: the same text gives different pseudonyms by kind', async () => {
    const p = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'pseudo-')));
    expect(p.dispatcher('alice')).toMatch(/^d_[A-Za-z0-9_-]{16}$/);
    expect(p.dispatcher('alice').slice(2)).not.toBe(p.session('alice').slice(2));
  });

  it('agrees on one key with other nodes when asked (Redis mode): the agreed key wins over the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pseudo-'));
    const shared = Buffer.alloc(32, 7).toString('base64');
    const p = await Pseudonyms.open(dir, async () => shared);
    const q = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'pseudo-')), async () => shared);
    expect(p.session('s_1')).toBe(q.session('s_1'));
    expect((await readFile(join(dir, PSEUDONYM_KEY_FILE))).length).toBe(32);
  });

  it('makes one key when several open an empty directory at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pseudo-'));
    const all = await Promise.all(Array.from({ length: 8 }, () => Pseudonyms.open(dir)));
    expect(new Set(all.map((p) => p.session('s_1'))).size).toBe(1);
  });

  it('opens on first use only, and tries again after a failed open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pseudo-'));
    let asked = 0;
    const get = Pseudonyms.opener(dir, async (candidate) => {
      if (++asked === 1) throw new Error('redis down');
      return candidate;
    });
    await expect(stat(join(dir, PSEUDONYM_KEY_FILE))).rejects.toThrow();
    await expect(get()).rejects.toThrow('redis down');
    const p = await get();
    expect(await get()).toBe(p);
    expect(asked).toBe(2);
  });
});
