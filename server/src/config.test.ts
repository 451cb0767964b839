import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const production = { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), CHECKPOINT_KEY_FILE: '/run/secrets/checkpoint-key' };

describe('TRUST_PROXY', () => {
  it('takes the proxy’s own addresses and CIDRs, loopback by default', () => {
    expect(loadConfig({ ...production }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ ...production, TRUST_PROXY: '172.30.80.10, 10.244.3.0/24' }).trustProxy).toEqual(['172.30.80.10', '10.244.3.0/24']);
  });

  it('refuses whole private ranges in production: any host there could choose the address the limits count (issue #11)', () => {
    for (const broad of ['uniquelocal', 'loopback,uniquelocal', 'LinkLocal', '0.0.0.0/0', '::/0']) {
      expect(() => loadConfig({ ...production, TRUST_PROXY: broad }), broad).toThrow(ConfigError);
      expect(() => loadConfig({ ...production, TRUST_PROXY: broad }), broad).toThrow(/name the proxy's own address or CIDR/);
    }
    // Development and tests keep the convenience.
    expect(loadConfig({ TRUST_PROXY: 'loopback,uniquelocal' }).trustProxy).toEqual(['loopback', 'uniquelocal']);
  });
});

describe('secrets in production', () => {
  it('refuses DEMO_PASSWORD when NODE_ENV=production (a shared, often printed password), keeps it elsewhere', () => {
    expect(() => loadConfig({ ...production, DEMO_PASSWORD: 'demo-password' })).toThrow(/DEMO_PASSWORD is refused when NODE_ENV=production/);
    expect(loadConfig({ DEMO_PASSWORD: 'demo-password' }).demoPassword).toBe('demo-password');
  });

  it('takes JWT_SECRET_PREVIOUS for a rotation, at least 32 bytes like JWT_SECRET', () => {
    expect(loadConfig({ ...production, JWT_SECRET_PREVIOUS: 'p'.repeat(40) }).jwtSecretPrevious?.toString()).toBe('p'.repeat(40));
    expect(() => loadConfig({ ...production, JWT_SECRET_PREVIOUS: 'short' })).toThrow(/JWT_SECRET_PREVIOUS must be at least 32 bytes/);
  });
});
