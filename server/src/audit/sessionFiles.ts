import type { ChainedRecord } from './chain.js';

/** What can be read off a session's log without any store (its folder is storage/SessionFolder.ts). */
export interface LogFacts {
  endedAt?: string;
  legalHold: boolean;
}

/** The end time and the current legal-hold state, as the log says. */
export function factsFromLog(records: ChainedRecord[]): LogFacts {
  let endedAt: string | undefined;
  let legalHold = false;
  for (const r of records) {
    if (r.type === 'ended') endedAt ??= r.at;
    if (r.type === 'legal_hold') legalHold = r.details?.['hold'] === true;
  }
  return { endedAt, legalHold };
}
