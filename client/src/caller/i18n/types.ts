import type { ChatPresetId } from '@sightline/shared';

/** Everything the caller reads. Short, plain words: the reader is stressed and on a small screen. */
export interface CallerText {
  /** Name of the language in itself, for the switcher. */
  name: string;
  title: string;
  consent: string;
  recording: { off: string; 'on-demand': string; always: string };
  start: string;
  status: {
    ready: string;
    connecting: string;
    live: string;
    reconnecting: string;
    paused: string;
    ended: string;
    expired: string;
    weak: string;
    unsupported: string;
    camera_denied: string;
    error: string;
  };
  /**
   * Camera help per platform; `unsupported` and `lockdown` are for a browser that cannot send live video
   * at all (checked at load): send the caller to Safari or Chrome, or (iOS Safari without WebRTC, which
   * is what Lockdown Mode does) to turn Lockdown Mode off for the site. Both say a photo can still be sent.
   */
  help: { ios: string; android: string; inApp: string; other: string; unsupported: string; lockdown: string };
  flip: string;
  torch: string;
  pause: string;
  resume: string;
  location: string;
  locationSent: string;
  photo: string;
  photoSent: string;
  codeLabel: string;
  codeWrong: string;
  chat: string;
  /** What went wrong, in plain words (never the browser's or the server's own message, which is English). */
  trouble: { offline: string; tooManyTries: string; location: string; photo: string };
  /** The chat's send button (an icon; this is its accessible name) and the language switcher's label. */
  send: string;
  language: string;
  /**
   * Who wrote a chat message, shown beside it: the emergency centre (the dispatcher), a doctor or
   * ambulance crew watching (a viewer), or the caller. A role, never a name (issue #11: a viewer's
   * message must not pass for the dispatcher's).
   */
  from: { dispatcher: string; viewer: string; caller: string };
  presets: Record<ChatPresetId, string>;
}
