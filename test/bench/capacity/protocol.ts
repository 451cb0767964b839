import type { types } from 'mediasoup';

/**
 * What the capacity bench's driver (the load generator) and a system under test (a child process,
 * bare mediasoup or Sightline's room layer) say to each other over Node's IPC channel, only while
 * sessions are being set up: nothing crosses it during the measured window.
 */

/** The SRTP suite of every encrypted transport: the first one mediasoup offers in DTLS-SRTP. */
export const SRTP_SUITE: types.SrtpCryptoSuite = 'AEAD_AES_256_GCM';

export type Side = 'bare' | 'sightline';

/** One session's set-up: where the caller's video comes from and where its two receivers listen. */
export interface SessionPlan {
  index: number;
  /** The load generator's SRTP key for the caller's stream (it sends, the system decrypts). */
  callerSrtp: types.SrtpParameters;
  /** The caller's RTP parameters, as a browser's send transport would declare them. */
  rtpParameters: types.RtpParameters;
  /** The console's and the viewer's receivers: UDP port on 127.0.0.1 and SRTP key (the system encrypts). */
  receivers: { port: number; srtp: types.SrtpParameters }[];
}

/** What the system answers for a session: where to send the caller's SRTP, and what each consumer sends. */
export interface SessionAnswer {
  callerPort: number;
  callerSrtp: types.SrtpParameters;
  consumers: { srtp: types.SrtpParameters; rtpParameters: types.RtpParameters }[];
}

export type ToSystem = { id: number; op: 'setup'; plan: SessionPlan } | { id: number; op: 'close' };
export type FromSystem = { op: 'ready'; workerPids: number[] } | { id: number; ok: true; answer?: SessionAnswer } | { id: number; ok: false; error: string };
