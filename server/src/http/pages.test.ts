import { describe, expect, it } from 'vitest';
import { withStaffDefaults } from './pages.js';

describe('staff page shells', () => {
  it('carry LOCALE as the page language and default, and the centre time zone', () => {
    const html = withStaffDefaults('<!doctype html>\n<html lang="en">\n<head>', { locale: 'nb', timeZone: 'Europe/Oslo' });
    expect(html).toBe('<!doctype html>\n<html lang="nb" data-default-locale="nb" data-time-zone="Europe/Oslo">\n<head>');
  });

  it('escape what they write into the attribute', () => {
    expect(withStaffDefaults('<html lang="en">', { locale: 'en', timeZone: 'a"<b' })).toContain('data-time-zone="a&#34;&#60;b"');
  });
});
