import { describe, expect, it } from 'vitest';
import { en } from './i18n/en.js';
import { helpFor } from './unsupported.js';

const IOS_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const IOS_CHROME =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1';
const FACEBOOK =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.36.108]';
const WEBKITGTK = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15';
const DESKTOP_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('help for a browser that cannot send live video', () => {
  it('sends in-app browsers to a real browser, iOS Safari without WebRTC to its Lockdown Mode setting, the rest to Safari or Chrome', () => {
    expect(helpFor('no_peer_connection', IOS_SAFARI)(en)).toBe(en.help.lockdown);
    expect(helpFor('no_peer_connection', IOS_CHROME)(en)).toBe(en.help.unsupported);
    expect(helpFor('no_peer_connection', FACEBOOK)(en)).toBe(en.help.inApp);
    expect(helpFor('no_peer_connection', WEBKITGTK)(en)).toBe(en.help.unsupported);
    expect(helpFor('no_get_user_media', DESKTOP_CHROME)(en)).toBe(en.help.inApp);
    expect(helpFor('insecure_context', IOS_SAFARI)(en)).toBe(en.help.unsupported);
  });
});
