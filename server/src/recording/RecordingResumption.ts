import type { Logger } from '../logging.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { RecordingService } from './RecordingService.js';

/**
 * An on-demand recording that a lost node or the previous process was making goes on here, in a
 * new segment ('always' needs nothing: it starts with the room). The dispatcher's own start and
 * stop are the records not made by 'system' (segments also end when the camera goes away), so the
 * last of those says whether the dispatcher still wants the session recorded.
 */
export class RecordingResumption {
  constructor(
    private readonly recordings: RecordingService,
    private readonly sessions: Pick<SessionService, 'events' | 'list'>,
    private readonly log: Logger,
  ) {}

  /** After this node took a session over (or restarted with it): resumes its recording if it was wanted. Never throws for a failed start. */
  async resume(sessionId: string): Promise<void> {
    if (this.recordings.policy !== 'on-demand' || this.recordings.isRecording(sessionId)) return;
    const decisions = (await this.sessions.events(sessionId)).filter(
      (e) => (e.type === 'recording_started' || e.type === 'recording_ended') && e.actor !== 'system',
    );
    if (decisions.at(-1)?.type === 'recording_started') {
      await this.recordings.start(sessionId, 'system').catch((err: Error) => this.log.warn({ sessionId, err: err.message }, 'recording not resumed'));
    }
  }

  /**
   * At start: resumes the recordings of the sessions still open whose media is on this node
   * (`nodeId`), looking back `maxSessionMs` (the longest a session lives).
   */
  async resumeOwned(nodeId: string, maxSessionMs: number): Promise<void> {
    for (const s of await this.sessions.list({ from: new Date(Date.now() - maxSessionMs).toISOString() })) {
      if (s.status !== 'ended' && s.mediaNode === nodeId) await this.resume(s.id);
    }
  }
}
