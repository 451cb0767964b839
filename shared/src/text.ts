import { z } from './zod.js';

/**
 * Characters that can make a line say something it does not: C0 and C1 controls (a newline starts
 * a fake record in a plain-text view, an escape sequence repaints a terminal), the line and
 * paragraph separators, and the bidirectional controls (U+202A–U+202E embeddings and overrides,
 * U+2066–U+2069 isolates, U+200E/U+200F/U+061C marks), with which "text=‮evil" shows its tail
 * reversed and can make a timeline entry read as another actor's (Unicode TR9; CVE-2021-42574,
 * "Trojan Source"). Right-to-left text itself (Arabic, Hebrew) needs none of them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Free text as it may be stored and shown: controls become spaces, bidirectional controls go. */
export function plainText(s: string): string {
  return s.replace(BIDI_CONTROLS, '').replace(CONTROLS, ' ');
}

/** Whether `s` holds anything `plainText` would change (for names, which are refused rather than changed). */
export function hasUnsafeText(s: string): boolean {
  return new RegExp(`${BIDI_CONTROLS.source}|${CONTROLS.source}`).test(s);
}

/**
 * A free-text field at the gate (chat, reasons, labels, incident references): made plain, then
 * trimmed and held to `min`..`max` characters.
 */
export function freeText(max: number, min = 0) {
  // The bound before the transform keeps a flood of controls from costing more than a long message.
  return z
    .string()
    .max(max * 4)
    .transform(plainText)
    .pipe(z.string().trim().min(min).max(max));
}
