import {
  BROWSER_FAMILIES,
  CALLER_PLATFORMS,
  UNSUPPORTED_REASONS,
  type BrowserFamily,
  type CallerPlatform,
  type SessionEvent,
  type SessionStatus,
  type UnsupportedReason,
} from '@sightline/shared';
import { en } from '../../caller/i18n/en.js';
import { nb } from '../../caller/i18n/nb.js';
import { locale, t, type TextKey } from '../../staff-i18n/index.js';
import { h } from '../../common/dom.js';

/** What the caller page's check found, in the dispatcher's words (reasons: shared/src/sessions/browser.ts). */
const reasonWords = (r: UnsupportedReason) => t(`console.browser.reason.${r}` as TextKey);
const familyWords = (f: BrowserFamily) => t(`console.browser.family.${f}` as TextKey);

/** Words for a `browser_unsupported` event, or undefined when its details are not ones we know. */
export function unsupportedWords(details: Record<string, unknown> | undefined): string | undefined {
  const reason = details?.['reason'];
  const browser = details?.['browser'];
  if (!(UNSUPPORTED_REASONS as readonly unknown[]).includes(reason) || !(BROWSER_FAMILIES as readonly unknown[]).includes(browser)) return undefined;
  return t('console.browser.unsupported', { reason: reasonWords(reason as UnsupportedReason), browser: familyWords(browser as BrowserFamily) });
}

/** A platform as the dispatcher says it (the caller page's guide has the steps for each). */
const platformWords = (p: CallerPlatform) => t(`console.browser.platform.${p}` as TextKey);

/**
 * Words and steps for a `camera_denied` event: which browser the caller has, and the numbered steps
 * the caller's page shows for that platform (the same steps, in the dispatcher's language, to read aloud).
 */
export function cameraDeniedWords(details: Record<string, unknown> | undefined): { words: string; steps: readonly string[] } | undefined {
  const platform = details?.['platform'];
  if (!(CALLER_PLATFORMS as readonly unknown[]).includes(platform)) return undefined;
  const browser = details?.['browser'];
  const family = (BROWSER_FAMILIES as readonly unknown[]).includes(browser) ? familyWords(browser as BrowserFamily) : familyWords('other');
  return {
    words: t('console.browser.cameraBlocked', { browser: family, platform: platformWords(platform as CallerPlatform) }),
    // The caller's screen shows the steps in the caller's language; the dispatcher reads them in theirs.
    steps: (locale() === 'nb' ? nb : en).guide[platform as CallerPlatform],
  };
}

/**
 * The card's line about the caller's side when there is no video from it, and why:
 * - the browser cannot send video (`browser_unsupported`): stays until video starts (the caller may
 *   open the link in another browser after reading the help);
 * - the camera was blocked (`camera_denied`): the caller's browser and the numbered steps their
 *   page shows, to read aloud; gone once the camera opens;
 * - the caller stopped the video for good (`video_stopped`): stays, the call goes on.
 * `data-reason` says which (the unsupported reason, `camera_denied` or `video_stopped`).
 */
export class BrowserNotice {
  readonly el = h('div', { class: 'browser-problem', testid: 'browser-problem', role: 'status', hidden: true });
  #stopped = false;

  event(e: SessionEvent): void {
    if (e.type === 'video_stopped') {
      this.#stopped = true;
      return this.#show('video_stopped', t('console.browser.stopped'));
    }
    if (e.type === 'camera_denied') {
      const denied = cameraDeniedWords(e.details);
      if (denied) this.#show('camera_denied', denied.words, denied.steps);
      return;
    }
    if (e.type !== 'browser_unsupported') return;
    const words = unsupportedWords(e.details);
    if (words) this.#show(String(e.details?.['reason']), words);
  }

  status(status: SessionStatus): void {
    if (!this.#stopped && (status === 'camera_granted' || status === 'live')) this.el.hidden = true;
  }

  #show(reason: string, words: string, steps: readonly string[] = []): void {
    this.el.replaceChildren(h('p', {}, words), ...(steps.length ? [h('ol', { testid: 'browser-problem-steps' }, ...steps.map((s) => h('li', {}, s)))] : []));
    this.el.dataset['reason'] = reason;
    this.el.hidden = false;
  }
}
