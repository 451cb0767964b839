import type { CallerLocation } from '@sightline/shared';
import { h } from './dom.js';

/**
 * A link to OpenStreetMap at the caller's shared position (zoom 17: street level), labelled with the
 * coordinates to 5 decimals (~1 m) and the accuracy in metres, as the console and the viewer page show it.
 * `time`: how the time of the fix is written (the page's own language and clock).
 */
export function locationLink(loc: CallerLocation, time: (at: Date) => string): (Node | string)[] {
  const lat = loc.lat.toFixed(5);
  const lng = loc.lng.toFixed(5);
  return [
    h('a', { href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=17/${lat}/${lng}`, target: '_blank', rel: 'noreferrer' }, `${lat}, ${lng}`),
    ` ±${Math.round(loc.accuracy)} m (${time(new Date(loc.at))})`,
  ];
}
