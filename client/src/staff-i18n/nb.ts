import type { StaffCatalogue } from './catalogue.js';

/** The staff pages' texts in Norwegian bokmål, as an AMK operator reads them. Keys: en.ts. */
export const nb: StaffCatalogue = {
  name: 'Norsk bokmål',
  common: {
    language: 'Språk på siden',
    login: {
      username: 'Brukernavn',
      password: 'Passord',
      submit: 'Logg inn',
      signedOut: 'Du er logget ut. Logg inn igjen.',
    },
    logout: 'Logg ut',
  },
  errors: {
    bad_request: 'Forespørselen ble avvist: sjekk det som er fylt inn.',
    unauthorized: 'Feil brukernavn eller passord, eller innloggingen er utløpt.',
    forbidden: 'Ikke tillatt for denne brukeren.',
    not_found: 'Finnes ikke.',
    gone: 'Ikke lenger tilgjengelig (brukt, utløpt eller avsluttet).',
    conflict: 'Ikke mulig slik samtalen står nå.',
    rate_limited: 'For mange forsøk: vent litt og prøv igjen.',
    payload_too_large: 'For stor.',
    unsupported_media: 'Denne nettleseren kan ikke spille av dette.',
    unavailable: 'Tjenesten er utilgjengelig akkurat nå: prøv igjen.',
    insufficient_storage: 'Serverens disk er full: ingen nye bilder eller opptak.',
    internal: 'Noe gikk galt på serveren.',
    network: 'Ingen kontakt med serveren.',
  },
  console: {
    title: 'Sightline — operatørkonsoll',
    header: {
      blurDefault: 'Slør ny video som standard',
      enableSound: '🔇 Slå på lydvarsler',
    },
    login: {
      title: 'Innlogging for operatør',
      wrongRole: 'denne konsollen er for operatører; ledere bruker /audit',
    },
    newSession: {
      title: 'Ny videosamtale',
      phone: 'Innringers telefon',
      incident: 'Hendelse / AMIS-nr.',
      language: 'Språk',
      submit: 'Send videolenke',
      phoneError: 'Telefon: {message}',
    },
    activeSessions: 'Aktive samtaler',
    timeline: { label: 'Hendelser i samtalen', title: 'Hendelser' },
  },
  audit: {
    title: 'Sightline — revisjon for leder',
    header: {
      brand: 'Sightline revisjon',
      logged: 'Alle søk, visninger, avspillinger og eksporter her blir logget.',
    },
    login: {
      title: 'Innlogging for leder',
      wrongRole: 'revisjonsarbeidsflaten er for ledere',
    },
    search: {
      label: 'Søk i samtaler',
      from: 'Fra',
      to: 'Til',
      dispatcher: 'Operatør',
      incident: 'Hendelsesnr.',
      status: 'Status',
      recording: 'Opptak',
      any: 'alle',
      with: 'med',
      without: 'uten',
      submit: 'Søk',
      presets: 'Tidsvalg',
    },
    results: {
      created: 'Opprettet',
      incident: 'Hendelse',
      dispatcher: 'Operatør',
      status: 'Status',
      recording: 'Opptak',
    },
  },
};
