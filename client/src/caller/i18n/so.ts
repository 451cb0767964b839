import type { CallerText } from './types.js';

export const so: CallerText = {
  name: 'Soomaali',
  title: 'Na tus waxa dhacaya',
  consent: 'Xarunta gurmadka waxay codsanaysaa inay aragto waxa kamaradaadu aragto. Kaliya kuwa ku caawinaya ayaa arki doona. Telefoonka ku sii hadal.',
  recording: { off: 'Fiidiyowga lama duubayo.', 'on-demand': 'Fiidiyowga waa la duubi karaa diiwaanka caafimaadka. Waad arki doontaa goorta.', always: 'Fiidiyowga waa la duubayaa diiwaanka caafimaadka.' },
  start: 'Bilow fiidiyowga',
  status: { ready: 'Diyaar', connecting: 'Waa la isku xirayaa…', live: 'Toos: way arkayaan fiidiyowgaaga', reconnecting: 'Dib ayaa loo isku xirayaa…', paused: 'Hakad: waxay arkayaan sawir madow', ended: 'Fiidiyowgu wuu dhammaaday. Mahadsanid.', expired: 'Xiriirkani ma shaqaynayo. Telefoonka ka codso mid cusub.', weak: 'Shabakad daciif ah: sawirku wuu xumaan karaa', unsupported: 'Browser-kan ma diri karo fiidiyow', camera_denied: 'Kamaradu lama heli karo', error: 'Wax baa khaldamay. Mar kale isku day.' },
  help: {
    ios: 'Kamaradu way xiran tahay. Taabo “aA” ee ciwaanka, kadib Website Settings, u oggolow Camera, oo dib u soo rar.',
    android: 'Kamaradu way xiran tahay. Taabo quful-ka ciwaanka dhinaciisa, u oggolow Camera, oo dib u soo rar.',
    inApp: 'App-kan ma isticmaali karo kamarada. Taabo ⋯ oo dooro “Open in browser” (Safari ama Chrome).',
    other: 'Kamaradu way xiran tahay. U oggolow kamarada boggan goobaha browser-ka oo dib u soo rar.',
    unsupported: 'Browser-kan ma diri karo fiidiyow toos ah. Linkiga ku fur Safari ama Chrome. Weli sawir waad diri kartaa.',
    lockdown: 'Browser-kan ma diri karo fiidiyow toos ah. Ma shidan yahay Lockdown Mode? Taabo “aA” ee ciwaanka, kadib Website Settings, ka dami Lockdown Mode boggan, oo dib u soo rar. Weli sawir waad diri kartaa.',
  },
  flip: 'Beddel kamarada', torch: 'Iftiin', pause: 'Jooji fiidiyowga', resume: 'Sii wad fiidiyowga',
  location: 'La wadaag goobtayda', locationSent: 'Goobta waa la diray', photo: 'Dir sawir', photoSent: 'Sawirka waa la diray', codeLabel: 'Qor koodka 6-da god ah ee lagugu siiyay telefoonka', codeWrong: 'Koodkaasi sax maaha. Hubi oo isku day mar kale.', chat: 'Fariimaha',
  trouble: { offline: 'Xiriir ma jiro. Hubi shabakadda oo mar kale isku day.', tooManyTries: 'Isku day aad u badan. Wax yar sug oo mar kale isku day.', location: 'Goobtaada lama helin.', photo: 'Sawirka lama dirin. Mar kale isku day.' },
  send: 'Dir', language: 'Luqadda',
  from: { dispatcher: 'Xarunta gurmadka', viewer: 'Dhakhtar ama ambalaas', caller: 'Adiga' },
  presets: { hold_steady: 'Telefoonka si deggan u qabo.', move_closer: 'Fadlan u soo dhowow.', show_face: 'Na tus wejiga bukaanka.', show_chest: 'Na tus laabta si aan u aragno neefsashada.', turn_on_light: 'Fadlan shid iftiinka.', help_coming: 'Caawimaadu waa soo socotaa.', stay_on_phone: 'Telefoonka nagu sii hay.' },
};
