/** How many digits a spoken code has (server/src/invites: six, read out by the dispatcher). */
export const SPOKEN_CODE_DIGITS = 6;

/**
 * The digits of a spoken code as the caller typed it: a code is read aloud in groups ("649 780",
 * "649-780"), and phones put in spaces, dashes, dots or no-break spaces of their own, so every
 * non-digit is dropped. Returns the digits, in order.
 */
export function spokenDigits(typed: string): string {
  return typed.replace(/\D/g, '');
}

/** Whether the caller has typed a whole code (exactly six digits): the page then sends it by itself. */
export function isWholeCode(typed: string): boolean {
  return spokenDigits(typed).length === SPOKEN_CODE_DIGITS;
}
