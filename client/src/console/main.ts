import './console.css';
import type { Language, SessionStatus } from '@sightline/shared';
import { api, ApiError, onUnauthorized } from '../common/api.js';
import { h } from '../common/dom.js';
import { usernameOf, wireLogin } from '../common/login.js';
import { errorText, languageSwitch, localeForUser, t, translatePage } from '../staff-i18n/index.js';
import { keepTokenFresh } from '../common/tokenRefresh.js';
import { loadDevice } from '../common/device.js';
import { markStep } from '../common/marks.js';
import { connectSignalling, onTokenRefused, onTransportsLost } from '../common/signalling.js';
import { SessionCard } from './SessionCard.js';
import { beep, wireSoundControl } from '../common/SoundAlerts.js';
import { alarmStore } from './alarms/AlarmStore.js';
import { Desk } from './rail/Desk.js';
import { RecentlyEnded } from './rail/RecentlyEnded.js';
import { PhoneField, phoneProblem } from './PhoneField.js';
import { loadSettings } from './settings.js';

/**
 * The dispatcher console: login, then the desk (rail of sessions by urgency, alarm strip, recently
 * ended), a form to start a session, and one card per active session, the focused one large.
 */
const TOKEN_KEY = 'sightline.token';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// The shell's static texts in the page's language (LOCALE until someone logs in), and the switch.
translatePage(document);
let user = '';
/** Sessions on this console now (set once logged in): a language change waits while there are any. */
let openSessions = () => 0;
const languageNote = h('span', { class: 'muted', testid: 'staff-language-note', role: 'status' });
const header = document.querySelector('header.bar')!;
header.insertBefore(
  languageSwitch(
    () => user,
    // The cards were written in the language of their moment: a logged-in console reloads into the new
    // one, but never under an open session (a reload drops drafts and sets the caller's video up again).
    () => {
      if (!user) return;
      if (openSessions() === 0) return location.reload();
      languageNote.textContent = t('console.languageLater');
    },
  ),
  $('logout'),
);
header.insertBefore(languageNote, $('logout'));

const loginForm = $<HTMLFormElement>('login');
const login = wireLogin({
  form: loginForm,
  error: $('login-error'),
  role: 'dispatcher',
  tokenKey: TOKEN_KEY,
  wrongRole: 'console.login.wrongRole',
  onLogin: (token, username) => openConsole(token, username),
});

wireSoundControl($<HTMLButtonElement>('sound-alerts'));

// The rail sits below the header and the alarm strip, whose height changes with its items.
const top = document.querySelector<HTMLElement>('.top')!;
new ResizeObserver(() => document.documentElement.style.setProperty('--top-h', `${top.offsetHeight}px`)).observe(top);

const blurDefault = $<HTMLInputElement>('blur-default');
blurDefault.checked = localStorage.getItem('sightline.blur') === '1';
blurDefault.addEventListener('change', () => localStorage.setItem('sightline.blur', blurDefault.checked ? '1' : '0'));

$('logout').addEventListener('click', () => {
  // The server revokes this login's tokens (every node) and cuts its socket; the page forgets it either way.
  const token = sessionStorage.getItem(TOKEN_KEY);
  sessionStorage.removeItem(TOKEN_KEY);
  // The shift is over: its ended-session records go with it.
  RecentlyEnded.forget();
  const revoked = token ? api('POST /api/auth/logout', { token }).catch(() => undefined) : Promise.resolve();
  void revoked.finally(() => location.reload());
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) {
  // A reload keeps the shift going: no flash of the login form while the saved token is tried.
  loginForm.hidden = true;
  localeForUser(usernameOf(saved));
  openConsole(saved, '').catch((err: Error) => {
    sessionStorage.removeItem(TOKEN_KEY);
    if (err instanceof ApiError && err.status === 401) login.signedOut();
    else loginForm.hidden = false;
  });
}

let phoneField: PhoneField | undefined;

async function openConsole(token: string, username: string): Promise<void> {
  user = username || usernameOf(token);
  // Everything this shift sets up stops with it: the token refresh, the socket, the cards, the form's handler.
  const shift = new AbortController();
  const { sessions } = await api('GET /api/sessions', { token });
  // The default country for phone numbers; the embedded default (NO) holds if this fails.
  void loadSettings(token).catch(() => undefined);
  loginForm.hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  // The first thing a dispatcher does here is type the caller's number (the login form, now hidden, had the focus).
  const active = document.activeElement;
  if (!active || active === document.body || loginForm.contains(active)) $('new-session').querySelector<HTMLInputElement>('input[name="phone"]')?.focus();
  $('who').textContent = username || (sessions[0]?.dispatcher ?? '');

  const device = await loadDevice();
  const socket = connectSignalling(token);
  const currentToken = keepTokenFresh(
    token,
    TOKEN_KEY,
    (fresh) => {
      // The next reconnect presents the fresh token.
      (socket.auth as { token: string }).token = fresh;
    },
    shift.signal,
  );
  const cards = new Map<string, SessionCard>();
  openSessions = () => cards.size;
  const list = $('sessions');
  const desk = new Desk({
    alarms: alarmStore,
    railSlot: $('rail-slot'),
    stripSlot: $('alarm-slot'),
    chime: beep,
    tokenOf: currentToken,
    stillsOf: async (id) => (await api('GET /api/sessions/:id/snapshots', { token: currentToken(), params: { id } })).snapshots,
    signal: shift.signal,
  });
  $('alarm-slot').hidden = false;

  // The server no longer takes this token (it expired while the laptop slept, or the server now signs
  // with another key): a console that carried on would show cards that no longer update. Put
  // everything down and ask for a login; the next shift loads the cards again.
  const signedOut = () => {
    if (shift.signal.aborted) return;
    shift.abort();
    socket.disconnect();
    for (const card of cards.values()) card.close();
    cards.clear();
    list.replaceChildren();
    $('alarm-slot').hidden = true;
    $('app').hidden = true;
    $('logout').hidden = true;
    $('who').textContent = '';
    user = '';
    login.signedOut();
  };
  onTokenRefused(socket, signedOut);
  shift.signal.addEventListener('abort', onUnauthorized(signedOut));

  const ending = new Set<string>();
  const endReasons = new Map<string, string>();
  /** `status`: the session's as the list or the create answer gave it, so the card is laid out for it before its details load. */
  const addCard = (id: string, status: SessionStatus, inviteUrl?: string): SessionCard => {
    const existing = cards.get(id);
    // Announced by the server before this tab's own create answer came: the answer still focuses it.
    if (existing && inviteUrl) {
      existing.setInviteUrl(inviteUrl);
      desk.focus(id);
    }
    if (existing) return existing;
    const card = new SessionCard(id, socket, device, currentToken, (c) => {
      // Told by the dispatcher's own end and by the server's push: the record is kept once.
      if (ending.has(c.sessionId)) return;
      ending.add(c.sessionId);
      void desk.cardEnded(c, endReasons.get(c.sessionId));
      setTimeout(() => {
        c.el.remove();
        cards.delete(c.sessionId);
        desk.remove(c.sessionId);
      }, 10_000);
    });
    if (inviteUrl) card.setInviteUrl(inviteUrl);
    card.setStatus(status);
    cards.set(id, card);
    list.prepend(card.el);
    desk.add(card, inviteUrl !== undefined);
    card.attach().catch((err: Error) => console.error('attach failed', id, err));
    return card;
  };

  /**
   * This tab's own creates in flight. The server announces a new session before its create answer
   * comes; an announcement waits for the answers pending, which lay this tab's own session out
   * focused at once (it showed compact, then jumped to the top under a click on its way).
   */
  let creating: Promise<unknown> = Promise.resolve();
  // A session made for this dispatcher elsewhere (a CAD integration, another tab): on the rail at once.
  socket.on('session:created', ({ sessionId, status }) => void creating.then(() => addCard(sessionId, status)));
  socket.on('session:event', ({ sessionId, status, event }) => {
    const card = cards.get(sessionId);
    card?.addEvent(event);
    card?.setStatus(status);
  });
  socket.on('media:producer-added', ({ sessionId, producerId }) => {
    markStep('producer-announced', sessionId);
    cards.get(sessionId)?.producerAdded(producerId);
  });
  socket.on('media:producer-closed', ({ sessionId, producerId }) => cards.get(sessionId)?.producerClosed(producerId));
  socket.on('session:ended', ({ sessionId, reason }) => {
    endReasons.set(sessionId, reason);
    const card = cards.get(sessionId);
    // Ended here first (the dispatcher's own end): the record is made again, now with the server's reason.
    if (card && ending.has(sessionId)) void desk.cardEnded(card, reason);
    else card?.ended();
  });
  socket.on('chat:message', ({ sessionId, message }) => {
    cards.get(sessionId)?.chat(message);
    // What the caller (or a viewer) types may be the most urgent thing on the screen ("he is not breathing").
    if (message.from !== 'dispatcher' && cards.has(sessionId)) {
      alarmStore.raise({
        sessionId,
        kind: 'caller-message',
        text: message.from === 'viewer' ? t('console.alarms.viewer', { text: message.text }) : message.text,
      });
    }
  });
  socket.on('control:reply', ({ sessionId, action, outcome, detail }) => cards.get(sessionId)?.controlReply(action, outcome, detail));
  socket.on('caller:location', ({ sessionId, location }) => cards.get(sessionId)?.location(location));
  socket.on('caller:media', ({ sessionId, paused, facing }) => cards.get(sessionId)?.callerMedia(paused, facing));
  socket.on('snapshot:added', ({ sessionId, snapshot }) => cards.get(sessionId)?.snapshot(snapshot));
  socket.on('code:replaced', ({ sessionId, code, expiresAt, closedUntil }) => cards.get(sessionId)?.codeReplaced(code, expiresAt, closedUntil));
  // The server has forgotten this socket's transports (all of them after a reconnect): attach those cards again.
  onTransportsLost(socket, (sessionId) => {
    for (const card of sessionId ? [cards.get(sessionId)] : [...cards.values()]) card?.attach().catch(() => undefined);
  });

  // Diagnostics hook (tests, support staff in devtools): inbound video stats of a session.
  (window as unknown as { __sightlineStats: (id?: string) => Promise<RTCStatsReport | undefined> }).__sightlineStats = async (id) =>
    (id ? cards.get(id) : [...cards.values()][0])?.videoStats();

  for (const s of sessions.filter((s) => s.status !== 'ended').reverse()) addCard(s.id, s.status);

  const form = $<HTMLFormElement>('new-session');
  // One for the page: a field's listeners outlive a shift (signing in again makes no second one).
  const phone = (phoneField ??= new PhoneField(form.querySelector<HTMLInputElement>('[name=phone]')!, $('new-session-phone-hint')));
  form.addEventListener(
    'submit',
    (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      $('new-session-error').textContent = '';
      // The same check as the server's gate: a number it would refuse is not sent, and the field says why.
      const number = phone.check();
      if (!number.ok) {
        $('new-session-error').textContent = t('console.newSession.phoneError', { message: phoneProblem(number) });
        phone.input.focus();
        return;
      }
      const body = {
        phone: number.e164,
        incidentRef: String(data.get('incidentRef') ?? '') || undefined,
        // The form's select offers exactly the languages of LANGUAGES (console.html); the server checks.
        language: String(data.get('language') ?? 'nb') as Language,
      };
      const made = api('POST /api/sessions', { token: currentToken(), body })
        .then((r) => {
          addCard(r.id, r.status, r.inviteUrl);
          form.reset();
          phone.reset();
        })
        .catch((err: Error) => ($('new-session-error').textContent = errorText(err)));
      creating = Promise.all([creating, made]);
    },
    { signal: shift.signal },
  );
}
