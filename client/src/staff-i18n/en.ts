/**
 * The staff pages' English texts (console and /audit): the source of the catalogue's keys. nb.ts
 * must have exactly these. `{name}` is a placeholder; `{ one, other }` a plural (catalogue.ts).
 * English is today's wording, which the end-to-end tests read: change it with them.
 */
export const en = {
  /** The language's name in itself, for the switch. */
  name: 'English',
  common: {
    language: 'Page language',
    login: {
      username: 'Username',
      password: 'Password',
      submit: 'Log in',
      signedOut: 'Signed out — log in again.',
    },
    logout: 'Log out',
  },
  errors: {
    bad_request: 'The request was refused: check what was entered.',
    unauthorized: 'Wrong username or password, or the login has expired.',
    forbidden: 'Not allowed for this user.',
    not_found: 'Not found.',
    gone: 'No longer available (used, expired or ended).',
    conflict: "Not possible in the session's present state.",
    rate_limited: 'Too many attempts: wait a little and try again.',
    payload_too_large: 'Too large.',
    unsupported_media: 'This browser cannot play that media.',
    unavailable: 'The service is unavailable just now: try again.',
    insufficient_storage: "The server's disk is full: no new pictures or recordings.",
    internal: 'Something went wrong on the server.',
    network: 'No contact with the server.',
  },
  console: {
    title: 'Sightline — dispatcher console',
    header: {
      blurDefault: 'Blur new video by default',
      enableSound: '🔇 Enable sound alerts',
    },
    login: {
      title: 'Dispatcher login',
      wrongRole: 'this console is for dispatchers; supervisors use /audit',
    },
    newSession: {
      title: 'New video session',
      phone: 'Caller phone',
      incident: 'Incident / CAD ref',
      language: 'Language',
      submit: 'Send video link',
      phoneError: 'Phone: {message}',
    },
    activeSessions: 'Active sessions',
    timeline: { label: 'Session timeline', title: 'Timeline' },
  },
  audit: {
    title: 'Sightline — supervisor audit',
    header: {
      brand: 'Sightline audit',
      logged: 'Every search, view, playback and export here is logged.',
    },
    login: {
      title: 'Supervisor login',
      wrongRole: 'the audit workspace is for supervisors',
    },
    search: {
      label: 'Search sessions',
      from: 'From',
      to: 'To',
      dispatcher: 'Dispatcher',
      incident: 'Incident ref',
      status: 'Status',
      recording: 'Recording',
      any: 'any',
      with: 'with',
      without: 'without',
      submit: 'Search',
      presets: 'Time presets',
    },
    results: {
      created: 'Created',
      incident: 'Incident',
      dispatcher: 'Dispatcher',
      status: 'Status',
      recording: 'Recording',
    },
  },
};
