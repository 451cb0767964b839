import type { CallerText } from './types.js';

export const fi: CallerText = {
  name: 'Suomi',
  title: 'Näytä meille, mitä tapahtuu',
  consent: 'Hätäkeskus pyytää nähdä, mitä kamerasi näkee. Vain sinua auttavat näkevät sen. Jatka puhelua.',
  recording: { off: 'Videota ei tallenneta.', 'on-demand': 'Video voidaan tallentaa potilasasiakirjoihin. Näet, milloin.', always: 'Video tallennetaan potilasasiakirjoihin.' },
  start: 'Aloita video',
  status: { ready: 'Valmis', connecting: 'Yhdistetään…', live: 'Suorana: he näkevät videosi', reconnecting: 'Yhdistetään uudelleen…', paused: 'Tauko: he näkevät mustan kuvan', ended: 'Video on päättynyt. Kiitos.', expired: 'Linkki ei enää toimi. Pyydä uusi puhelimessa.', weak: 'Heikko verkko: kuva voi olla epätarkka', unsupported: 'Tämä selain ei voi lähettää videota', camera_denied: 'Kamera ei ole käytettävissä', error: 'Jokin meni vikaan. Yritä uudelleen.' },
  help: {
    ios: 'Kamera on estetty. Napauta osoiterivin ”aA”, sitten Verkkosivuston asetukset, salli Kamera ja lataa sivu uudelleen.',
    android: 'Kamera on estetty. Napauta osoitteen vasemmalla olevaa lukkoa, salli Kamera ja lataa sivu uudelleen.',
    inApp: 'Tämä sovellus ei voi käyttää kameraa. Napauta ⋯ ja valitse ”Avaa selaimessa” (Safari tai Chrome).',
    other: 'Kamera on estetty. Salli kamera tälle sivulle selaimen asetuksista ja lataa sivu uudelleen.',
    unsupported: 'Tämä selain ei voi lähettää suoraa videota. Avaa linkki Safarissa tai Chromessa. Voit silti lähettää kuvan.',
    lockdown: 'Tämä selain ei voi lähettää suoraa videota. Onko eristystila (Lockdown Mode) päällä? Napauta osoiterivin ”aA”, sitten Verkkosivuston asetukset, laita eristystila pois tältä sivustolta ja lataa sivu uudelleen. Voit silti lähettää kuvan.',
  },
  flip: 'Vaihda kameraa', torch: 'Valo', pause: 'Keskeytä video', resume: 'Jatka videota',
  location: 'Jaa sijaintini', locationSent: 'Sijainti lähetetty', photo: 'Lähetä kuva', photoSent: 'Kuva lähetetty', codeLabel: 'Kirjoita puhelimessa saamasi 6-numeroinen koodi', codeWrong: 'Koodi ei ole oikein. Tarkista se ja yritä uudelleen.', chat: 'Viestit',
  trouble: { offline: 'Ei yhteyttä. Tarkista verkko ja yritä uudelleen.', tooManyTries: 'Liian monta yritystä. Odota hetki ja yritä uudelleen.', location: 'Sijaintiasi ei löytynyt.', photo: 'Kuvaa ei lähetetty. Yritä uudelleen.' },
  send: 'Lähetä', language: 'Kieli',
  from: { dispatcher: 'Hätäkeskus', viewer: 'Lääkäri tai ambulanssi', caller: 'Sinä' },
  presets: { hold_steady: 'Pidä puhelin vakaana.', move_closer: 'Mene lähemmäs.', show_face: 'Näytä potilaan kasvot.', show_chest: 'Näytä rintakehä, jotta näemme hengityksen.', turn_on_light: 'Sytytä valo.', help_coming: 'Apu on tulossa.', stay_on_phone: 'Pysy puhelimessa.' },
};
