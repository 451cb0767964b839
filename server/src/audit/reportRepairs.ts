import type { Logger } from '../logging.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import type { AuditLogs } from './AuditLogs.js';

/**
 * A torn last line (a crash or a full disk mid-append) is cut, its whole records kept, and said: in
 * the log and as a `log_repaired` security event (with the session, unless it is the access log).
 */
export function reportRepairs(audit: AuditLogs, security: SecurityEvents, log: Logger): void {
  audit.on('repaired', (r) => {
    log.warn(
      { logId: r.logId, keptRecords: r.keptRecords, cutBytes: r.cutBytes, asideFile: r.asideFile },
      'log had a torn last line: cut it, whole records kept',
    );
    security.record({ kind: 'log_repaired', reason: 'torn_tail', key: r.logId, ...(r.logId !== 'access' && { sessionId: r.logId }), cutBytes: r.cutBytes });
  });
}
