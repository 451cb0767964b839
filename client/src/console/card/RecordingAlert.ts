import { errorText, t } from '../../staff-i18n/index.js';
import type { SessionEvent } from '@sightline/shared';
import { api, ApiError } from '../../common/api.js';
import { h } from '../../common/dom.js';
import { alarmStore, type AlarmStore } from '../alarms/AlarmStore.js';
import type { CardContext } from './context.js';

/**
 * A failed recording, loud (issue #14): a banner on the card saying why, with a retry, and the same
 * alarm on the console's strip. It follows the session's recording events: `recording_failed` raises
 * it, and the next `recording_started` (media is on disk again) or `recording_ended` clears it. The
 * server already tries again by itself while recording is wanted; "Retry now" skips its back-off, or
 * starts again after a segment that failed once the dispatcher had stopped.
 */
export class RecordingAlert {
  readonly el: HTMLElement;
  #text = h('span', { class: 'recording-failed-text' });
  #retry = h('button', { type: 'button', class: 'small', testid: 'recording-retry' }, t('console.recording.retry'));

  constructor(
    private readonly ctx: CardContext,
    private readonly alarms: AlarmStore = alarmStore,
  ) {
    this.el = h('div', { class: 'recording-failed', testid: 'recording-failed-banner', role: 'alert', hidden: true }, this.#text, this.#retry);
    this.#retry.addEventListener('click', () => void this.#retryNow());
  }

  get shown(): boolean {
    return !this.el.hidden;
  }

  /** Feeds one session event (history included, in order: the last recording event decides). */
  event(e: SessionEvent): void {
    if (e.type === 'recording_failed') {
      const retrying = e.details?.['wanted'] === true ? ` ${t('console.recording.retrying')}` : '';
      this.#show(t('console.recording.failed', { reason: failureReason(e.details) }) + retrying);
    } else if (e.type === 'recording_started' || e.type === 'recording_ended' || e.type === 'ended') this.#hide();
  }

  #show(text: string): void {
    this.#text.textContent = text;
    this.#retry.disabled = false;
    this.el.hidden = false;
    this.alarms.raise({ sessionId: this.ctx.sessionId, kind: 'recording-failed', text: text.toUpperCase() });
  }

  #hide(): void {
    this.el.hidden = true;
    this.alarms.clear(this.ctx.sessionId, 'recording-failed');
  }

  async #retryNow(): Promise<void> {
    this.#retry.disabled = true;
    try {
      await api('POST /api/sessions/:id/recording', { token: this.ctx.token, params: { id: this.ctx.sessionId }, body: { action: 'start' } });
      this.#text.textContent = t('console.recording.tryingAgain');
    } catch (err) {
      // 409: recording is wanted and a new segment is already under way (the server retries by itself).
      this.#text.textContent =
        err instanceof ApiError && err.status === 409
          ? t('console.recording.alreadyStarting')
          : t('console.recording.retryFailed', { reason: errorText(err as Error) });
      this.#retry.disabled = false;
    }
  }
}

/**
 * Why a segment failed, in the dispatcher's words, from `recording_failed` details
 * (server/src/recording/SessionRecording.ts: reason, error, signal, exitCode).
 */
export function failureReason(details: Record<string, unknown> | undefined): string {
  const d = details ?? {};
  if (d['reason'] === 'no_key_frame') return t('console.recording.reason.noKeyFrame');
  if (d['reason'] === 'no playable media') return t('console.recording.reason.noMedia');
  if (d['error'] === 'disk_floor') return t('console.recording.reason.disk');
  if (typeof d['error'] === 'string') return t('console.recording.reason.noStart');
  return t('console.recording.reason.stopped');
}
