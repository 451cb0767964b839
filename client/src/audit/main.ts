import '../console/console.css';
import './audit.css';
import { api, onUnauthorized } from '../common/api.js';
import { wireLogin } from '../common/login.js';
import { keepTokenFresh } from '../common/tokenRefresh.js';
import { h } from '../common/dom.js';
import { showSession } from './SessionView.js';

/** The supervisor's workspace: search sessions, open one, replay, verify, export. */
const TOKEN_KEY = 'sightline.audit.token';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const loginForm = $<HTMLFormElement>('login');
const login = wireLogin({
  form: loginForm,
  error: $('login-error'),
  role: 'supervisor',
  tokenKey: TOKEN_KEY,
  wrongRole: 'the audit workspace is for supervisors',
  onLogin: (token, username) => open(token, username),
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) open(saved, '');

function open(initial: string, username: string): void {
  // A token the server no longer takes (expired, or another signing key) ends this sitting: the
  // supervisor logs in again rather than reading a workspace that silently stopped answering.
  const sitting = new AbortController();
  const token = keepTokenFresh(initial, TOKEN_KEY, () => undefined, sitting.signal);
  sitting.signal.addEventListener(
    'abort',
    onUnauthorized(() => {
      sitting.abort();
      $('app').hidden = true;
      $('results').replaceChildren();
      $('detail').replaceChildren();
      $('detail').hidden = true;
      $('who').textContent = '';
      login.signedOut();
    }),
  );
  loginForm.hidden = true;
  $('app').hidden = false;
  $('who').textContent = username;
  const form = $<HTMLFormElement>('search');
  form.addEventListener(
    'submit',
    (ev) => {
      ev.preventDefault();
      void search(token, form).catch(() => undefined);
    },
    { signal: sitting.signal },
  );
  void search(token, form).catch(() => undefined);
}

let searchSeq = 0;

async function search(tokenOf: () => string, form: HTMLFormElement): Promise<void> {
  const token = tokenOf();
  const seq = ++searchSeq;
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) {
    const value = String(v).trim();
    if (!value) continue;
    params.set(k, k === 'from' || k === 'to' ? new Date(value).toISOString() : value);
  }
  const { sessions } = await api('GET /api/sessions', { token, query: params });
  if (seq !== searchSeq) return; // a newer search is on its way
  const body = $('results');
  body.replaceChildren(
    ...sessions.map((s) => {
      const row = h(
        'tr',
        { testid: 'session-row', 'data-session-id': s.id, tabindex: '0' },
        h('td', {}, new Date(s.createdAt).toLocaleString()),
        h('td', {}, s.incidentRef ?? '—'),
        h('td', {}, s.dispatcher),
        h('td', {}, s.status),
        h('td', {}, s.hasRecording ? 'yes' : 'no'),
      );
      const openIt = () => void showSession($('detail'), tokenOf(), s.id);
      row.addEventListener('click', openIt);
      row.addEventListener('keydown', (e) => e.key === 'Enter' && openIt());
      return row;
    }),
  );
  if (sessions.length === 0) body.append(h('tr', {}, h('td', { colspan: '5' }, 'No sessions match.')));
}
