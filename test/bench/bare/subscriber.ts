import { Device, type types } from 'mediasoup-client';
import { io } from 'socket.io-client';
import { markStep, request, type TransportInfo } from './signalling.js';

/**
 * Bare subscriber (the console): connects, loads the Device and creates its recv transport at
 * load; on each `newProducer` push it consumes (paused on the server), attaches the track, resumes.
 */
const video = document.getElementById('remote') as HTMLVideoElement;
const status = document.getElementById('status') as HTMLElement;
const w = window as unknown as { __ready?: boolean; __error?: string };

function fail(err: unknown): void {
  w.__error = String(err);
  status.textContent = `error: ${String(err)}`;
}

async function main(): Promise<void> {
  const socket = io({ transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: await request<types.RtpCapabilities>(socket, 'routerCaps') });

  const info = await request<TransportInfo>(socket, 'createTransport', { direction: 'recv' });
  const transport = device.createRecvTransport(info as types.TransportOptions);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    markStep('recv-dtls-sent');
    request(socket, 'connectTransport', { transportId: transport.id, dtlsParameters }).then(() => {
      markStep('recv-dtls-answered');
      callback();
    }, errback);
  });
  transport.on('connectionstatechange', (state) => state === 'connected' && markStep('recv-connected'));

  socket.on('newProducer', ({ producerId }: { producerId: string }) => {
    markStep('producer-announced');
    void (async () => {
      const params = await request<types.ConsumerOptions>(socket, 'consume', {
        transportId: transport.id,
        producerId,
        rtpCapabilities: device.rtpCapabilities,
      });
      markStep('consume-answered');
      const consumer = await transport.consume(params);
      markStep('consumer-created');
      video.srcObject = new MediaStream([consumer.track]);
      await request(socket, 'resume', { consumerId: consumer.id });
      markStep('consumer-resumed');
      status.textContent = `consuming ${producerId}`;
    })().catch(fail);
  });

  w.__ready = true;
  status.textContent = 'ready';
}

main().catch(fail);
