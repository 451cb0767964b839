/** Caller-facing text. Plain words for a stressed person; the full language set comes with the caller-page work. */
export interface CallerText {
  title: string;
  consent: string;
  recordingUnknown: string;
  start: string;
  statuses: Record<string, string>;
  denied: string;
  unsupported: string;
  expired: string;
}

const en: CallerText = {
  title: 'Show us the scene',
  consent:
    'The emergency centre asks to see what your camera sees. Only the people helping you will see the video. Keep talking on the phone.',
  recordingUnknown: 'The video may be recorded for the emergency record.',
  start: 'Start video',
  statuses: {
    ready: 'Ready',
    connecting: 'Connecting…',
    live: 'Live: the emergency centre can see your video',
    reconnecting: 'Reconnecting…',
    ended: 'The video call has ended. Thank you.',
  },
  denied: 'The camera is blocked. Tap the camera or lock icon in the address bar, allow the camera, and reload this page.',
  unsupported: 'This browser cannot use the camera. Open the link in Safari (iPhone) or Chrome (Android).',
  expired: 'This link is no longer valid. Ask the emergency centre for a new one.',
};

const nb: CallerText = {
  title: 'Vis oss stedet',
  consent:
    'AMK ber om å se det kameraet ditt ser. Bare de som hjelper deg, ser videoen. Fortsett å snakke i telefonen.',
  recordingUnknown: 'Videoen kan bli tatt opp i journalen.',
  start: 'Start video',
  statuses: {
    ready: 'Klar',
    connecting: 'Kobler til…',
    live: 'Direkte: AMK ser videoen din',
    reconnecting: 'Kobler til på nytt…',
    ended: 'Videosamtalen er avsluttet. Takk.',
  },
  denied: 'Kameraet er blokkert. Trykk på kamera- eller låsikonet i adressefeltet, tillat kamera og last inn siden på nytt.',
  unsupported: 'Denne nettleseren kan ikke bruke kameraet. Åpne lenken i Safari (iPhone) eller Chrome (Android).',
  expired: 'Lenken er ikke lenger gyldig. Be AMK om en ny.',
};

const TEXTS: Record<string, CallerText> = { en, nb, nn: nb };

export function callerText(lang: string): CallerText {
  return TEXTS[lang] ?? TEXTS[lang.slice(0, 2)] ?? en;
}
