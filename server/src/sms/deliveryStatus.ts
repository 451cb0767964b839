/**
 * Twilio's outbound message statuses, ranked in the order a message moves through them. Source:
 * Twilio docs, Messaging > Message resource, "Message Status values", and "Outbound Message Status
 * in Status Callbacks", which warns that callbacks can arrive out of order. A callback whose rank
 * is not above what a message already reached is late or repeated and changes nothing.
 *
 * The failures (`failed`, `undelivered`, `canceled`) rank below `delivered`: a carrier's delivery
 * receipt after a failure report means the phone has the text. `read` (a read receipt on channels
 * that give one) is delivered and then some. Statuses not listed (inbound ones, new ones Twilio
 * may add) rank 0: logged, never applied.
 */
const RANK: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  failed: 5,
  undelivered: 5,
  canceled: 5,
  delivered: 6,
  read: 7,
};

/** 0 for a status that never changes a message's state. */
export function smsStatusRank(providerStatus: string): number {
  return RANK[providerStatus] ?? 0;
}

/** Set by us, not by a callback: a message the provider refused at once (no id, no callbacks to come). */
export const SEND_FAILED = 'failed';
/** Set by us: a message handed to a provider that sends no callbacks (console). */
export const SEND_ACCEPTED = 'sent';

/**
 * The session status (before the link is opened) that a message in this state stands for; a message
 * with no status yet was accepted by the provider and is on its way.
 */
export function sessionStatusForSms(providerStatus: string | undefined): 'sms_sent' | 'sms_delivered' | 'sms_failed' {
  const rank = providerStatus === undefined ? 0 : smsStatusRank(providerStatus);
  if (rank >= RANK['delivered']!) return 'sms_delivered';
  if (rank === RANK['failed']) return 'sms_failed';
  return 'sms_sent';
}
