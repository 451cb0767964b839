import type { ControlAction } from '@sightline/shared';
import { request, type SignallingSocket } from '../common/signalling.js';
import { CameraError } from './camera.js';
import { UnsupportedError, type Publisher } from './Publisher.js';
import { $, type CallerUi } from './CallerUi.js';

/**
 * The camera's controls on the caller page: the caller's own buttons (flip, torch, pause) and the
 * dispatcher's requests (`control:request`), each done here and answered with `control:reply`.
 */

/** The caller's own buttons; a flip or torch that fails is reported to the console as a request's answer would be. */
export function wireControls(p: Publisher, ui: CallerUi, report: (action: ControlAction, result: ActionResult) => void): void {
  $('flip').addEventListener('click', () => void perform(p, 'flip').then((r) => r.outcome !== 'done' && report('flip', r)));
  const torch = $<HTMLButtonElement>('torch');
  torch.hidden = !p.canTorch();
  let torchOn = false;
  torch.addEventListener('click', () => {
    const action = torchOn ? 'torch_off' : 'torch_on';
    void perform(p, action).then((r) => (r.outcome === 'done' ? (torchOn = !torchOn) : report(action, r)));
  });
  const pause = $<HTMLButtonElement>('pause');
  pause.addEventListener('click', () => {
    p.setPaused(!p.paused);
    ui.setPaused(p.paused);
    ui.setStatus(p.paused ? 'paused' : 'live');
  });
}

export interface ActionResult {
  outcome: 'done' | 'unsupported' | 'failed';
  /** Why not: the browser's error name (NotReadableError, OverconstrainedError, ...), else its message. */
  detail?: string;
}

/** Does a camera action, the dispatcher's request or the caller's own tap, and says how it went. */
async function perform(p: Publisher | undefined, action: ControlAction): Promise<ActionResult> {
  try {
    if (!p) throw new Error('camera not started');
    if (action === 'flip') await p.flip();
    else await p.setTorch(action === 'torch_on');
    return { outcome: 'done' };
  } catch (err) {
    return { outcome: err instanceof UnsupportedError ? 'unsupported' : 'failed', detail: reasonOf(err) };
  } finally {
    // Done or not, the preview shows the camera that streams (a failed flip opened the previous one again).
    if (p && action === 'flip') $<HTMLVideoElement>('local').srcObject = new MediaStream([p.currentTrack]);
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof CameraError) return err.message;
  const { name, message } = err as Error;
  return name && name !== 'Error' ? name : message;
}

/** A dispatcher's request: do it, or say why not; resolves with how it went (the caller is told too). */
export async function obey(socket: SignallingSocket, sessionId: string, p: Publisher | undefined, action: ControlAction): Promise<ActionResult> {
  const result = await perform(p, action);
  await reply(socket, sessionId, action, result);
  return result;
}

export async function reply(socket: SignallingSocket, sessionId: string, action: ControlAction, { outcome, detail }: ActionResult): Promise<void> {
  // The server takes up to 200 characters of detail (shared/src/signalling/messages.ts).
  await request(socket, 'control:reply', { sessionId, action, outcome, ...(detail && { detail: detail.slice(0, 200) }) }).catch(() => undefined);
}
