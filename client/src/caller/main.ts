import './caller.css';
import type { RedeemResponse } from '@sightline/shared';
import { api, ApiError } from '../common/api.js';
import { loadDevice, type Device } from '../common/device.js';
import { connectSignalling, request, type SignallingSocket } from '../common/signalling.js';
import { CameraError, openBackCamera } from './camera.js';
import { publishCamera } from './publisher.js';
import { callerText } from './text.js';

/**
 * The caller's page. Opening it does nothing irreversible; the tap on "Start video" redeems the
 * invite, opens the camera and publishes it. Everything that can happen before the tap (code
 * download, media capabilities) does, because every millisecond after it is the caller's.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const text = callerText(navigator.language);
const statusEl = $('status');
const startButton = $<HTMLButtonElement>('start');
const helpEl = $('help');

function setStatus(state: string, message?: string): void {
  statusEl.dataset['state'] = state;
  statusEl.textContent = `${state}${message || text.statuses[state] ? ` — ${message ?? text.statuses[state]}` : ''}`;
}

function showHelp(message: string): void {
  helpEl.textContent = message;
  helpEl.hidden = false;
}

$('consent-title').textContent = text.title;
$('consent-text').textContent = text.consent;
$('consent-recording').textContent = text.recordingUnknown;
startButton.textContent = text.start;

const code = decodeURIComponent(location.pathname.split('/').pop() ?? '');
const devicePromise: Promise<Device> = loadDevice();
devicePromise.catch(() => undefined);
startButton.disabled = false;
setStatus('ready');

startButton.addEventListener('click', () => {
  startButton.disabled = true;
  start().catch((err: unknown) => {
    setStatus('error', (err as Error).message);
    startButton.disabled = false;
  });
});

async function start(): Promise<void> {
  setStatus('connecting');
  const camera = openBackCamera();
  camera.catch(() => undefined);
  let redeemed: RedeemResponse;
  try {
    redeemed = await api<RedeemResponse>('POST', `/api/invites/${encodeURIComponent(code)}/redeem`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 410 || err.status === 404)) {
      camera.then((t) => t.stop(), () => undefined);
      setStatus('expired', text.expired);
      return;
    }
    throw err;
  }
  const { token, sessionId } = redeemed;
  const socket = connectSignalling(token);
  socket.on('session:ended', () => endCall(socket));
  void request(socket, 'session:join', { sessionId }).catch(() => undefined);

  let track: MediaStreamTrack;
  try {
    track = await camera;
  } catch (err) {
    const reason = err instanceof CameraError ? err.reason : 'failed';
    void request(socket, 'caller:camera', { sessionId, granted: false, reason }).catch(() => undefined);
    setStatus('camera_denied');
    showHelp(reason === 'unsupported' ? text.unsupported : text.denied);
    return;
  }
  void request(socket, 'caller:camera', { sessionId, granted: true }).catch(() => undefined);
  $('consent').hidden = true;
  $('stage').hidden = false;
  const local = $<HTMLVideoElement>('local');
  local.srcObject = new MediaStream([track]);
  void local.play().catch(() => undefined);

  // "live" once the media path is up, not merely once the server accepted the producer.
  await publishCamera(socket, await devicePromise, sessionId, track, (state) => {
    if (state === 'connected') setStatus('live');
    else if (state === 'disconnected' || state === 'failed') setStatus('reconnecting');
  });
}

function endCall(socket: SignallingSocket): void {
  socket.disconnect();
  const local = $<HTMLVideoElement>('local');
  (local.srcObject as MediaStream | null)?.getTracks().forEach((t) => t.stop());
  local.srcObject = null;
  setStatus('ended');
}
