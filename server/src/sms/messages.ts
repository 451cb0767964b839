import type { Language } from '@sightline/shared';

/** The SMS text, link first so it survives truncation and previews. Kept short: one SMS segment where possible. */
const TEXT: Record<Language, string> = {
  nb: 'fra AMK: trykk for å vise oss stedet med kameraet. Taleanropet fortsetter.',
  nn: 'frå AMK: trykk for å vise oss staden med kameraet. Taleoppringinga held fram.',
  sv: 'från larmcentralen: tryck för att visa platsen med kameran. Samtalet fortsätter.',
  da: 'fra alarmcentralen: tryk for at vise stedet med kameraet. Opkaldet fortsætter.',
  fi: 'hätäkeskukselta: näytä paikka kameralla napauttamalla. Puhelu jatkuu.',
  en: 'from the emergency centre: tap to show us the scene with your camera. Stay on the call.',
  ar: 'من مركز الطوارئ: اضغط لتُرينا المكان بالكاميرا. ابقَ على الخط.',
  pl: 'od centrum ratunkowego: dotknij, aby pokazać miejsce kamerą. Nie rozłączaj się.',
  so: 'xarunta gurmadka: taabo si aad kamarada noogu tusto goobta. Khadka ku sii jir.',
  uk: 'від екстреної служби: торкніться, щоб показати місце камерою. Не кладіть слухавку.',
};

export function smsBody(link: string, language: Language): string {
  return `${link} ${TEXT[language]}`;
}

/**
 * The viewer's SMS (a doctor or the ambulance crew: staff, so bokmål for a Norwegian session and
 * English otherwise, as the viewer page speaks), link first as for the caller.
 */
export function viewerSmsBody(link: string, language: Language): string {
  const text =
    language === 'nb' || language === 'nn'
      ? 'fra AMK: video fra innringer, kun visning. Trykk for å se.'
      : "from the emergency centre: the caller's video, view only. Tap to watch.";
  return `${link} ${text}`;
}
