import type { EidoDocument } from '@sightline/shared';
import type { InviteService } from '../invites/InviteService.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { SessionRecord } from '../store/Store.js';
import { eidoDocument } from './eidoDocument.js';

/** Why a view-only invite made for an EIDO document was made (the `viewer_invited` record's `reason`). */
export const EIDO_INVITE_REASON = 'eido';

const LIVE_LABEL = 'Live video, view-only: the link lets one browser in, and stops working when the session ends';
const ENDED_LABEL = "The session in the supervisors' audit workspace: its timeline and recordings (supervisor login)";

/**
 * A session's EIDO document (eidoDocument.ts) with the right media link (issue #16 §3):
 * - while the session is live, a view-only invite to it (`/j/<code>`, as `POST /api/sessions/:id/viewers`
 *   makes): it lets one browser in and, like every viewer invite, is refused once the session has
 *   ended (InviteService). Getting the document is thus not free of effects: it makes an invite,
 *   logged as `viewer_invited` with details `{reason: 'eido'}` and the asker as actor. One is
 *   reused for the session as long as it can still let someone in (not opened by a browser yet,
 *   not expired), so polling the document does not pile up invites; on this node only (in memory:
 *   another node, or a restart, makes its own);
 * - once ended, or for a supervisor (who may not invite viewers: `POST /api/sessions/:id/viewers` is
 *   the dispatcher's), the session in `/audit` (`/audit?session=<id>`, which opens it after the
 *   supervisor's login): its timeline, and its recordings if any.
 * The Agency Identifier is PUBLIC_URL's host (STA-010 agency ids are domain names; there is no
 * setting of its own yet).
 */
export class EidoExport {
  /** Per live session, its EIDO viewer link (a promise, so two requests at once share one). */
  readonly #links = new Map<string, Promise<string>>();
  readonly #agency: string;

  constructor(
    private readonly sessions: Pick<SessionService, 'get' | 'events' | 'on'>,
    private readonly invites: Pick<InviteService, 'inviteViewer' | 'isUsable'>,
    private readonly publicUrl: string,
  ) {
    this.#agency = new URL(publicUrl).hostname;
    sessions.on('event', (id, _status, event) => {
      if (event.type === 'ended') this.#links.delete(id);
    });
  }

  /**
   * The document as the asker (`actor`, e.g. `dispatcher:kari`) gets it now. `liveLink`: whether the
   * asker may hand out a live view-only link (the session's dispatcher, who may invite viewers: a
   * supervisor may not, so a supervisor's copy links the session in /audit even while it is live);
   * then a viewer invite is minted or reused while the session is live.
   */
  async document(session: SessionRecord, actor: string, opts: { liveLink: boolean }): Promise<EidoDocument> {
    const live = session.status !== 'ended' && opts.liveLink;
    const media = live ? { uri: await this.#viewerLink(session.id, actor), label: LIVE_LABEL } : this.#audit(session.id);
    // The log is read after the invite, so its `viewer_invited` is in the document's times too.
    return eidoDocument({ session, events: await this.sessions.events(session.id), media, agency: this.#agency });
  }

  /** The document of an ended session (what EIDO_WEBHOOK receives): no invite, the link into /audit. */
  async ended(sessionId: string): Promise<EidoDocument> {
    const session = await this.sessions.get(sessionId);
    return eidoDocument({ session, events: await this.sessions.events(sessionId), media: this.#audit(sessionId), agency: this.#agency });
  }

  #audit(sessionId: string) {
    return { uri: `${this.publicUrl}/audit?session=${encodeURIComponent(sessionId)}`, label: ENDED_LABEL };
  }

  async #viewerLink(sessionId: string, actor: string): Promise<string> {
    const known = this.#links.get(sessionId);
    if (known && (await this.invites.isUsable(await known.catch(() => '')))) return known;
    const made = this.invites.inviteViewer(sessionId, actor, undefined, EIDO_INVITE_REASON);
    this.#links.set(sessionId, made);
    made.catch(() => this.#links.get(sessionId) === made && this.#links.delete(sessionId));
    return made;
  }
}
