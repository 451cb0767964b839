import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import type { types } from 'mediasoup';
import { LocalMedia } from '../../../server/src/cluster/MediaOps.js';
import { createLogger } from '../../../server/src/logging.js';
import { MediaStates } from '../../../server/src/sessions/MediaStates.js';
import type { SessionService } from '../../../server/src/sessions/SessionService.js';
import { RoomRegistry } from '../../../server/src/sfu/RoomRegistry.js';
import { WorkerPool, type WorkerSlot } from '../../../server/src/sfu/WorkerPool.js';
import { wireSessionEvents } from '../../../server/src/signalling/sessionEvents.js';
import type { Services, SignallingServer } from '../../../server/src/signalling/types.js';
import { freePortRange } from '../../../server/src/testing/ports.js';
import { SRTP_SUITE, type SessionAnswer, type SessionPlan } from './protocol.js';
import type { System } from './sut.js';

/**
 * Sightline's media path as signalling drives it: the WorkerPool (one worker per core), the
 * RoomRegistry and its Rooms, LocalMedia (the operations the socket handlers run through
 * ClusterMedia on the node that owns a session), the media rules (MediaStates: the pushes and
 * MediaQuality's sampling of every producer) and the glue that sends (wireSessionEvents). Each session goes through the calls a
 * caller, a console and a viewer make: join, transport:create, transport:connect, media:produce,
 * media:consume, media:resume.
 *
 * Two stand-ins, and only two: the routers' WebRtcTransports are SRTP PlainTransports (see
 * encryptedPlainTransports), and the session service under the glue records nothing (the log's two
 * records per session are written at set-up, not while media flows). Socket.io, auth and the HTTP
 * API are not in this process: their per-session cost while media flows is a ping per socket every 25 s.
 */
export async function sightlineSystem(workerCount: number): Promise<System> {
  // The product's logger at its production level, written to /dev/null: log lines cost what they cost.
  const log = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
  const pool = await WorkerPool.start(
    { workers: workerCount, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePortRange(workerCount) },
    log,
  );
  const slots: WorkerSlot[] = [];
  for (let slot = pool.pickExcept(new Set()); slot; slot = pool.pickExcept(new Set(slots.map((s) => s.index)))) slots.push(slot);
  const transports = new Map<string, types.PlainTransport>();
  for (const slot of slots) encryptedPlainTransports(slot.worker, transports);

  const rooms = new RoomRegistry(pool, log);
  const media = new LocalMedia(rooms, undefined as never); // recording off: LocalMedia only calls it to start or stop one
  const sessions = Object.assign(new EventEmitter(), {
    transition: async () => undefined,
    record: async () => undefined,
    get: async () => ({ status: 'live' }),
    tell: (id: string, push: unknown) => sessions.emit('push', id, push),
  });
  const io = { to: () => ({ emit: () => true }), in: () => ({ fetchSockets: async () => [] }) };
  wireSessionEvents(io as unknown as SignallingServer, { sessions, rooms, media } as unknown as Services, log);
  const states = new MediaStates(sessions as unknown as SessionService, 'bench', log);
  rooms.observer.on('room-created', (room) => states.follow(room));

  return {
    workerPids: slots.map((s) => s.worker.pid),
    async setup(plan: SessionPlan): Promise<SessionAnswer> {
      const id = `s_capacity_${String(plan.index).padStart(5, '0')}`;
      const caller = `bench/caller-${plan.index}`;
      const { rtpCapabilities } = await media.join(id);
      const send = await media.createTransport(id, caller, 'send');
      await media.connectTransport(id, caller, send.id, { srtpParameters: plan.callerSrtp });
      const producerId = await media.produce(id, caller, send.id, 'video', plan.rtpParameters, 'camera');
      const consumers: SessionAnswer['consumers'] = [];
      for (const [k, receiver] of plan.receivers.entries()) {
        const peer = `bench/${k === 0 ? 'console' : 'viewer'}-${plan.index}`;
        await media.join(id, peer, { as: k === 0 ? 'staff' : 'viewer', rtpCapabilities });
        const recv = await media.createTransport(id, peer, 'recv');
        await media.connectTransport(id, peer, recv.id, { ip: '127.0.0.1', port: receiver.port, srtpParameters: receiver.srtp });
        const consumer = await media.consume(id, peer, recv.id, producerId, rtpCapabilities);
        await media.resume(id, peer, consumer.consumerId);
        consumers.push({ srtp: transports.get(recv.id)!.srtpParameters!, rtpParameters: consumer.rtpParameters as types.RtpParameters });
      }
      const input = transports.get(send.id)!;
      return { callerPort: input.tuple.localPort, callerSrtp: input.srtpParameters!, consumers };
    },
    close: () => pool.close(),
  };
}

/**
 * The one change to the product's code path: the routers of this worker make an SRTP PlainTransport
 * where Room asks for a WebRtcTransport, and its connect() takes what the bench sends as
 * "dtlsParameters" (the peer's address and SRTP key). A WebRtcTransport needs an ICE and DTLS client
 * per transport on the other end; per packet both decrypt and encrypt the same SRTP (DTLS only makes
 * the keys), so the packet path measured is the same. What this leaves out is said in docs/benchmarks.md.
 */
function encryptedPlainTransports(worker: types.Worker, made: Map<string, types.PlainTransport>): void {
  const createRouter = worker.createRouter.bind(worker);
  worker.createRouter = (async (options: types.RouterOptions) => {
    const router = await createRouter(options);
    router.createWebRtcTransport = (async ({ appData }: types.WebRtcTransportOptions) => {
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        // The caller's input learns the sender's address from its first packet, as ICE would.
        comedia: appData?.['direction'] === 'send',
        enableSrtp: true,
        srtpCryptoSuite: SRTP_SUITE,
        appData,
      });
      const connect = transport.connect.bind(transport);
      transport.connect = (({ dtlsParameters }: { dtlsParameters: Parameters<typeof connect>[0] }) => connect(dtlsParameters)) as never;
      made.set(transport.id, transport);
      transport.observer.once('close', () => made.delete(transport.id));
      return transport;
    }) as never;
    return router;
  }) as typeof worker.createRouter;
}
