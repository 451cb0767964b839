import type { SessionFilter, SessionRecord } from './Store.js';

/**
 * Whether a session matches a listing's filter, the same for every store. The dispatcher and status
 * match exactly; the incident reference is searched the way a supervisor types one off a CAD screen
 * or a complaint letter: any part of it, in any case, spaces around it ignored (issue #14, part 5);
 * `from` and `to` bound createdAt inclusively.
 */
export function matchesFilter(s: SessionRecord, f: SessionFilter): boolean {
  if (f.dispatcher !== undefined && s.dispatcher !== f.dispatcher) return false;
  if (f.status !== undefined && s.status !== f.status) return false;
  if (f.incidentRef !== undefined && !folded(s.incidentRef ?? '').includes(folded(f.incidentRef.trim()))) return false;
  if (f.from !== undefined && Date.parse(s.createdAt) < Date.parse(f.from)) return false;
  if (f.to !== undefined && Date.parse(s.createdAt) > Date.parse(f.to)) return false;
  return true;
}

/** Compatibility forms and case folded away (full-width digits, `ﬁ`, `Ä`/`ä`), so a reference matches as read. */
function folded(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase('und');
}
