import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

/** Where the checkpoint key may live (config.ts): never inside DATA_DIR, and named in production. */
describe('checkpoint key configuration', () => {
  const base = { JWT_SECRET: 'j'.repeat(40), DATA_DIR: '/srv/sightline/data' };

  it('is required in production', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(/CHECKPOINT_KEY_FILE is required when NODE_ENV=production/);
    expect(loadConfig({ ...base, NODE_ENV: 'production', CHECKPOINT_KEY_FILE: '/run/secrets/checkpoint-key' }).checkpoint).toMatchObject({
      keyFile: '/run/secrets/checkpoint-key',
      keyFileDefaulted: false,
    });
  });

  it('is refused inside DATA_DIR, where whoever can write the logs could read it', () => {
    expect(() => loadConfig({ ...base, CHECKPOINT_KEY_FILE: '/srv/sightline/data/index/key.pem' })).toThrow(/must be outside DATA_DIR/);
    expect(() => loadConfig({ ...base, DATA_DIR: '/home/op', HOME: '/home/op' })).toThrow(/must be outside DATA_DIR/);
    expect(loadConfig({ ...base, CHECKPOINT_KEY_FILE: '/srv/sightline/data-keys/key.pem' }).checkpoint.keyFile).toBe('/srv/sightline/data-keys/key.pem');
  });

  it("defaults in development to the user's config folder, and signs live logs every 5 minutes unless told otherwise", () => {
    const c = loadConfig({ ...base, HOME: '/home/dev' });
    expect(c.checkpoint).toEqual({
      keyFile: path.join('/home/dev/.config/sightline/checkpoint-key.pem'),
      keyFileDefaulted: true,
      publicKeyFiles: [],
      intervalMs: 300_000,
    });
    expect(
      loadConfig({ ...base, XDG_CONFIG_HOME: '/cfg', CHECKPOINT_INTERVAL_SECONDS: '60', CHECKPOINT_PUBLIC_KEY_FILE: '/k/old.pub, /k/older.pub' }).checkpoint,
    ).toEqual({
      keyFile: '/cfg/sightline/checkpoint-key.pem',
      keyFileDefaulted: true,
      publicKeyFiles: ['/k/old.pub', '/k/older.pub'],
      intervalMs: 60_000,
    });
  });
});
