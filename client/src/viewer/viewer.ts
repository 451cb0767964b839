import './viewer.css';
import type { ChatMessage, RedeemResponse, SessionEvent, SessionStatus } from '@sightline/shared';
import { api, ApiError } from '../common/api.js';
import { loadDevice } from '../common/device.js';
import { h } from '../common/dom.js';
import { finalRefusal, onRefusedHandshake, type Finality } from '../common/finality.js';
import { connectSignalling, onTransportsLost, request } from '../common/signalling.js';
import { Subscriber } from '../common/Subscriber.js';
import { framesDecodedIn, VideoState, type VideoStateName } from '../common/VideoState.js';
import { ENGLISH_VIDEO_WORDS, VideoStateView, type VideoStateWords } from '../common/VideoStateView.js';
import { beep } from '../common/SoundAlerts.js';
import { IncidentPanel } from './IncidentPanel.js';
import { ShownToCaller } from './ShownToCaller.js';

type ViewerState = 'ready' | 'connecting' | 'live' | 'paused' | 'reconnecting' | 'ended' | 'expired' | 'error';

/** The page's status line while watching follows this screen's video state (a lost picture is "reconnecting"). */
const STATUS_OF: Record<VideoStateName, ViewerState> = { connecting: 'connecting', live: 'live', paused: 'paused', lost: 'reconnecting', ended: 'ended' };

const NB_VIDEO_WORDS: VideoStateWords = {
  state: { connecting: 'Kobler til video', live: 'Direkte', paused: 'Pause hos innringer', lost: 'Video borte', ended: 'Video avsluttet' },
  waiting: 'Venter på video',
  alarm: {
    'no-frame': 'INGEN VIDEO på denne skjermen — ingenting mottatt',
    stalled: 'VIDEO BORTE — kobler til på nytt',
    'caller-gone': 'VIDEO BORTE — kobler til på nytt',
  },
};

/**
 * The viewer's words: bokmål for a Norwegian session, English otherwise (viewers are staff, not the
 * caller). The state itself goes to `data-state` of `caller-status` (CONTRACT.md), never into the text.
 */
const WORDS = {
  nb: {
    watch: 'Se video',
    message: 'Melding',
    send: 'Send',
    title: 'Video fra innringer (kun visning)',
    noVideo: 'Ingen video her',
    status: {
      ready: 'Klar',
      connecting: 'Kobler til …',
      live: 'Direkte',
      paused: 'Innringeren har satt videoen på pause.',
      reconnecting: 'Kobler til på nytt …',
      ended: 'Videoen er avsluttet.',
      expired: 'Lenken virker ikke lenger.',
      error: 'Noe gikk galt. Last inn siden på nytt.',
    },
    from: { dispatcher: 'AMK', caller: 'Innringer', viewer: 'Seer' },
    video: NB_VIDEO_WORDS,
    incident: { incident: 'Hendelse', location: 'Posisjon', notShared: 'ikke delt', none: '—' },
    shown: { title: 'Vist til innringeren', camera: 'AMK-operatørens kamera', clip: 'Film' },
  },
  en: {
    watch: 'Watch video',
    message: 'Message',
    send: 'Send',
    title: 'Caller video (view only)',
    noVideo: 'No video here',
    status: {
      ready: 'Ready',
      connecting: 'Connecting…',
      live: 'Live',
      paused: 'The caller has paused the video.',
      reconnecting: 'Reconnecting…',
      ended: 'The video has ended.',
      expired: 'This link no longer works.',
      error: 'Something went wrong. Reload the page.',
    },
    from: { dispatcher: 'Dispatcher', caller: 'Caller', viewer: 'Viewer' },
    video: ENGLISH_VIDEO_WORDS,
    incident: { incident: 'Incident', location: 'Location', notShared: 'not shared', none: '—' },
    shown: { title: 'Shown to the caller', camera: "The dispatcher's camera", clip: 'Clip' },
  },
} satisfies Record<string, { status: Record<ViewerState, string>; from: Record<string, string>; [k: string]: unknown }>;

/**
 * The view-only page for an invited doctor or ambulance crew: the caller's video, the incident
 * reference, the caller's location and the chat with its history; nothing else (the server refuses
 * anything more to a viewer token anyway).
 */
export async function startViewer(code: string, language: string, opts: { ended?: boolean } = {}): Promise<void> {
  const w = language === 'nb' || language === 'nn' ? WORDS.nb : WORDS.en;
  document.documentElement.lang = w === WORDS.nb ? 'nb' : 'en';
  document.documentElement.dir = 'ltr';
  const status = document.getElementById('status')!;
  const setStatus = (s: ViewerState) => {
    status.dataset['state'] = s;
    status.textContent = w.status[s];
  };
  const watch = h('button', { type: 'button', class: 'primary', testid: 'start-video' }, w.watch);
  const video = h('video', { testid: 'remote-video', autoplay: true, muted: true, playsinline: true });
  const problem = h('p', { testid: 'video-problem', class: 'video-problem', role: 'status', hidden: true });
  video.muted = true;
  // This screen's video state (issue #14, part 2): the server's word, and what this phone decodes.
  const videoState = new VideoState(performance.now());
  const frame = h('div', { class: 'viewer-video' }, video);
  const stateView = new VideoStateView(frame, videoState, w.video);
  frame.append(stateView.badge, stateView.banner, problem);
  const log = h('ol', { testid: 'chat-log', 'aria-live': 'polite' });
  const incident = new IncidentPanel(w.incident, document.documentElement.lang);
  // The join answer's history and the live pushes overlap after a rejoin: each message once.
  const shown = new Set<string>();
  const showChat = (message: ChatMessage) => {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    log.append(h('li', { 'data-from': message.from }, `${w.from[message.from]}: `, h('bdi', {}, message.text)));
  };
  const input = h('input', { testid: 'chat-input', maxlength: '500', 'aria-label': w.message });
  const send = h('button', { type: 'submit', testid: 'chat-send' }, w.send);
  const form = h('form', { class: 'chat-form' }, input, send);
  const main = document.querySelector('main')!;
  main.classList.add('viewer');
  // What the dispatcher shows the caller (issue #15 §1): the same instruction, beside the caller's video.
  const shownToCaller = new ShownToCaller(w.shown);
  main.replaceChildren(h('h1', {}, w.title), incident.el, watch, frame, shownToCaller.el, status, h('section', { class: 'chat' }, log, form));
  const key = `sightline.invite.${code}`;
  if (opts.ended) {
    // A session that is over stays over, even for a tab that kept its token over a reload.
    sessionStorage.removeItem(key);
    watch.disabled = true;
    videoState.session('ended', performance.now());
    setStatus('ended');
    return;
  }
  setStatus('ready');

  watch.addEventListener('click', () => {
    watch.disabled = true;
    watchVideo().catch((err: unknown) => {
      console.warn('viewer page:', err);
      setStatus(err instanceof ApiError && (err.status === 404 || err.status === 410) ? 'expired' : 'error');
      watch.disabled = false;
    });
  });

  async function watchVideo(): Promise<void> {
    setStatus('connecting');
    // The invite is spent on the first tap; a reload keeps the token of this tab.
    const saved = sessionStorage.getItem(key);
    const redeemed = saved ? (JSON.parse(saved) as RedeemResponse) : await api('POST /api/invites/:code/redeem', { params: { code } });
    sessionStorage.setItem(key, JSON.stringify(redeemed));
    const { token, sessionId } = redeemed;
    watch.hidden = true;
    const socket = connectSignalling(token);
    const device = await loadDevice();
    const videoProducers = new Set<string>();
    const subscriber = new Subscriber(socket, device, sessionId, (track, info) => {
      video.srcObject = new MediaStream([track]);
      void video.play().catch(() => undefined);
      problem.hidden = true;
      if (info.kind !== 'video') return;
      videoProducers.add(info.producerId);
      videoState.producer(true, performance.now());
    });
    let over = false;
    let online = true;
    const showState = () => {
      if (!over) setStatus(online ? STATUS_OF[videoState.current.state] : 'reconnecting');
    };
    videoState.onChange((s, prev) => {
      // One alarm, one sound (the Watch tap unlocked audio); a change of cause does not beep again.
      if (s.alarm !== undefined && prev.alarm === undefined) beep();
      showState();
    });
    const poll = setInterval(() => {
      void subscriber.videoStats().then(
        (report) => {
          const frames = framesDecodedIn(report);
          const now = performance.now();
          if (frames === undefined) videoState.tick(now);
          else videoState.frames(frames, now);
          stateView.render(now);
        },
        () => undefined,
      );
    }, 1000);
    subscriber.unplayable.add((reason) => {
      problem.textContent = `${w.noVideo}: ${reason}`;
      problem.hidden = false;
    });
    (window as unknown as { __sightlineStats: () => Promise<RTCStatsReport | undefined> }).__sightlineStats = () => subscriber.videoStats();
    socket.on('media:producer-added', ({ producerId }) => void subscriber.consume({ producerId }));
    socket.on('media:producer-closed', ({ producerId }) => {
      subscriber.producerClosed(producerId);
      if (videoProducers.delete(producerId)) videoState.producer(videoProducers.size > 0, performance.now());
    });
    const heard = (status: SessionStatus, event?: SessionEvent) => {
      const now = performance.now();
      if (event?.type === 'media_paused' || event?.type === 'media_resumed') videoState.callerPaused(event.type === 'media_paused', now);
      videoState.session(status, now);
    };
    socket.on('session:event', ({ status, event }) => heard(status, event));
    socket.on('chat:message', ({ message }) => showChat(message));
    socket.on('caller:location', ({ location }) => incident.location(location));
    socket.on('show-me:changed', ({ showMe }) => !over && shownToCaller.set(showMe));
    // Over for good (ended, even while this phone was offline; or the token refused): let the media go.
    const finish = (state: Finality) => {
      if (over) return;
      over = true;
      clearInterval(poll);
      videoState.session('ended', performance.now());
      subscriber.close();
      shownToCaller.close();
      socket.disconnect();
      sessionStorage.removeItem(key);
      video.srcObject = null;
      setStatus(state);
    };
    socket.on('session:ended', () => finish('ended'));
    onRefusedHandshake(socket, finish);
    socket.on('disconnect', () => {
      online = false;
      showState();
    });
    const join = async () => {
      try {
        // What this browser plays goes with the join: the caller is asked for a codec every receiver plays.
        // Closed before the join, not after: a producer announced while the join is answered (the caller
        // switching codec for this very browser) is consumed on the new transport instead of torn down.
        subscriber.close();
        videoProducers.clear();
        videoState.producer(false, performance.now());
        const joined = await request(socket, 'session:join', { sessionId, rtpCapabilities: device.rtpCapabilities as never });
        online = true;
        incident.incident(joined.incidentRef);
        if (joined.location) incident.location(joined.location);
        for (const message of joined.chat ?? []) showChat(message);
        for (const e of joined.events) heard(joined.status, e);
        heard(joined.status);
        showState();
        await subscriber.prepare();
        for (const p of joined.producers) void subscriber.consume(p);
        shownToCaller.start(socket, device, sessionId);
        shownToCaller.set(joined.showMe ?? null);
      } catch (err) {
        const final = finalRefusal(err);
        if (final) finish(final);
        else throw err;
      }
    };
    onTransportsLost(socket, () => void join().catch(() => undefined));
    await join();
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      void request(socket, 'chat:send', { sessionId, text }).then(() => (input.value = ''));
    });
  }
}
