import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const production = { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), CHECKPOINT_KEY_FILE: '/run/secrets/checkpoint-key' };

describe('TRUST_PROXY', () => {
  it('takes the proxy’s own addresses and CIDRs, loopback by default', () => {
    expect(loadConfig({ ...production }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ ...production, TRUST_PROXY: '172.30.80.10, 10.244.3.0/24' }).trustProxy).toEqual(['172.30.80.10', '10.244.3.0/24']);
    const narrow = '10.244.0.0/16,::ffff:10.1.2.0/120,2001:db8:1::/48,fd00::1';
    expect(loadConfig({ ...production, TRUST_PROXY: narrow }).trustProxy).toEqual(narrow.split(','));
  });

  it('refuses whole private ranges in production: any host there could choose the address the limits count (issue #11)', () => {
    // Siblings found by a review: ranges that add up to everything, IPv4-mapped IPv6, and a whole /8.
    const siblings = ['0.0.0.0/1,128.0.0.0/1', '::ffff:0:0/96', '::ffff:10.0.0.0/104', '10.0.0.0/8', '2001:db8::/32', 'not-an-address', '10.0.0.1/33'];
    for (const broad of ['uniquelocal', 'loopback,uniquelocal', 'LinkLocal', '0.0.0.0/0', '::/0', ...siblings]) {
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

describe('LOCALE and TZ (issue #16 §4: staff pages in the staff language)', () => {
  it("makes English the staff pages' default unless LOCALE=nb, and refuses other languages", () => {
    expect(loadConfig({}).staffLocale).toBe('en');
    expect(loadConfig({ LOCALE: 'nb' }).staffLocale).toBe('nb');
    expect(() => loadConfig({ LOCALE: 'sv' })).toThrow(/LOCALE/);
  });

  it("takes the centre's time zone from TZ, else the zone the process resolves, and refuses a zone Intl does not know", () => {
    expect(loadConfig({ TZ: 'Europe/Oslo' }).timeZone).toBe('Europe/Oslo');
    expect(loadConfig({}).timeZone).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(() => loadConfig({ TZ: 'Mars/Olympus' })).toThrow(/TZ: an IANA time zone name/);
  });
});

describe('DEFAULT_COUNTRY (issue #14: phone entry)', () => {
  it('is Norway unless set, and takes any country the phone data knows', () => {
    expect(loadConfig({}).defaultCountry).toBe('NO');
    expect(loadConfig({ DEFAULT_COUNTRY: 'SE' }).defaultCountry).toBe('SE');
  });

  it('refuses what is not such a country, at start', () => {
    for (const bad of ['XX', 'no', 'NOR', '47']) {
      expect(() => loadConfig({ DEFAULT_COUNTRY: bad }), bad).toThrow(/DEFAULT_COUNTRY: an ISO 3166 two-letter country code/);
    }
  });

  it('takes WEBHOOK_URLS only with a Standard Webhooks secret, and says which part is wrong', () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    expect(loadConfig({ WEBHOOK_URLS: ' http://cad.example/hooks , https://b.example/x ', WEBHOOK_SECRET: secret }).webhooks).toEqual({
      urls: ['http://cad.example/hooks', 'https://b.example/x'],
      secret,
      retryBaseMs: 5000,
      deadAfterMs: 24 * 3600_000,
    });
    expect(loadConfig({}).webhooks).toBeUndefined();
    expect(() => loadConfig({ WEBHOOK_URLS: 'http://cad.example/hooks' })).toThrow(/WEBHOOK_SECRET is required/);
    expect(() => loadConfig({ WEBHOOK_URLS: 'ftp://cad.example/hooks', WEBHOOK_SECRET: secret })).toThrow(/not an http\(s\) URL/);
    expect(() => loadConfig({ WEBHOOK_URLS: 'http://cad.example/hooks', WEBHOOK_SECRET: 'hunter2' })).toThrow(/whsec_/);
  });

  it('takes EIDO_WEBHOOK with the webhook secret (with or without WEBHOOK_URLS), and refuses it without one', () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    expect(loadConfig({ EIDO_WEBHOOK: 'https://cad.example/eido', WEBHOOK_SECRET: secret }).webhooks).toEqual({
      urls: [],
      eidoUrl: 'https://cad.example/eido',
      secret,
      retryBaseMs: 5000,
      deadAfterMs: 24 * 3600_000,
    });
    expect(loadConfig({ EIDO_WEBHOOK: 'https://cad.example/eido', WEBHOOK_URLS: 'http://cad.example/hooks', WEBHOOK_SECRET: secret }).webhooks).toMatchObject({
      urls: ['http://cad.example/hooks'],
      eidoUrl: 'https://cad.example/eido',
    });
    expect(() => loadConfig({ EIDO_WEBHOOK: 'https://cad.example/eido' })).toThrow(/EIDO_WEBHOOK needs WEBHOOK_SECRET/);
    expect(() => loadConfig({ EIDO_WEBHOOK: 'file:///tmp/eido', WEBHOOK_SECRET: secret })).toThrow(/EIDO_WEBHOOK: not an http\(s\) URL/);
  });

  it('names each wrong variable once in its message, whether or not the rule names it itself', () => {
    let message = '';
    try {
      loadConfig({ TZ: 'Europe/Osloo', DEFAULT_COUNTRY: 'no', NODE_ID: 'a b', REDIS_URL: 'http://x', PORT: 'many' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['TZ', 'DEFAULT_COUNTRY', 'NODE_ID', 'REDIS_URL', 'PORT']) {
      const line = message.split('\n').find((l) => l.includes(name));
      expect(line, name).toBeDefined();
      expect(line!.split(name).length - 1, line).toBe(1);
    }
  });
});
