import type { CallerText } from './types.js';

export const nn: CallerText = {
  name: 'Norsk nynorsk',
  title: 'Vis oss kva som skjer',
  consent: 'AMK ber om å sjå det kameraet ditt ser. Berre dei som hjelper deg, ser det. Hald fram med å snakke i telefonen.',
  recording: { off: 'Videoen vert ikkje teken opp.', 'on-demand': 'Videoen kan verte teken opp til journalen. Du ser det når det skjer.', always: 'Videoen vert teken opp til journalen.' },
  start: 'Start video',
  status: { ready: 'Klar', connecting: 'Koplar til …', live: 'Direkte: dei ser videoen din', reconnecting: 'Koplar til på nytt …', paused: 'Pause: dei ser svart bilete', ended: 'Videoen er avslutta. Takk.', expired: 'Lenkja verkar ikkje lenger. Be om ei ny i telefonen.', weak: 'Svakt nett: biletet kan verte uskarpt', unsupported: 'Denne nettlesaren kan ikkje sende video', camera_denied: 'Kameraet er ikkje tilgjengeleg', error: 'Noko gjekk gale. Prøv igjen.' },
  help: {
    ios: 'Kameraet er blokkert. Trykk «aA» i adressefeltet, så Nettstadinnstillingar, set Kamera til Tillat og last inn på nytt.',
    android: 'Kameraet er blokkert. Trykk på låsen til venstre for adressa, tillat Kamera og last inn på nytt.',
    inApp: 'Denne appen kan ikkje bruke kameraet. Trykk ⋯ og vel «Opne i nettlesar» (Safari eller Chrome).',
    other: 'Kameraet er blokkert. Tillat kamera for sida i nettlesarinnstillingane og last inn på nytt.',
    unsupported: 'Denne nettlesaren kan ikkje sende direkte video. Opne lenkja i Safari eller Chrome. Du kan framleis sende eit bilete.',
    lockdown: 'Denne nettlesaren kan ikkje sende direkte video. Er Låst modus (Lockdown Mode) på? Trykk «aA» i adressefeltet, så Nettstadinnstillingar, slå av Låst modus for denne sida og last inn på nytt. Du kan framleis sende eit bilete.',
  },
  flip: 'Byt kamera', torch: 'Lys', pause: 'Pause video', resume: 'Hald fram video',
  location: 'Del posisjonen min', locationSent: 'Posisjon sendt', photo: 'Send eit bilete', photoSent: 'Bilete sendt', codeLabel: 'Skriv den sekssifra koden du fekk i telefonen', codeWrong: 'Koden stemmer ikkje. Sjekk han og prøv igjen.', chat: 'Meldingar',
  trouble: { offline: 'Inga tilkopling. Sjekk nettet og prøv igjen.', tooManyTries: 'For mange forsøk. Vent litt og prøv igjen.', location: 'Fann ikkje posisjonen din.', photo: 'Biletet vart ikkje sendt. Prøv igjen.' },
  send: 'Send', language: 'Språk',
  from: { dispatcher: 'AMK', viewer: 'Lege eller ambulanse', caller: 'Du' },
  presets: { hold_steady: 'Hald telefonen stødig.', move_closer: 'Gå nærare.', show_face: 'Vis oss andletet til pasienten.', show_chest: 'Vis oss brystet, så vi ser pusten.', turn_on_light: 'Slå på lyset.', help_coming: 'Hjelpa er på veg.', stay_on_phone: 'Ver i telefonen med oss.' },
};
