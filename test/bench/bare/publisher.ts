import { Device, type types } from 'mediasoup-client';
import { io } from 'socket.io-client';
import { markStep, request, type TransportInfo } from './signalling.js';

/**
 * Bare publisher (the phone): the Device is loaded as the page loads; the tap opens the camera in
 * parallel with the socket connect, then creates the send transport and produces.
 */
const button = document.getElementById('start') as HTMLButtonElement;
const status = document.getElementById('status') as HTMLElement;
const w = window as unknown as { __error?: string; __producing?: boolean };

function fail(err: unknown): void {
  w.__error = String(err);
  status.textContent = `error: ${String(err)}`;
}

const devicePromise = (async () => {
  const res = await fetch('/caps');
  if (!res.ok) throw new Error(`GET /caps: HTTP ${res.status}`);
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: (await res.json()) as types.RtpCapabilities });
  return device;
})();

devicePromise.then(() => {
  button.disabled = false;
  status.textContent = 'ready';
}, fail);

button.addEventListener('click', () => {
  markStep('tap');
  button.disabled = true;
  start().catch(fail);
});

async function start(): Promise<void> {
  const cameraPromise = navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } },
  });
  void cameraPromise.then(
    () => markStep('camera'),
    () => undefined,
  );
  const socket = io({ transports: ['websocket'] });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const [device, stream] = await Promise.all([devicePromise, cameraPromise, connected]);

  const info = await request<TransportInfo>(socket, 'createTransport', { direction: 'send' });
  const transport = device.createSendTransport(info as types.TransportOptions);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    request(socket, 'connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
  });
  transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
    request<{ id: string }>(socket, 'produce', { transportId: transport.id, kind, rtpParameters }).then((r) => {
      markStep('produced');
      callback(r);
    }, errback);
  });
  transport.on('connectionstatechange', (state) => state === 'connected' && markStep('send-connected'));

  const videoCodecs = (device.rtpCapabilities.codecs ?? []).filter((c) => c.kind === 'video');
  const codec = videoCodecs.find((c) => c.mimeType.toLowerCase() === 'video/h264') ?? videoCodecs.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
  await transport.produce({
    track: stream.getVideoTracks()[0]!,
    codec,
    encodings: [{ maxBitrate: 1_500_000, maxFramerate: 30 }],
    codecOptions: { videoGoogleStartBitrate: 1000 },
  });
  w.__producing = true;
  status.textContent = `producing ${codec?.mimeType ?? '?'}`;
}
