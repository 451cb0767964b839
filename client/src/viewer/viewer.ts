import './viewer.css';
import type { RedeemResponse } from '@sightline/shared';
import { api, ApiError } from '../common/api.js';
import { loadDevice } from '../common/device.js';
import { h } from '../common/dom.js';
import { finalRefusal, onRefusedHandshake, type Finality } from '../common/finality.js';
import { connectSignalling, onTransportsLost, request } from '../common/signalling.js';
import { Subscriber } from '../common/Subscriber.js';

type ViewerState = 'ready' | 'connecting' | 'live' | 'reconnecting' | 'ended' | 'expired' | 'error';

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
      reconnecting: 'Kobler til på nytt …',
      ended: 'Videoen er avsluttet.',
      expired: 'Lenken virker ikke lenger.',
      error: 'Noe gikk galt. Last inn siden på nytt.',
    },
    from: { dispatcher: 'AMK', caller: 'Innringer', viewer: 'Seer' },
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
      reconnecting: 'Reconnecting…',
      ended: 'The video has ended.',
      expired: 'This link no longer works.',
      error: 'Something went wrong. Reload the page.',
    },
    from: { dispatcher: 'Dispatcher', caller: 'Caller', viewer: 'Viewer' },
  },
} satisfies Record<string, { status: Record<ViewerState, string>; from: Record<string, string>; [k: string]: unknown }>;

/**
 * The view-only page for an invited doctor or ambulance crew: the caller's video and the chat,
 * nothing else (the server refuses anything more to a viewer token anyway).
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
  const log = h('ol', { testid: 'chat-log', 'aria-live': 'polite' });
  const input = h('input', { testid: 'chat-input', maxlength: '500', 'aria-label': w.message });
  const send = h('button', { type: 'submit', testid: 'chat-send' }, w.send);
  const form = h('form', { class: 'chat-form' }, input, send);
  const main = document.querySelector('main')!;
  main.classList.add('viewer');
  main.replaceChildren(h('h1', {}, w.title), watch, h('div', { class: 'viewer-video' }, video, problem), status, h('section', { class: 'chat' }, log, form));
  const key = `sightline.invite.${code}`;
  if (opts.ended) {
    // A session that is over stays over, even for a tab that kept its token over a reload.
    sessionStorage.removeItem(key);
    watch.disabled = true;
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
    const subscriber = new Subscriber(socket, device, sessionId, (track) => {
      video.srcObject = new MediaStream([track]);
      void video.play().catch(() => undefined);
      problem.hidden = true;
      setStatus('live');
    });
    subscriber.unplayable.add((reason) => {
      problem.textContent = `${w.noVideo}: ${reason}`;
      problem.hidden = false;
    });
    (window as unknown as { __sightlineStats: () => Promise<RTCStatsReport | undefined> }).__sightlineStats = () => subscriber.videoStats();
    socket.on('media:producer-added', ({ producerId }) => void subscriber.consume({ producerId }));
    socket.on('media:producer-closed', ({ producerId }) => subscriber.producerClosed(producerId));
    socket.on('chat:message', ({ message }) => log.append(h('li', { 'data-from': message.from }, `${w.from[message.from]}: `, h('bdi', {}, message.text))));
    // Over for good (ended, even while this phone was offline; or the token refused): let the media go.
    let over = false;
    const finish = (state: Finality) => {
      if (over) return;
      over = true;
      subscriber.close();
      socket.disconnect();
      sessionStorage.removeItem(key);
      video.srcObject = null;
      setStatus(state);
    };
    socket.on('session:ended', () => finish('ended'));
    onRefusedHandshake(socket, finish);
    socket.on('disconnect', () => !over && setStatus('reconnecting'));
    const join = async () => {
      try {
        // What this browser plays goes with the join: the caller is asked for a codec every receiver plays.
        // Closed before the join, not after: a producer announced while the join is answered (the caller
        // switching codec for this very browser) is consumed on the new transport instead of torn down.
        subscriber.close();
        const joined = await request(socket, 'session:join', { sessionId, rtpCapabilities: device.rtpCapabilities as never });
        await subscriber.prepare();
        for (const p of joined.producers) void subscriber.consume(p);
        // Back, but nothing to watch yet (the caller is not publishing): not "reconnecting" any more.
        if (!joined.producers.length) setStatus('connecting');
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
