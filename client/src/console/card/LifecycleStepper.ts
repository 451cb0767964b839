import type { SessionEvent, SessionEventType } from '@sightline/shared';
import { h } from '../../common/dom.js';

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
      ? { id: 'sms', label: 'SMS', state: opened ? 'done' : 'failed', ...(!opened && { note: 'failed' }) }
      : {
          id: 'sms',
          label: 'SMS',
          state: seen('sms_sent', 'sms_delivered') || opened ? 'done' : 'pending',
          ...(seen('sms_delivered') && { note: 'delivered' }),
        };
  const camera: Step = later('camera_denied', 'camera_granted')
    ? { id: 'camera', label: 'Camera', state: 'failed', note: 'blocked' }
    : seen('browser_unsupported') && !seen('camera_granted')
      ? { id: 'camera', label: 'Camera', state: 'failed', note: 'browser cannot' }
      : { id: 'camera', label: 'Camera', state: seen('camera_granted', 'live') ? 'done' : 'pending' };
  return [
    sms,
    { id: 'opened', label: 'Opened', state: opened ? 'done' : 'pending' },
    { id: 'started', label: 'Start tapped', state: seen('consent_given') ? 'done' : 'pending' },
    camera,
    { id: 'live', label: 'Video', state: seen('live') ? 'done' : 'pending' },
  ];
}

const MARK: Record<StepState, string> = { done: '✓', failed: '✗', pending: '…' };

/** The stepper on a waiting session's card; re-drawn from the card's events. */
export class LifecycleStepper {
  readonly el = h('ol', { class: 'stepper', testid: 'lifecycle-stepper', 'aria-label': 'Progress towards video' });

  update(events: readonly SessionEvent[]): void {
    this.el.replaceChildren(
      ...stepsOf(events).map((s) => h('li', { 'data-step': s.id, 'data-state': s.state }, `${s.label} ${MARK[s.state]}${s.note ? ` ${s.note}` : ''}`)),
    );
  }
}
