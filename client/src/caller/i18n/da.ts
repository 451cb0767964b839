import type { CallerText } from './types.js';

export const da: CallerText = {
  name: 'Dansk',
  title: 'Vis os, hvad der sker',
  consent: 'Alarmcentralen beder om at se det, dit kamera ser. Kun dem, der hjælper dig, ser det. Bliv ved med at tale i telefonen.',
  recording: { off: 'Videoen bliver ikke optaget.', 'on-demand': 'Videoen kan blive optaget til journalen. Du kan se, når det sker.', always: 'Videoen bliver optaget til journalen.' },
  start: 'Start video',
  status: { ready: 'Klar', connecting: 'Forbinder …', live: 'Live: de kan se din video', reconnecting: 'Forbinder igen …', paused: 'Pause: de ser et sort billede', ended: 'Videoen er slut. Tak.', expired: 'Linket virker ikke længere. Bed om et nyt i telefonen.', weak: 'Svagt net: billedet kan blive uskarpt', unsupported: 'Denne browser kan ikke sende video', camera_denied: 'Kameraet er ikke tilgængeligt', error: 'Noget gik galt. Prøv igen.' },
  help: {
    ios: 'Kameraet er blokeret. Tryk på “aA” i adresselinjen, derefter Indstillinger for websted, sæt Kamera til Tillad og genindlæs.',
    android: 'Kameraet er blokeret. Tryk på låsen til venstre for adressen, tillad Kamera og genindlæs.',
    inApp: 'Denne app kan ikke bruge kameraet. Tryk ⋯ og vælg “Åbn i browser” (Safari eller Chrome).',
    other: 'Kameraet er blokeret. Tillad kameraet for siden i browserens indstillinger og genindlæs.',
    unsupported: 'Denne browser kan ikke sende live video. Åbn linket i Safari eller Chrome. Du kan stadig sende et billede.',
    lockdown: 'Denne browser kan ikke sende live video. Er Låst tilstand (Lockdown Mode) slået til? Tryk på “aA” i adresselinjen, derefter Indstillinger for websted, slå Låst tilstand fra for dette websted og genindlæs. Du kan stadig sende et billede.',
  },
  flip: 'Skift kamera', torch: 'Lys', pause: 'Pause video', resume: 'Fortsæt video',
  location: 'Del min position', locationSent: 'Position sendt', photo: 'Send et billede', photoSent: 'Billede sendt', codeLabel: 'Skriv den sekscifrede kode, du fik i telefonen', codeWrong: 'Koden passer ikke. Tjek den og prøv igen.', chat: 'Beskeder',
  trouble: { offline: 'Ingen forbindelse. Tjek nettet og prøv igen.', tooManyTries: 'For mange forsøg. Vent lidt og prøv igen.', location: 'Din position kunne ikke findes.', photo: 'Billedet blev ikke sendt. Prøv igen.' },
  send: 'Send', language: 'Sprog',
  from: { dispatcher: 'Alarmcentralen', viewer: 'Læge eller ambulance', caller: 'Dig' },
  presets: { hold_steady: 'Hold telefonen stille.', move_closer: 'Gå tættere på.', show_face: 'Vis os patientens ansigt.', show_chest: 'Vis os brystet, så vi kan se vejrtrækningen.', turn_on_light: 'Tænd lyset.', help_coming: 'Hjælpen er på vej.', stay_on_phone: 'Bliv i telefonen med os.' },
};
