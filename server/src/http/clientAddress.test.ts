import { describe, expect, it } from 'vitest';
import { addressKey } from './clientAddress.js';

describe('addressKey', () => {
  it('keys IPv4 by the full address', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('203.0.113.8')).toBe('203.0.113.8');
  });

  it('keys every address of one IPv6 /64 alike, and another /64 apart', () => {
    const keys = ['2001:db8:1:2::a1', '2001:db8:1:2::a6', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:DB8:1:2:0:0:0:1'].map(addressKey);
    expect(new Set(keys)).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(addressKey('2001:db8:1:3::a1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80::/64');
  });

  it('keys an IPv4-mapped IPv6 address as the IPv4 address, in either notation', () => {
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('puts what is not an address under one shared key', () => {
    for (const v of [undefined, '', 'localhost', '1.2.3', '::g']) expect(addressKey(v)).toBe('unknown');
  });
});
