import { request, type SignallingSocket } from '../common/signalling.js';
import { preparePhoto } from './photo.js';
import { $, type CallerUi } from './CallerUi.js';

/** Location sharing and the caller's chat replies, once the caller has joined the session. */
export function wireExtras(ui: CallerUi, socket: SignallingSocket, sessionId: string): void {
  $('chat').hidden = false;
  const chatInput = $<HTMLInputElement>('chat-input');
  $('chat-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = chatInput.value.trim();
    if (text)
      void request(socket, 'chat:send', { sessionId, text }).then(
        () => (chatInput.value = ''),
        () => undefined,
      );
  });

  $('location').addEventListener('click', () => {
    if (!navigator.geolocation) return ui.note((t) => t.trouble.location);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const { latitude: lat, longitude: lng, accuracy } = pos.coords;
        request(socket, 'caller:location', { sessionId, lat, lng, accuracy }).then(
          () => ui.note((t) => t.locationSent),
          () => ui.note((t) => t.status.error),
        );
      },
      // The browser's message is English and technical ("User denied Geolocation"): plain words instead.
      () => ui.note((t) => t.trouble.location),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  });
}

/** Where a photo goes: the session, with the caller's token; or, before the tap, the unspent invite. */
export type PhotoTarget = { url: string; token?: string };

/**
 * The photo fallback, for when live video will not work: wired once at load, because a browser that
 * cannot stream offers it before any tap. `target` is asked at each upload. `over` is told when the
 * server refuses a photo sent on the invite for good (410: the session ended, or the invite was used
 * or ran out): before a tap the page has no socket, and this refusal is how it learns, so "try again"
 * would be wrong. (After the tap the socket tells the page the session ended.)
 */
export function wirePhoto(ui: CallerUi, target: () => PhotoTarget, over: (state: 'ended' | 'expired') => void): void {
  // Two ways in: the extras' "send a photo" (camera or gallery) and the camera guide's "send a photo
  // instead" (`capture`: straight to the phone's own camera app, which a blocked page camera does not stop).
  for (const id of ['photo', 'photo-capture']) $<HTMLInputElement>(id).addEventListener('change', (ev) => void upload(ui, ev, target, over));
}

/** One photo chosen in either input: made ready here, sent, and the outcome noted in the caller's words. */
async function upload(ui: CallerUi, ev: Event, target: () => PhotoTarget, over: (state: 'ended' | 'expired') => void): Promise<void> {
  const input = ev.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  // Scaled down and made JPEG here: small over a weak network, and every console can show it.
  let photo: Blob;
  try {
    photo = await preparePhoto(file);
  } catch (err) {
    console.warn('caller page: photo', err);
    return ui.note((t) => t.trouble.photo);
  }
  const { url, token } = target();
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...(token && { authorization: `Bearer ${token}` }), 'content-type': 'image/jpeg' },
    body: photo,
  }).catch(() => undefined);
  if (res?.status === 410 && !token) {
    const body = (await res.json().catch(() => undefined)) as { error?: { reason?: string } } | undefined;
    return over(body?.error?.reason === 'ended' ? 'ended' : 'expired');
  }
  // 429: the session's photo limit (server/src/ratelimit/limits.ts); a moment later it takes photos again.
  if (res?.status === 429) return ui.note((t) => t.trouble.tooManyTries);
  ui.note(res?.ok ? (t) => t.photoSent : res ? (t) => t.trouble.photo : (t) => t.trouble.offline);
}
