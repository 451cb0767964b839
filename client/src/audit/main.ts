import '../console/console.css';
import './audit.css';
import { onUnauthorized } from '../common/api.js';
import { usernameOf, wireLogin } from '../common/login.js';
import { languageSwitch, localeForUser, translatePage } from '../staff-i18n/index.js';
import { keepTokenFresh } from '../common/tokenRefresh.js';
import { AnalyticsView } from './AnalyticsView.js';
import { SessionSearch } from './SessionSearch.js';
import { showSession } from './SessionView.js';

/** The supervisor's workspace: search sessions, open one, replay, verify, export; the time-to-video analytics at #analytics. */
const TOKEN_KEY = 'sightline.audit.token';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// The shell's static texts in the page's language (LOCALE until someone logs in), and the switch.
translatePage(document);
let user = '';
document.querySelector('header.bar')!.append(
  languageSwitch(
    () => user,
    // The workspace was written in the language of its moment: logged in, the page reloads into the new one.
    () => user && location.reload(),
  ),
);

const loginForm = $<HTMLFormElement>('login');
const login = wireLogin({
  form: loginForm,
  error: $('login-error'),
  role: 'supervisor',
  tokenKey: TOKEN_KEY,
  wrongRole: 'audit.login.wrongRole',
  onLogin: (token, username) => open(token, username),
});

function open(initial: string, username: string): void {
  user = username || usernameOf(initial);
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
      user = '';
      analytics.dispose();
      $('analytics').replaceChildren();
      $('analytics').hidden = true;
      $('analytics-link').hidden = true;
      login.signedOut();
    }),
  );
  loginForm.hidden = true;
  $('app').hidden = false;
  $('who').textContent = user;
  const search = new SessionSearch($<HTMLFormElement>('search'), $('results'), token, (id) => void showSession($('detail'), token(), id));
  void search.start(sitting.signal).catch(() => undefined);
  // An ended session's EIDO document links here (`/audit?session=<id>`, issue #16 §3): open that session.
  const linked = new URLSearchParams(location.search).get('session');
  if (linked) void showSession($('detail'), token(), linked);
  const analytics = new AnalyticsView(token);
  $('analytics').replaceChildren(analytics.el);
  $('analytics-link').hidden = false;
  const route = (moveFocus: boolean) => showAnalytics(analytics, location.hash === '#analytics', moveFocus);
  window.addEventListener('hashchange', () => route(true), { signal: sitting.signal });
  route(false);
}

/**
 * The analytics view (`#analytics`, the header's `analytics-link`) or the search (any other hash; the
 * view's "Back to search"): one of the two is shown. Each opening loads the figures afresh (the
 * server logs each look).
 */
function showAnalytics(view: AnalyticsView, on: boolean, moveFocus: boolean): void {
  $('app').hidden = on;
  $('analytics').hidden = !on;
  if (on) {
    $('analytics-link').setAttribute('aria-current', 'page');
    void view.load();
  } else {
    $('analytics-link').removeAttribute('aria-current');
  }
  // The link or button that switched the view is gone from sight: a keyboard or screen reader user
  // continues at the shown view's heading, not at the top of the page.
  const heading = (on ? $('analytics') : $('app')).querySelector<HTMLElement>('h1, h2');
  if (heading && moveFocus) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

// Last, once everything above is defined: a reload with a saved token opens the workspace at once,
// and its first search must find the module fully set up (it once hit a `let` not yet initialised,
// so the list stayed empty until Search was pressed).
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) {
  localeForUser(usernameOf(saved));
  open(saved, '');
}
