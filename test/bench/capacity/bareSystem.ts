import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { MEDIA_CODECS } from '../../../server/src/sfu/codecs.js';
import { SRTP_SUITE, type SessionAnswer, type SessionPlan } from './protocol.js';
import type { System } from './sut.js';

/**
 * Bare mediasoup doing what a Sightline session does, with nothing else: one worker per core, a router
 * per session (round robin), an SRTP PlainTransport for the caller with its producer, and one per
 * receiver with its consumer (created paused and resumed, as a client does). The router's codecs are
 * Sightline's list (data, not code) so both sides forward the same RTP.
 */
export async function bareSystem(workerCount: number): Promise<System> {
  const workers: types.Worker[] = [];
  for (let i = 0; i < workerCount; i++) workers.push(await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 10000, rtcMaxPort: 49999 }));
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' } as const;
  const srtp = { listenInfo, rtcpMux: true, enableSrtp: true, srtpCryptoSuite: SRTP_SUITE } as const;

  return {
    workerPids: workers.map((w) => w.pid),
    async setup(plan: SessionPlan): Promise<SessionAnswer> {
      const router = await workers[plan.index % workers.length]!.createRouter({ mediaCodecs: MEDIA_CODECS });
      const caller = await router.createPlainTransport({ ...srtp, comedia: true });
      await caller.connect({ srtpParameters: plan.callerSrtp });
      const producer = await caller.produce({ kind: 'video', rtpParameters: plan.rtpParameters });
      const consumers: SessionAnswer['consumers'] = [];
      for (const receiver of plan.receivers) {
        const out = await router.createPlainTransport({ ...srtp, comedia: false });
        await out.connect({ ip: '127.0.0.1', port: receiver.port, srtpParameters: receiver.srtp });
        const consumer = await out.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
        await consumer.resume();
        consumers.push({ srtp: out.srtpParameters!, rtpParameters: consumer.rtpParameters });
      }
      return { callerPort: caller.tuple.localPort, callerSrtp: caller.srtpParameters!, consumers };
    },
    async close() {
      for (const w of workers) w.close();
    },
  };
}
