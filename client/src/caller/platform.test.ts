import { describe, expect, it } from 'vitest';
import { detectPlatform } from './platform.js';

/** Real user agents, as the browsers named send them. */
const UA = {
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1',
  iphoneChrome:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
  iphoneFirefox: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15',
  iphoneEdge:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/126.2592.56 Mobile/15E148 Safari/605.1.15',
  ipadMobile: 'Mozilla/5.0 (iPad; CPU OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1',
  // iPadOS 13+ Safari (and Chrome or Firefox asking for the desktop site) send exactly a Mac's user agent.
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  macFirefox: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:127.0) Gecko/20100101 Firefox/127.0',
  androidChrome: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36',
  androidSamsung:
    'Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/22.0 Chrome/111.0.5563.116 Mobile Safari/537.36',
  androidFirefox: 'Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0',
  linuxChrome: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0',
  windowsEdge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
};

const IN_APP = {
  facebookIos: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) [FBAN/FBIOS;FBAV/440.0]',
  messengerIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/MessengerLiteForiOS;FBAV/466.0.0.43.107]',
  instagramIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 339.0.2.12.106 (iPhone15,2; iOS 17_5; nb_NO; nb; scale=3.00; 1179x2556; 617183620)',
  tiktokIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_35.1.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/nb Region/NO',
  snapchatIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/13.0.0.44 (like Safari/8617.2.4.10.8, panda)',
  linkedinIos: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.8',
  androidWebView: 'Mozilla/5.0 (Linux; Android 14; wv) AppleWebKit/537.36 Version/4.0 Chrome/120.0 Mobile Safari/537.36',
  androidFacebook:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/470.0.0.45.73;]',
  androidTiktok:
    'Mozilla/5.0 (Linux; Android 14; SM-S911B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 Mobile Safari/537.36 trill_350103 BytedanceWebview/d8a21c6',
  androidOldWebView:
    'Mozilla/5.0 (Linux; Android 4.4.2; SM-T530 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/30.0.0.0 Safari/537.36',
  wechatAndroid:
    'Mozilla/5.0 (Linux; Android 13; V2183A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN',
};

describe('detectPlatform', () => {
  it('tells iOS Safari, Android Chrome and in-app browsers apart', () => {
    expect(detectPlatform(UA.iphoneSafari)).toBe('ios');
    expect(detectPlatform(UA.androidChrome)).toBe('android');
    expect(detectPlatform(IN_APP.facebookIos)).toBe('inApp');
    expect(detectPlatform(IN_APP.androidWebView)).toBe('inApp');
    expect(detectPlatform(UA.linuxChrome)).toBe('other');
  });

  it('takes an iPad sending a Mac user agent for iOS: a Mac user agent with a touch screen (issue #10 kind 9)', () => {
    // iPadOS Safari reports 5 touch points; Chrome and Firefox asking for the desktop site on an iPad too.
    expect(detectPlatform(UA.macSafari, 5)).toBe('ios');
    expect(detectPlatform(UA.macFirefox, 5)).toBe('ios');
    // A real Mac: no touch points (a trackpad is not a touch screen).
    expect(detectPlatform(UA.macSafari, 0)).toBe('other');
    expect(detectPlatform(UA.macFirefox, 0)).toBe('other');
    // Older iPads still say iPad.
    expect(detectPlatform(UA.ipadMobile, 5)).toBe('ios');
  });

  it('takes Chrome, Firefox and Edge on iOS for iOS (WebKit underneath), and other Android browsers for Android', () => {
    expect(detectPlatform(UA.iphoneChrome, 5)).toBe('ios');
    expect(detectPlatform(UA.iphoneFirefox, 5)).toBe('ios');
    expect(detectPlatform(UA.iphoneEdge, 5)).toBe('ios');
    expect(detectPlatform(UA.androidSamsung, 5)).toBe('android');
    expect(detectPlatform(UA.androidFirefox, 5)).toBe('android');
    // A Windows laptop with a touch screen is no iPad.
    expect(detectPlatform(UA.windowsEdge, 10)).toBe('other');
  });

  it('knows the common in-app browsers on iOS and Android, Android WebViews old and new', () => {
    for (const [name, ua] of Object.entries(IN_APP)) expect(detectPlatform(ua, 5), name).toBe('inApp');
  });
});
