import type { SessionEvent, SessionEventType } from '@sightline/shared';
import { h } from '../../common/dom.js';
import { t } from '../../staff-i18n/index.js';

export type StepState = 'done' | 'failed' | 'pending';

export interface Step {
  id: 'sms' | 'opened' | 'started' | 'camera' | 'live';
  label: string;
  state: StepState;
  /** Why a step failed, in the dispatcher's words ("blocked"). */
  note?: string;
}

/**
 * Where a session waiting for video stands, step by step, from its events (issue #14 §1: "SMS ✓ ·
 * Opened ✓ · Camera ✗ blocked"): a dispatcher reads at a glance what to tell the caller next. The
 * latest of two opposite events wins (a camera blocked, then allowed after help, is allowed).
 */
export function stepsOf(events: readonly SessionEvent[]): Step[] {
  const last = new Map<SessionEventType, number>();
  for (const e of events) last.set(e.type, Math.max(last.get(e.type) ?? -1, e.seq));
  const seen = (...types: SessionEventType[]) => types.some((t) => last.has(t));
  const later = (a: SessionEventType, b: SessionEventType) => (last.get(a) ?? -1) > (last.get(b) ?? -1);
  const opened = seen('link_opened', 'code_redeemed', 'consent_given');
  const sms: Step =
    later('sms_failed', 'sms_delivered') && later('sms_failed', 'sms_sent')
      ? { id: 'sms', label: t('console.stepper.sms'), state: opened ? 'done' : 'failed', ...(!opened && { note: t('console.stepper.failed') }) }
      : {
          id: 'sms',
          label: t('console.stepper.sms'),
          state: seen('sms_sent', 'sms_delivered') || opened ? 'done' : 'pending',
          ...(seen('sms_delivered') && { note: t('console.stepper.delivered') }),
        };
  const camera: Step = later('camera_denied', 'camera_granted')
    ? { id: 'camera', label: t('console.stepper.camera'), state: 'failed', note: t('console.stepper.blocked') }
    : seen('browser_unsupported') && !seen('camera_granted')
      ? { id: 'camera', label: t('console.stepper.camera'), state: 'failed', note: t('console.stepper.browserCannot') }
      : { id: 'camera', label: t('console.stepper.camera'), state: seen('camera_granted', 'live') ? 'done' : 'pending' };
  return [
    sms,
    { id: 'opened', label: t('console.stepper.opened'), state: opened ? 'done' : 'pending' },
    { id: 'started', label: t('console.stepper.started'), state: seen('consent_given') ? 'done' : 'pending' },
    camera,
    { id: 'live', label: t('console.stepper.video'), state: seen('live') ? 'done' : 'pending' },
  ];
}

const MARK: Record<StepState, string> = { done: '✓', failed: '✗', pending: '…' };

/** The stepper on a waiting session's card; re-drawn from the card's events. */
export class LifecycleStepper {
  readonly el = h('ol', { class: 'stepper', testid: 'lifecycle-stepper', 'aria-label': t('console.stepper.label') });

  update(events: readonly SessionEvent[]): void {
    this.el.replaceChildren(
      ...stepsOf(events).map((s) => h('li', { 'data-step': s.id, 'data-state': s.state }, `${s.label} ${MARK[s.state]}${s.note ? ` ${s.note}` : ''}`)),
    );
  }
}
