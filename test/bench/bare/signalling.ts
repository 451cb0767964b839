import type { Socket } from 'socket.io-client';

/**
 * The whole bare protocol, shared by server and pages. Every request is one socket.io event with
 * an ack carrying either `{ data }` or `{ error }`; the only push is `newProducer`.
 */
export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export type Ack<T> = { data: T } | { error: string };

/** Sends one request and resolves with the server's answer (rejects on `{ error }` or timeout). */
export function request<T>(socket: Socket, event: string, payload: unknown = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    socket.timeout(10_000).emit(event, payload, (err: Error | null, ack: Ack<T>) => {
      if (err) reject(err);
      else if ('error' in ack) reject(new Error(`${event}: ${ack.error}`));
      else resolve(ack.data);
    });
  });
}

/**
 * The same User Timing marks as the product's pages (client/src/common/marks.ts), so the bench
 * can set the two paths side by side step by step; bare has no consent step.
 */
export function markStep(
  step:
    | 'tap'
    | 'camera'
    | 'send-connected'
    | 'produced'
    | 'producer-announced'
    | 'consume-answered'
    | 'consumer-created'
    | 'consumer-resumed'
    | 'recv-dtls-sent'
    | 'recv-dtls-answered'
    | 'recv-connected',
): void {
  performance.mark(`sightline:${step}`);
}
