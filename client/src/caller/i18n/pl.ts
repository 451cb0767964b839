import type { CallerText } from './types.js';

export const pl: CallerText = {
  name: 'Polski',
  title: 'Pokaż nam, co się dzieje',
  consent: 'Centrum ratunkowe prosi o pokazanie tego, co widzi Twoja kamera. Zobaczą to tylko osoby, które Ci pomagają. Nie rozłączaj się.',
  recording: { off: 'Wideo nie jest nagrywane.', 'on-demand': 'Wideo może zostać nagrane do dokumentacji medycznej. Zobaczysz, kiedy.', always: 'Wideo jest nagrywane do dokumentacji medycznej.' },
  start: 'Włącz wideo',
  status: { ready: 'Gotowe', connecting: 'Łączenie…', live: 'Na żywo: widzą Twoje wideo', reconnecting: 'Ponowne łączenie…', paused: 'Pauza: widzą czarny obraz', ended: 'Wideo zakończone. Dziękujemy.', expired: 'Ten link już nie działa. Poproś o nowy przez telefon.', weak: 'Słaba sieć: obraz może być nieostry', unsupported: 'Ta przeglądarka nie może wysyłać wideo', camera_denied: 'Kamera jest niedostępna', error: 'Coś poszło nie tak. Spróbuj ponownie.' },
  help: {
    ios: 'Kamera jest zablokowana. Stuknij „aA” w pasku adresu, potem Ustawienia witryny, zezwól na Kamerę i odśwież.',
    android: 'Kamera jest zablokowana. Stuknij kłódkę obok adresu, zezwól na Kamerę i odśwież.',
    inApp: 'Ta aplikacja nie może używać kamery. Stuknij ⋯ i wybierz „Otwórz w przeglądarce” (Safari lub Chrome).',
    other: 'Kamera jest zablokowana. Zezwól na kamerę dla tej strony w ustawieniach przeglądarki i odśwież.',
    unsupported: 'Ta przeglądarka nie może wysyłać wideo na żywo. Otwórz link w Safari lub Chrome. Nadal możesz wysłać zdjęcie.',
    lockdown: 'Ta przeglądarka nie może wysyłać wideo na żywo. Czy Tryb blokady (Lockdown Mode) jest włączony? Stuknij „aA” w pasku adresu, potem Ustawienia witryny, wyłącz Tryb blokady dla tej strony i odśwież. Nadal możesz wysłać zdjęcie.',
  },
  flip: 'Zmień kamerę', torch: 'Latarka', pause: 'Wstrzymaj wideo', resume: 'Wznów wideo',
  location: 'Udostępnij lokalizację', locationSent: 'Lokalizacja wysłana', photo: 'Wyślij zdjęcie', photoSent: 'Zdjęcie wysłane', codeLabel: 'Wpisz 6-cyfrowy kod podany przez telefon', codeWrong: 'Kod jest nieprawidłowy. Sprawdź go i spróbuj ponownie.', chat: 'Wiadomości',
  trouble: { offline: 'Brak połączenia. Sprawdź sieć i spróbuj ponownie.', tooManyTries: 'Zbyt wiele prób. Poczekaj chwilę i spróbuj ponownie.', location: 'Nie udało się ustalić Twojej lokalizacji.', photo: 'Zdjęcie nie zostało wysłane. Spróbuj ponownie.' },
  send: 'Wyślij', language: 'Język',
  from: { dispatcher: 'Centrum ratunkowe', viewer: 'Lekarz lub karetka', caller: 'Ty' },
  presets: { hold_steady: 'Trzymaj telefon nieruchomo.', move_closer: 'Podejdź bliżej.', show_face: 'Pokaż nam twarz pacjenta.', show_chest: 'Pokaż nam klatkę piersiową, żebyśmy widzieli oddech.', turn_on_light: 'Włącz światło.', help_coming: 'Pomoc jest w drodze.', stay_on_phone: 'Nie rozłączaj się.' },
};
