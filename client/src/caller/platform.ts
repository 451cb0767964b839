/** Which help text fits this browser when the camera is unavailable. */
export type Platform = 'ios' | 'android' | 'inApp' | 'other';

export function detectPlatform(ua = navigator.userAgent): Platform {
  // In-app browsers (Facebook, Instagram, Snapchat, LINE, Android WebViews) often lack getUserMedia.
  if (/FBAN|FBAV|Instagram|Snapchat|Line\/|; wv\)/.test(ua)) return 'inApp';
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Android/.test(ua)) return 'android';
  return 'other';
}
