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
    /** The end screen: the video is over, the phone call is not. */
    ended: string;
    /** The caller stopped the video for good (the stop button): the call goes on. */
    stopped: string;
    expired: string;
    weak: string;
    unsupported: string;
    camera_denied: string;
    error: string;
  };
  /**
   * Help for a browser that cannot send live video at all (checked at load): `inApp` sends the caller
   * out of an app's built-in browser, `unsupported` to Safari or Chrome, `lockdown` (iOS Safari without
   * WebRTC, which is what Lockdown Mode does) to turn Lockdown Mode off for the site. All say a photo can still be sent.
   */
  help: { inApp: string; unsupported: string; lockdown: string };
  /** Who is asking: shown before the centre's name (from the server's configuration, CENTRE_NAME). */
  askedBy: string;
  /** One line before the tap: the phone is about to ask for the camera. */
  cameraWarning: string;
  /**
   * The camera was blocked: numbered steps for the detected platform (client/src/caller/platform.ts),
   * each one short action naming the words the phone itself shows. The last step leads back here.
   */
  guide: { title: string; ios: string[]; android: string[]; inApp: string[]; other: string[] };
  retry: string;
  photoInstead: string;
  stopVideo: string;
  /**
   * Show me (issue #15 §1): the caption over the dispatcher's picture, its close button, and the line
   * shown while it is paused because the caller's network is weak (their own video keeps priority).
   */
  showMeTitle: string;
  showMeClose: string;
  showMePaused: string;
  /** The banner over the preview when the dispatcher does something to the caller's camera or recording. */
  notice: { flip: string; torchOn: string; torchOff: string; torchFailed: string; recordingOn: string; recordingOff: string };
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
  /**
   * The CPR metronome the dispatcher can start (issue #15 §2): the one instruction beside the pulse,
   * the sound button (off / on), and why there is no click (the caller turned it off; the phone will
   * not play it, e.g. while its own call holds the audio). Both notes point to the visual pulse.
   */
  metronome: { push: string; soundOff: string; soundOn: string; muted: string; blocked: string };
  presets: Record<ChatPresetId, string>;
}
