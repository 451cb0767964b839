import { SESSION_STATUSES, type SessionEvent, type SessionStatus, type WebhookPayload } from '@sightline/shared';

const STATUSES: ReadonlySet<string> = new Set(SESSION_STATUSES);

/**
 * The webhook an event of a session's log makes, if any (issue #16 §2): `created` → session.created;
 * another status → session.status_changed (`ended` → session.ended); `recording_ended` →
 * recording.ready; `snapshot` and `photo_uploaded` → snapshot.saved. Built field by field from the
 * event, so nothing else of it (a phone number, an actor's username, a token) can reach a receiver.
 * `previous`: the session's status before this event.
 */
export function webhookOf(event: SessionEvent, session: { id: string; incidentRef?: string }, previous?: SessionStatus): WebhookPayload | undefined {
  const base = { sessionId: session.id, seq: event.seq, ...(session.incidentRef && { incidentRef: session.incidentRef }) };
  const d = event.details ?? {};
  const text = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : undefined);
  const at = event.at;
  if (event.type === 'created') return { type: 'session.created', timestamp: at, data: { ...base, status: 'created' } };
  if (event.type === 'ended')
    return { type: 'session.ended', timestamp: at, data: { ...base, status: 'ended', ...(text('reason') && { reason: text('reason') }) } };
  if (STATUSES.has(event.type)) {
    const status = event.type as SessionStatus;
    return { type: 'session.status_changed', timestamp: at, data: { ...base, status, ...(previous && previous !== status && { previousStatus: previous }) } };
  }
  if (event.type === 'recording_ended') {
    return { type: 'recording.ready', timestamp: at, data: { ...base, name: text('name'), bytes: num('bytes'), durationSec: num('durationSec') } };
  }
  if (event.type === 'snapshot' || event.type === 'photo_uploaded') {
    const source = event.type === 'snapshot' ? 'dispatcher' : 'caller';
    return { type: 'snapshot.saved', timestamp: at, data: { ...base, name: text('name'), bytes: num('bytes'), source } };
  }
  return undefined;
}
