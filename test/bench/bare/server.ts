/**
 * Bare mediasoup server for the time-to-first-frame baseline: one worker, one WebRtcServer on a
 * free loopback port (UDP + TCP), one router with Sightline's codec set, express serving the two
 * built pages and socket.io carrying the minimum signalling (see signalling.ts). No Sightline code
 * path apart from locating the worker binary.
 *
 *   npx tsx test/bench/bare/server.ts [distDir]     (prints "BARE_URL http://127.0.0.1:<port>")
 */
// The same codec list as the product, so the comparison is like for like.
import { MEDIA_CODECS } from '../../../server/src/sfu/codecs.js';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { Server as SocketServer } from 'socket.io';
import type { types } from 'mediasoup';
import { installWorkerBinary } from '../../../server/src/sfu/workerBinary.js';
import { freePort } from '../../../server/src/testing/ports.js';
import type { Ack, TransportInfo } from './signalling.js';

const HOST = '127.0.0.1';

export interface BareServer {
  url: string;
  stop(): Promise<void>;
}

export async function startBareServer(distDir: string, port = 0): Promise<BareServer> {
  installWorkerBinary();
  const mediasoup = await import('mediasoup');
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const rtcPort = await freePort();
  const webRtcServer = await worker.createWebRtcServer({
    listenInfos: [
      { protocol: 'udp', ip: HOST, port: rtcPort },
      { protocol: 'tcp', ip: HOST, port: rtcPort },
    ],
  });
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });

  const app = express();
  app.get('/caps', (_req, res) => {
    res.json(router.rtpCapabilities);
  });
  app.use(express.static(distDir));
  const httpServer = http.createServer(app);
  const io = new SocketServer(httpServer, { serveClient: false });

  io.on('connection', (socket) => {
    const transports = new Map<string, types.WebRtcTransport>();
    const consumers = new Map<string, types.Consumer>();

    /** Registers an ack-based handler: the handler's result goes back as `{ data }`, a throw as `{ error }`. */
    function handle<T>(event: string, fn: (payload: any) => Promise<T> | T): void {
      socket.on(event, async (payload: unknown, ack: (a: Ack<T>) => void) => {
        try {
          ack({ data: await fn(payload) });
        } catch (err) {
          ack({ error: err instanceof Error ? err.message : String(err) });
        }
      });
    }
    function transportOf(id: string): types.WebRtcTransport {
      const t = transports.get(id);
      if (!t) throw new Error(`unknown transport ${id}`);
      return t;
    }

    handle('routerCaps', () => router.rtpCapabilities);
    handle('createTransport', async (): Promise<TransportInfo> => {
      const t = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true });
      transports.set(t.id, t);
      return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
    });
    handle('connectTransport', async ({ transportId, dtlsParameters }) => {
      await transportOf(transportId).connect({ dtlsParameters });
      return true;
    });
    handle('produce', async ({ transportId, kind, rtpParameters }) => {
      const producer = await transportOf(transportId).produce({ kind, rtpParameters });
      socket.broadcast.emit('newProducer', { producerId: producer.id });
      return { id: producer.id };
    });
    handle('consume', async ({ transportId, producerId, rtpCapabilities }) => {
      if (!router.canConsume({ producerId, rtpCapabilities })) throw new Error(`cannot consume ${producerId}`);
      const consumer = await transportOf(transportId).consume({ producerId, rtpCapabilities, paused: true });
      consumers.set(consumer.id, consumer);
      consumer.on('transportclose', () => consumers.delete(consumer.id));
      consumer.on('producerclose', () => {
        consumers.delete(consumer.id);
        consumer.close();
      });
      return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
    });
    handle('resume', async ({ consumerId }) => {
      const consumer = consumers.get(consumerId);
      if (!consumer) throw new Error(`unknown consumer ${consumerId}`);
      await consumer.resume();
      return true;
    });

    socket.on('disconnect', () => {
      for (const t of transports.values()) t.close();
      transports.clear();
      consumers.clear();
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, HOST, () => resolve());
  });
  const url = `http://${HOST}:${(httpServer.address() as net.AddressInfo).port}`;
  return {
    url,
    async stop() {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      worker.close();
    },
  };
}

// Run directly: serve the given dist dir (default test/bench/bare/dist) until SIGINT/SIGTERM.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const distDir = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist'));
  const server = await startBareServer(distDir, Number(process.env['PORT'] ?? 0));
  process.stdout.write(`BARE_URL ${server.url}\n`);
  const shutdown = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
