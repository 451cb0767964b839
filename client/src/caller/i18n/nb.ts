import type { CallerText } from './types.js';

export const nb: CallerText = {
  name: 'Norsk bokmål',
  title: 'Vis oss hva som skjer',
  consent: 'AMK ber om å se det kameraet ditt ser. Bare de som hjelper deg, ser det. Fortsett å snakke i telefonen.',
  recording: { off: 'Videoen blir ikke tatt opp.', 'on-demand': 'Videoen kan bli tatt opp til journalen. Du ser det når det skjer.', always: 'Videoen blir tatt opp til journalen.' },
  start: 'Start video',
  status: { ready: 'Klar', connecting: 'Kobler til …', live: 'Direkte: de ser videoen din', reconnecting: 'Kobler til på nytt …', paused: 'Pause: de ser svart bilde', ended: 'Videoen er avsluttet. Takk.', expired: 'Lenken virker ikke lenger. Be om en ny i telefonen.', weak: 'Svakt nett: bildet kan bli uskarpt', unsupported: 'Denne nettleseren kan ikke sende video', camera_denied: 'Kameraet er ikke tilgjengelig', error: 'Noe gikk galt. Prøv igjen.' },
  help: {
    ios: 'Kameraet er blokkert. Trykk «aA» i adressefeltet, så Nettstedinnstillinger, sett Kamera til Tillat og last inn på nytt.',
    android: 'Kameraet er blokkert. Trykk på låsen til venstre for adressen, tillat Kamera og last inn på nytt.',
    inApp: 'Denne appen kan ikke bruke kameraet. Trykk ⋯ og velg «Åpne i nettleser» (Safari eller Chrome).',
    other: 'Kameraet er blokkert. Tillat kamera for siden i nettleserinnstillingene og last inn på nytt.',
    unsupported: 'Denne nettleseren kan ikke sende direkte video. Åpne lenken i Safari eller Chrome. Du kan fortsatt sende et bilde.',
    lockdown: 'Denne nettleseren kan ikke sende direkte video. Er Låst modus (Lockdown Mode) på? Trykk «aA» i adressefeltet, så Nettstedinnstillinger, slå av Låst modus for denne siden og last inn på nytt. Du kan fortsatt sende et bilde.',
  },
  flip: 'Bytt kamera', torch: 'Lys', pause: 'Pause video', resume: 'Fortsett video',
  location: 'Del posisjonen min', locationSent: 'Posisjon sendt', photo: 'Send et bilde', photoSent: 'Bilde sendt', codeLabel: 'Skriv den sekssifrede koden du fikk i telefonen', codeWrong: 'Koden stemmer ikke. Sjekk den og prøv igjen.', chat: 'Meldinger',
  trouble: { offline: 'Ingen forbindelse. Sjekk nettet og prøv igjen.', tooManyTries: 'For mange forsøk. Vent litt og prøv igjen.', location: 'Fant ikke posisjonen din.', photo: 'Bildet ble ikke sendt. Prøv igjen.' },
  send: 'Send', language: 'Språk',
  from: { dispatcher: 'AMK', viewer: 'Lege eller ambulanse', caller: 'Du' },
  presets: { hold_steady: 'Hold telefonen stødig.', move_closer: 'Gå nærmere.', show_face: 'Vis oss ansiktet til pasienten.', show_chest: 'Vis oss brystet, så vi ser pusten.', turn_on_light: 'Slå på lyset.', help_coming: 'Hjelpen er på vei.', stay_on_phone: 'Bli i telefonen med oss.' },
};
