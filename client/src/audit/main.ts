import '../console/console.css';
import './audit.css';
import type { LoginResponse, SessionSummary } from '@sightline/shared';
import { api, ApiError } from '../common/api.js';
import { h } from '../common/dom.js';
import { showSession } from './SessionView.js';

/** The supervisor's workspace: search sessions, open one, replay, verify, export. */
const TOKEN_KEY = 'sightline.audit.token';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const loginForm = $<HTMLFormElement>('login');
loginForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const data = new FormData(loginForm);
  $('login-error').textContent = '';
  api<LoginResponse>('POST', '/api/auth/login', { body: { username: data.get('username'), password: data.get('password') } })
    .then((r) => {
      if (r.role !== 'supervisor') throw new ApiError(403, 'forbidden', 'the audit workspace is for supervisors');
      sessionStorage.setItem(TOKEN_KEY, r.token);
      open(r.token, String(data.get('username')));
    })
    .catch((err: Error) => ($('login-error').textContent = err.message));
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) open(saved, '');

function open(token: string, username: string): void {
  loginForm.hidden = true;
  $('app').hidden = false;
  $('who').textContent = username;
  const form = $<HTMLFormElement>('search');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void search(token, form);
  });
  void search(token, form);
}

async function search(token: string, form: HTMLFormElement): Promise<void> {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) {
    const value = String(v).trim();
    if (!value) continue;
    params.set(k, k === 'from' || k === 'to' ? new Date(value).toISOString() : value);
  }
  const { sessions } = await api<{ sessions: SessionSummary[] }>('GET', `/api/sessions?${params}`, { token });
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
      const openIt = () => void showSession($('detail'), token, s.id);
      row.addEventListener('click', openIt);
      row.addEventListener('keydown', (e) => e.key === 'Enter' && openIt());
      return row;
    }),
  );
  if (sessions.length === 0) body.append(h('tr', {}, h('td', { colspan: '5' }, 'No sessions match.')));
}
