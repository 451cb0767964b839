import type { CallerText } from './types.js';

export const sv: CallerText = {
  name: 'Svenska',
  title: 'Visa oss vad som händer',
  consent: 'Larmcentralen ber att få se det din kamera ser. Bara de som hjälper dig ser det. Fortsätt prata i telefonen.',
  recording: { off: 'Videon spelas inte in.', 'on-demand': 'Videon kan spelas in för journalen. Du ser när det sker.', always: 'Videon spelas in för journalen.' },
  start: 'Starta video',
  status: { ready: 'Redo', connecting: 'Ansluter …', live: 'Live: de ser din video', reconnecting: 'Återansluter …', paused: 'Pausad: de ser en svart bild', ended: 'Videon är avslutad. Tack.', expired: 'Länken fungerar inte längre. Be om en ny i telefonen.', weak: 'Svagt nät: bilden kan bli suddig', unsupported: 'Den här webbläsaren kan inte skicka video', camera_denied: 'Kameran är inte tillgänglig', error: 'Något gick fel. Försök igen.' },
  help: {
    ios: 'Kameran är blockerad. Tryck på ”aA” i adressfältet, sedan Webbplatsinställningar, välj Tillåt för Kamera och ladda om.',
    android: 'Kameran är blockerad. Tryck på låset till vänster om adressen, tillåt Kamera och ladda om.',
    inApp: 'Den här appen kan inte använda kameran. Tryck ⋯ och välj ”Öppna i webbläsare” (Safari eller Chrome).',
    other: 'Kameran är blockerad. Tillåt kameran för sidan i webbläsarens inställningar och ladda om.',
    unsupported: 'Den här webbläsaren kan inte skicka livevideo. Öppna länken i Safari eller Chrome. Du kan fortfarande skicka en bild.',
    lockdown: 'Den här webbläsaren kan inte skicka livevideo. Är Låst läge (Lockdown Mode) på? Tryck på ”aA” i adressfältet, sedan Webbplatsinställningar, stäng av Låst läge för den här sidan och ladda om. Du kan fortfarande skicka en bild.',
  },
  flip: 'Byt kamera', torch: 'Lampa', pause: 'Pausa video', resume: 'Fortsätt video',
  location: 'Dela min position', locationSent: 'Position skickad', photo: 'Skicka en bild', photoSent: 'Bild skickad', codeLabel: 'Skriv den sexsiffriga koden du fick i telefonen', codeWrong: 'Koden stämmer inte. Kontrollera den och försök igen.', chat: 'Meddelanden',
  trouble: { offline: 'Ingen anslutning. Kontrollera nätet och försök igen.', tooManyTries: 'För många försök. Vänta en stund och försök igen.', location: 'Din position kunde inte hittas.', photo: 'Bilden skickades inte. Försök igen.' },
  send: 'Skicka', language: 'Språk',
  from: { dispatcher: 'Larmcentralen', viewer: 'Läkare eller ambulans', caller: 'Du' },
  presets: { hold_steady: 'Håll telefonen stilla.', move_closer: 'Gå närmare.', show_face: 'Visa oss patientens ansikte.', show_chest: 'Visa oss bröstkorgen så vi ser andningen.', turn_on_light: 'Tänd en lampa.', help_coming: 'Hjälp är på väg.', stay_on_phone: 'Stanna kvar i telefonen.' },
};
