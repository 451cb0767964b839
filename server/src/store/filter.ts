import type { SessionFilter, SessionRecord } from './Store.js';

export function matchesFilter(s: SessionRecord, f: SessionFilter): boolean {
  if (f.dispatcher !== undefined && s.dispatcher !== f.dispatcher) return false;
  if (f.status !== undefined && s.status !== f.status) return false;
  if (f.incidentRef !== undefined && s.incidentRef !== f.incidentRef) return false;
  if (f.from !== undefined && Date.parse(s.createdAt) < Date.parse(f.from)) return false;
  if (f.to !== undefined && Date.parse(s.createdAt) > Date.parse(f.to)) return false;
  return true;
}
