import '../console/console.css';
import './audit.css';
import { onUnauthorized } from '../common/api.js';
import { wireLogin } from '../common/login.js';
import { keepTokenFresh } from '../common/tokenRefresh.js';
import { SessionSearch } from './SessionSearch.js';
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
  const search = new SessionSearch($<HTMLFormElement>('search'), $('results'), token, (id) => void showSession($('detail'), token(), id));
  void search.start(sitting.signal).catch(() => undefined);
}

// Last, once everything above is defined: a reload with a saved token opens the workspace at once,
// and its first search must find the module fully set up (it once hit a `let` not yet initialised,
// so the list stayed empty until Search was pressed).
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) open(saved, '');
