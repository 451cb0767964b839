/**
 * The steps from the caller's tap to the console's first frame, as User Timing marks named
 * `sightline:<step>` (performance.getEntriesByName), each with `detail.sessionId` where the page
 * knows it. Read by test/bench/ttff.ts ("where the time goes"); support staff can read them in
 * devtools. Caller page: tap, consent (the redemption acknowledged), camera (getUserMedia
 * resolved), send-connected (send transport connected: ICE + DTLS), produced (the server
 * acknowledged the producer). Console: producer-announced (the push that a producer exists),
 * consume-answered (the server's consumer parameters), consumer-created (the local consumer and
 * its track), consumer-resumed (the server acknowledged the resume), recv-dtls-sent and
 * recv-dtls-answered (the first consumer's round trip that gives the server the receive transport's
 * DTLS parameters), recv-connected (the receive transport connected: ICE + DTLS).
 */
export type Step =
  | 'tap'
  | 'consent'
  | 'camera'
  | 'send-connected'
  | 'produced'
  | 'producer-announced'
  | 'consume-answered'
  | 'consumer-created'
  | 'consumer-resumed'
  | 'recv-dtls-sent'
  | 'recv-dtls-answered'
  | 'recv-connected';

export function markStep(step: Step, sessionId?: string): void {
  try {
    performance.mark(`sightline:${step}`, sessionId ? { detail: { sessionId } } : undefined);
  } catch {
    // A browser without User Timing level 3 (mark options) only loses the figure, never the call.
  }
}
