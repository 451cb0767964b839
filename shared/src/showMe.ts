import { z } from './zod.js';

/**
 * "Show me" (issue #15 §1): the dispatcher's picture on the caller's phone. What both ends share:
 * the clip names, the sources a dispatcher may show, the caps that protect the caller's downlink and
 * the reasons a showing ends.
 */

/**
 * A demonstration clip's name, as `npx sightline clip add <file> --name <name>` stores it
 * (DATA_DIR/clips/<name>.webm): lower-case letters, digits and dashes, 1–40 characters, starting
 * with a letter or digit. It is a file name and a log detail, so nothing else is allowed.
 */
export const CLIP_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const clipNameSchema = z.string().regex(CLIP_NAME, 'a clip name is 1-40 lower-case letters, digits or dashes');

/** What the dispatcher shows: their own `camera`, or one of the centre's clips by name. */
export const showMeSourceSchema = z.union([z.literal('camera'), clipNameSchema]);
export type ShowMeSource = z.infer<typeof showMeSourceSchema>;

/**
 * The caller's downlink is protected (issue #15 §1): the picture is sent at most at this bitrate
 * (bit/s; the console's encoding and the SFU's cap on the caller's receive transport) and frame rate.
 */
export const SHOW_ME_MAX_BITRATE = 300_000;
export const SHOW_ME_MAX_FPS = 15;

/**
 * Why a showing ended (`show_me_ended` details.reason): the dispatcher stopped it, the caller closed
 * it, another source replaced it, the console went away (its socket or send transport closed), the
 * session ended, or the media server went away.
 */
export const SHOW_ME_END_REASONS = ['stopped', 'caller_closed', 'replaced', 'console_left', 'session_ended', 'media_lost'] as const;
export type ShowMeEndReason = (typeof SHOW_ME_END_REASONS)[number];

/** The showing under way: its producer (the caller and viewers receive it) and what it shows. */
export interface ShowMe {
  producerId: string;
  source: ShowMeSource;
}

/** One of the centre's clips (GET /api/clips). */
export interface ClipInfo {
  name: string;
  bytes: number;
  /** Seconds, as ffprobe read it when the clip was added. */
  durationSec: number;
}

/** GET /api/clips/:name */
export const clipFileParam = z.strictObject({ name: clipNameSchema });
