import './caller.css';
import { recordingAfter, type InvitePeek, type PageReport, type RedeemResponse } from '@sightline/shared';
import { api, ApiError } from '../common/api.js';
import { loadDevice, type Device } from '../common/device.js';
import { finalRefusal, onRefusedHandshake, type Finality } from '../common/finality.js';
import { markStep } from '../common/marks.js';
import { connectSignalling, request, SignallingError, type SignallingSocket } from '../common/signalling.js';
import { CameraError, openCamera } from './camera.js';
import { CodecChoice } from './CodecChoice.js';
import { isLanguage } from './i18n/index.js';
import { browserFamily } from './browserFamily.js';
import { missingApi, unsupportedReason } from './capabilities.js';
import { detectPlatform } from './platform.js';
import { PreTap } from './PreTap.js';
import { Publisher } from './Publisher.js';
import { obey, reply, wireControls } from './controls.js';
import { wireCodeEntry } from './codeEntry.js';
import { controlNotice, recordingNotice } from './DispatcherNotice.js';
import { DispatcherPicture } from './DispatcherPicture.js';
import { watchQuality } from './quality.js';
import { troubleOf } from './status.js';
import { $, CallerUi } from './CallerUi.js';
import { wireExtras, wirePhoto } from './extras.js';
import { showUnsupported } from './unsupported.js';

/**
 * The caller's page (also the viewer's: the invite says which). Opening it does nothing
 * irreversible; the tap on "Start video" redeems the invite, opens the camera and publishes it.
 * Everything that can happen before the tap (code, media capabilities, the session's language) does,
 * including the check of what this browser can do: one that cannot send live video is told so at
 * once, never opens the camera, and can still send a photo.
 */
const ui = new CallerUi();
const code = decodeURIComponent(location.pathname.split('/').pop() ?? '');
const tokenKey = `sightline.invite.${code}`;
const browserLang = navigator.language.slice(0, 2);
ui.initLanguages(isLanguage(browserLang) ? browserLang : 'nb');
let languageChosen = false;
$('lang').addEventListener('change', () => (languageChosen = true));

// No Device where an API is missing outright: loading it would build an RTCPeerConnection.
const devicePromise: Promise<Device> | undefined = missingApi() ? undefined : loadDevice();
devicePromise?.catch(() => undefined);
const unsupported = unsupportedReason(devicePromise);
const browser = browserFamily();
const startButton = $<HTMLButtonElement>('start');
/** The caller's token once the invite is redeemed; before, a photo goes on the strength of the unspent invite. */
let redeemed: RedeemResponse | undefined;
/** The page's report that it loaded (sent once); the tap waits for it, so the log has the opening first. */
let reported: Promise<unknown> = Promise.resolve();
/** What the page set up before the tap under its pre-tap credential (issue #12): taken by the first tap only. */
let pretapping: Promise<PreTap | undefined> = Promise.resolve(undefined);

wirePhoto(
  ui,
  () => (redeemed ? { url: `/api/sessions/${redeemed.sessionId}/photos`, token: redeemed.token } : { url: `/api/invites/${encodeURIComponent(code)}/photos` }),
  (state) => {
    // The help (open another browser, send a photo) no longer applies.
    $('help').hidden = true;
    $('extras').hidden = true;
    startButton.disabled = true;
    ui.setStatus(state);
  },
);
/** What the guide's "try again" and the stop button do for the call of the moment (none before it). */
let retry: (() => void) | undefined;
let stop: (() => void) | undefined;
$('retry').addEventListener('click', () => retry?.());
$('stop').addEventListener('click', () => stop?.());
void boot();

async function boot(): Promise<void> {
  if (location.pathname === '/c' && !sessionStorage.getItem(tokenKey)) return bootCodeEntry();
  let peek: InvitePeek | undefined;
  try {
    peek = await api('GET /api/invites/:code', { params: { code } });
  } catch {
    // Unknown code or no network: the tap will say what is wrong.
  }
  if (peek?.role === 'viewer') {
    const { startViewer } = await import('../viewer/viewer.js');
    return startViewer(code, peek.language, { ended: peek.reason === 'ended' });
  }
  if (peek) {
    if (!languageChosen && isLanguage(peek.language)) void ui.setLanguage(peek.language);
    ui.setRecording(peek.recording);
    ui.setCentre(peek.centre);
  }
  // A session that is over stays over, even for a tab that kept its token over a reload.
  if (peek?.reason === 'ended') {
    sessionStorage.removeItem(tokenKey);
    ui.setPhase('ended');
    ui.setStatus('ended');
    return;
  }
  // A reload after the tap keeps its token (the invite itself is spent).
  if (peek && !peek.valid && !sessionStorage.getItem(tokenKey)) {
    ui.setStatus('expired');
    return;
  }
  const reason = await unsupported;
  // The page has run: this report, not the GET of the link (previewers and scanners fetch links too),
  // records the opening, with what the browser can do. (`/c` after a reload has no invite in its address.)
  const report: PageReport = { browser, ...(reason && { unsupported: reason }) };
  if (location.pathname.startsWith('/j/')) {
    const opened = api('POST /api/invites/:code/opened', { params: { code }, body: report });
    reported = opened.catch(() => undefined);
    // Before the tap, all that needs neither consent nor the camera: the socket and a connected send transport.
    if (!reason && devicePromise && !sessionStorage.getItem(tokenKey)) {
      const device = devicePromise;
      pretapping = opened.then((o) => (o?.pretap ? new PreTap(o.pretap, device) : undefined)).catch(() => undefined);
    }
  }
  if (reason) {
    const saved = sessionStorage.getItem(tokenKey);
    if (!saved) return showUnsupported(ui, reason, true);
    joinWithoutCamera((redeemed = JSON.parse(saved) as RedeemResponse));
    return showUnsupported(ui, reason, false);
  }
  startButton.disabled = false;
  ui.setStatus('ready');
  startButton.addEventListener('click', () => {
    markStep('tap');
    startButton.disabled = true;
    start().catch((err: unknown) => {
      showTrouble(err);
      startButton.disabled = false;
    });
  });
}

/** `/c`: the caller types the spoken code the dispatcher read out; same session, same consent. */
async function bootCodeEntry(): Promise<void> {
  startButton.hidden = true;
  // Checked before the code is typed: the caller is told at once, and the code still lets a photo through.
  const reason = await unsupported;
  if (reason) showUnsupported(ui, reason, true);
  else ui.setStatus('ready');
  const report: PageReport = { browser, ...(reason && { unsupported: reason }) };
  wireCodeEntry(
    ui,
    report,
    (r) => {
      sessionStorage.setItem(tokenKey, JSON.stringify(r));
      if (!reason) return void start().catch(showTrouble);
      joinWithoutCamera((redeemed = r));
      showUnsupported(ui, reason, false);
    },
    showTrouble,
  );
}

/** Says what went wrong in the caller's words; the raw message stays in the developer console. */
function showTrouble(err: unknown): void {
  const { words, reason } = troubleOf(err);
  console.warn('caller page:', err);
  ui.setStatus('error', words, reason);
}

/** Keeps the caller's token for a reload (the invite itself is spent now). */
function keep(r: RedeemResponse): RedeemResponse {
  sessionStorage.setItem(tokenKey, JSON.stringify(r));
  return (redeemed = r);
}

/**
 * The tap's redemption: over the socket opened before it when that is sound (the socket then is the
 * caller's), else the old way. `pre` is returned only if it carries on.
 */
async function redeemAtTap(): Promise<{ invite?: RedeemResponse; pre?: PreTap }> {
  const pre = await Promise.race([pretapping, new Promise<undefined>((r) => setTimeout(r, 3000))]);
  pretapping = Promise.resolve(undefined);
  if (pre && (await pre.usable())) {
    try {
      return { invite: keep(await pre.redeem()), pre };
    } catch (err) {
      pre.close();
      if (err instanceof SignallingError && (err.code === 'gone' || err.code === 'not_found')) return {};
      // Anything else (a timeout, a lost socket): the old way, which says for itself if the invite was spent meanwhile.
    }
  } else pre?.close();
  return { invite: await redeem() };
}

async function redeem(): Promise<RedeemResponse | undefined> {
  const saved = sessionStorage.getItem(tokenKey);
  if (saved) return (redeemed = JSON.parse(saved) as RedeemResponse);
  // The opening is logged before the consent, unless the report is stuck on a weak network: the
  // redemption logs an opening of its own then, and the tap must not wait for it.
  await Promise.race([reported, new Promise((r) => setTimeout(r, 3000))]);
  try {
    return keep(await api('POST /api/invites/:code/redeem', { params: { code } }));
  } catch (err) {
    if (err instanceof ApiError && (err.status === 410 || err.status === 404)) return undefined;
    throw err;
  }
}

/**
 * What one tap set going (or a redemption without the camera, in a browser that cannot stream),
 * ended at most once by whatever comes first: the server's push that the session ended, or a final
 * refusal (the session ended while the phone was offline, its token no longer valid). Ending lets
 * every camera track go, whichever stage the call had reached.
 */
interface Call {
  socket: SignallingSocket;
  sessionId: string;
  camera: Promise<MediaStreamTrack>;
  publisher?: Publisher;
  /** The codec the receivers can all play, as the server says (issue 10, kind 5). */
  codecs: CodecChoice;
  over: boolean;
  /** The caller stopped the video with the stop button (the call itself goes on). */
  stopped: boolean;
  /** What the dispatcher shows, inset over the preview (issue #15 §1); none in a browser that cannot receive. */
  picture?: DispatcherPicture;
  finish(state: Finality): void;
  /** Ends the call if `err` is a final refusal; returns it then. */
  finishIfFinal(err: unknown): Finality | undefined;
}

/** Stops the camera the tap opened, once it has opened (or at once if it has). */
const releaseCamera = (camera: Promise<MediaStreamTrack>) =>
  void camera.then(
    (t) => t.stop(),
    () => undefined,
  );

/**
 * The caller's part of the session once redeemed: signalling, chat, location, the dispatcher's requests.
 * `opened`: the socket redeemed over (opened before the tap), else a new one.
 */
function join({ token, sessionId }: RedeemResponse, camera: Promise<MediaStreamTrack>, opened?: SignallingSocket): Call {
  const socket = opened ?? connectSignalling(token);
  const call: Call = {
    socket,
    sessionId,
    camera,
    codecs: new CodecChoice(socket),
    over: false,
    stopped: false,
    finish: (state) => endCall(call, state),
    finishIfFinal: (err) => {
      const final = finalRefusal(err);
      if (final) call.finish(final);
      return final;
    },
  };
  socket.on('session:ended', () => call.finish('ended'));
  if (devicePromise) call.picture = DispatcherPicture.wire(socket, devicePromise, sessionId, () => !call.over && !call.stopped);
  onRefusedHandshake(socket, call.finish);
  socket.on('chat:message', ({ message }) => ui.addChat(message));
  // The caller is told whenever a recording starts or stops (a failed segment has stopped too).
  socket.on('session:event', ({ event }) => {
    const recording = recordingAfter(event.type);
    if (recording === undefined) return;
    if (recording !== ui.recordingActive) ui.notify(...recordingNotice(recording));
    ui.setRecordingActive(recording);
  });
  // Whatever the dispatcher does to the phone's camera is said on it, done or not.
  socket.on('control:request', ({ action }) => {
    void obey(socket, sessionId, call.publisher, action).then(({ outcome }) => !call.over && ui.notify(...controlNotice(action, outcome)));
  });
  socket.on('cpr:metronome', ({ on, bpm }) => ui.metronome.set(on, bpm));
  // What this browser can send goes with the join; the server answers with the codecs its receivers
  // play. A tab that kept its token over a reload learns here that the session is over.
  const joined = devicePromise
    ? devicePromise.then(
        (d) => request(socket, 'session:join', { sessionId, rtpCapabilities: d.sendRtpCapabilities as never }),
        () => request(socket, 'session:join', { sessionId }),
      )
    : request(socket, 'session:join', { sessionId });
  void joined.then((j) => !call.stopped && call.picture?.set(j.showMe ?? null), call.finishIfFinal);
  // A page reloaded while the dispatcher's metronome runs gets it back.
  void joined.then((j) => j.metronome && ui.metronome.set(true, j.metronome.bpm)).catch(() => undefined);
  wireExtras(ui, socket, sessionId);
  return call;
}

/** Joins without a camera: a browser that cannot send live video still chats, shares location and sends photos. */
function joinWithoutCamera(invite: RedeemResponse): void {
  const none = Promise.reject(new CameraError('unsupported', 'this browser cannot send live video'));
  none.catch(() => undefined);
  join(invite, none);
}

async function start(): Promise<void> {
  ui.setStatus('connecting');
  const camera = openCamera('environment');
  camera.then(
    () => markStep('camera'),
    () => undefined,
  );
  // The tap is the consent: the camera opens while the server logs it; media goes out only after.
  const { invite, pre } = await redeemAtTap().catch((err: unknown) => {
    releaseCamera(camera);
    throw err;
  });
  if (!invite) {
    releaseCamera(camera);
    ui.setStatus('expired');
    return;
  }
  markStep('consent', invite.sessionId);
  await goLive(join(invite, camera, pre?.socket), pre);
}

/**
 * From an opening camera to a published stream. A camera that does not open (blocked, or no camera
 * here) shows the numbered guide for this platform, with "try again" (which opens the camera again
 * and comes back here) and "send a photo instead"; the console is told which steps the caller sees.
 */
async function goLive(call: Call, pre?: PreTap): Promise<void> {
  const { socket, sessionId, finish, finishIfFinal, codecs } = call;
  let track: MediaStreamTrack;
  try {
    track = await call.camera;
  } catch (err) {
    if (call.over) return;
    const reason = err instanceof CameraError ? err.reason : 'failed';
    const platform = reason === 'unsupported' ? 'inApp' : detectPlatform();
    void request(socket, 'caller:camera', { sessionId, granted: false, reason, platform, browser }).catch(() => undefined);
    ui.setStatus('camera_denied');
    $('consent').hidden = true;
    ui.showGuide(platform);
    $('extras').hidden = false;
    retry = () => {
      call.camera = openCamera('environment');
      ui.setStatus('connecting');
      void goLive(call).catch(showTrouble);
    };
    return;
  }
  if (call.over) return;
  void request(socket, 'caller:camera', { sessionId, granted: true }).catch(() => undefined);
  retry = undefined;
  $('consent').hidden = true;
  $('help').hidden = true;
  $('stage').hidden = false;
  $('extras').hidden = false;
  ui.setPhase('live');
  const local = $<HTMLVideoElement>('local');
  local.srcObject = new MediaStream([track]);
  void local.play().catch(() => undefined);

  const device = await (devicePromise ?? loadDevice());
  if (call.over) return;
  const p = new Publisher(socket, device, sessionId, track, 'environment', codecs);
  call.publisher = p;
  p.onState = (state) => {
    if (call.stopped) return;
    if (state === 'ended' || state === 'expired') finish(state);
    else ui.setStatus(state === 'live' && p.paused ? 'paused' : state);
  };
  wireControls(p, ui, (action, result) => void reply(socket, sessionId, action, result));
  // A metronome started or stopped while the phone was offline: the rejoin's answer says which.
  p.rejoined.add((answer) => ui.metronome.set(answer.metronome !== undefined, answer.metronome?.bpm ?? 0));
  stop = () => void stopVideo(call);
  try {
    await p.start(await pre?.transport());
  } catch (err) {
    if (call.over || call.stopped || finishIfFinal(err)) return;
    throw err;
  }
  watchQuality(p, (weak) => {
    ui.setWeakNetwork(weak);
    call.picture?.setWeak(weak);
  });
}

/**
 * The caller's stop button: the video ends for good (consent to video is withdrawn), the call does
 * not. The server is told first, so that the media going away is logged as the caller's choice
 * (`video_stopped`) and raises no alarm; then the camera is let go. Chat, location and photos stay.
 * The token is dropped: a reload does not offer the video again (the dispatcher can send a new link).
 */
async function stopVideo(call: Call): Promise<void> {
  if (call.stopped || call.over) return;
  call.stopped = true;
  stop = undefined;
  await request(call.socket, 'caller:stop-video', { sessionId: call.sessionId }).catch(() => undefined);
  call.publisher?.close();
  call.picture?.close();
  releaseCamera(call.camera);
  sessionStorage.removeItem(tokenKey);
  $<HTMLVideoElement>('local').srcObject = null;
  $('stage').hidden = true;
  ui.setPhase('stopped');
  ui.setStatus('stopped');
}

function endCall(call: Call, state: Finality): void {
  if (call.over) return;
  call.over = true;
  call.publisher?.close();
  call.picture?.close();
  releaseCamera(call.camera);
  call.socket.disconnect();
  sessionStorage.removeItem(tokenKey);
  $<HTMLVideoElement>('local').srcObject = null;
  $('stage').hidden = true;
  $('extras').hidden = true;
  startButton.disabled = true;
  ui.metronome.stop();
  // The end screen: the video is over, the phone call is not; nothing left to tap but the language.
  if (state === 'ended') ui.setPhase('ended');
  ui.setStatus(state);
}
