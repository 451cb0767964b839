import type { EidoCall, EidoDocument, EidoLocation, EidoMedia, SessionEvent, SessionStatus } from '@sightline/shared';
import { EidoIds } from './eidoIds.js';
import { chatAgents, chatNotes } from './eidoNotes.js';
import { pidfLoCircle, type Position } from './pidfLo.js';

/** What a session's EIDO is made of. */
export interface EidoSource {
  session: { id: string; status: SessionStatus; incidentRef?: string; dispatcher: string; createdAt: string };
  /** The session's log, in order (chat, location, statuses). */
  events: readonly SessionEvent[];
  /** Where its video is seen: a view-only link while live, the session in /audit after (EidoExport decides). */
  media: { uri: string; label: string };
  /** The Agency Identifier (STA-010: a domain name); also the issuing element's identifier. */
  agency: string;
}

/**
 * A session as an EIDO document (NENA-STA-021.1b; member names and structure the standard's, see
 * shared/src/api/eido.ts). What goes in, and from where:
 * - `$id`: the Incident Tracking Identifier from the incident reference (§2.4; eidoIds.ts);
 * - one Agency (§2.6), this centre: role `CallReceiving` (§3.1 registry), type `psap`, as in NENA's
 *   sample EIDO; the registry of agency types (IANA urn:emergency:service:responder) was not in the
 *   stored material, so the sample's value is used as it is;
 * - one Agent per dispatcher (§2.5; "Must be provided if an Agent is involved"): the session's
 *   dispatcher, role `Call Taking` (NENA's sample; STA-010's Agent Roles registry was not in the
 *   stored material). The Agent Identifier holds the username: the one member that carries it;
 * - one Call (§2.10): the video session, `$id` from the session id; `direction` `outgoing` (the
 *   centre sent the link); `standardPrimaryCallType` `emergency`; `callStartTimestamp` the session's
 *   creation; `callStateRegistryText` `callBegin` until the caller consents, then `callAnswered`,
 *   `callEnd` once ended (values §2.10 names from the Call States registry). No `answerDate` (§2.10:
 *   answered "by an agent", which an outgoing link is not). `mediaReferences` to the Media component;
 * - Notes (§2.15): the chat transcript (eidoNotes.ts);
 * - Location (§2.18): the caller's last shared position, by value as PIDF-LO (pidfLo.ts), type
 *   `Caller` (§3.8 registry), if the caller shared one;
 * - Media (021.1.1 draft): `uri`, `contentType` `text/html` (a page that plays the video), `label`.
 *
 * Left out on purpose: the Call Back component (§2.11) and with it the caller's phone number. Its
 * `callBackInformationUri` is defined as the URI(s) of the SIP P-Asserted-Identity or From header,
 * and its `deviceContactHeader` (Required) the SIP Contact header: the video session has neither
 * (the voice call, which does, is the phone system's, and reaches the CAD from there), and §2.10
 * wants `callBackReference` only "if available". No Person component either (§2.10 asks for one
 * when "the call is a SIP session"), no tokens, no invite codes besides the link's own, no internal
 * ids but the session's (as the Call Identifier).
 */
export function eidoDocument({ session, events, media, agency }: EidoSource): EidoDocument {
  const ids = new EidoIds(agency, session.id);
  const agencyRef = { $ref: agency };
  const updated = events.at(-1)?.at ?? session.createdAt;
  const dispatcher = { $ref: ids.agent(session.dispatcher) };
  const notes = chatNotes(events, ids);
  const location = lastLocation(events, ids);
  const mediaComponent: EidoMedia = {
    $id: ids.component('media'),
    lastUpdateTimeStamp: updated,
    updatedByAgencyReference: agencyRef,
    uri: media.uri,
    contentType: 'text/html',
    label: media.label,
  };
  const call: EidoCall = {
    $id: ids.call(),
    lastUpdateTimeStamp: updated,
    updatedByAgencyReference: agencyRef,
    updatedByAgentReference: dispatcher,
    mediaReferences: [{ $ref: mediaComponent.$id }],
    standardPrimaryCallType: 'emergency',
    direction: 'outgoing',
    callStartTimestamp: session.createdAt,
    callStateRegistryText: callState(session.status, events),
    agentReference: [dispatcher],
    ...(location && { locationReference: [{ $ref: location.$id }] }),
    ...(notes.length && { notesReference: notes.map((n) => ({ $ref: n.$id })) }),
  };
  const agents = [...new Set([session.dispatcher, ...chatAgents(events)])].map((username) => ({
    $id: ids.agent(username),
    lastUpdateTimeStamp: updated,
    updatedByAgencyReference: agencyRef,
    agentRoleRegistryText: ['Call Taking'],
    agencyReference: agencyRef,
  }));
  return {
    $id: ids.incident(session.incidentRef),
    lastUpdateTimeStamp: updated,
    updatedByAgencyReference: agencyRef,
    eidoVersion: '1.0',
    issuingElementIdentification: agency,
    agencyComponent: [
      {
        $id: agency,
        lastUpdateTimeStamp: updated,
        updatedByAgencyReference: agencyRef,
        agencyRoleDescriptionRegistryText: ['CallReceiving'],
        agencyType: ['psap'],
      },
    ],
    agentComponent: agents,
    callComponent: [call],
    ...(notes.length && { notesComponent: notes }),
    ...(location && { locationComponent: [location] }),
    mediaComponent: [mediaComponent],
  };
}

/** The Call States value for the session now (§2.10 names callBegin, callAnswered, callEnd). */
function callState(status: SessionStatus, events: readonly SessionEvent[]): string {
  if (status === 'ended') return 'callEnd';
  return events.some((e) => e.type === 'consent_given') ? 'callAnswered' : 'callBegin';
}

/** The caller's last reported position as a Location component, or undefined if none was shared. */
function lastLocation(events: readonly SessionEvent[], ids: EidoIds): EidoLocation | undefined {
  const e = [...events].reverse().find((x) => x.type === 'location');
  const d = e?.details ?? {};
  const [lat, lng, accuracy] = [d['lat'], d['lng'], d['accuracy']];
  if (!e || typeof lat !== 'number' || typeof lng !== 'number' || typeof accuracy !== 'number') return undefined;
  const position: Position = { lat, lng, accuracy, at: e.at };
  return {
    $id: ids.component('loc'),
    lastUpdateTimeStamp: e.at,
    updatedByAgencyReference: { $ref: ids.agency },
    locationTypeDescriptionRegistryText: 'Caller',
    locationByValue: pidfLoCircle(position, ids.presentity()),
  };
}
