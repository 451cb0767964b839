/**
 * The EIDO document `GET /api/sessions/:id/eido` answers and `EIDO_WEBHOOK` receives (issue #16 §3):
 * NENA's Emergency Incident Data Object, JSON, for the members Sightline fills. Names and structure
 * are the standard's:
 *
 * - NENA-STA-021.1b-2022, "NENA Standard for Emergency Incident Data Object (EIDO)", the published
 *   standard (NENA911/EIDO-JSON, Documentation/), and its OpenAPI schema (Schema/openapi.yaml);
 * - `mediaComponent` and `mediaReferences` only from the 021.1.1 draft in the same repository
 *   (openapi.yaml since commit ee08d7b, 2024-12-13). The published 021.1b has no media link: its §4.4
 *   (table 41) lists "Add URL for media related to an Incident" as future work. Neither version has
 *   a member named `callMediaUrl`.
 *
 * Times are RFC 3339 §5.6 date-times in UTC (021.1b §2.1 and §2.10, after NENA-STA-010).
 */

/** 021.1b §2.3, JSON Reference: the `$id` of a data component elsewhere in the document. */
export interface EidoReference {
  $ref: string;
}

/** 021.1b §2.1: the members every data component has. */
export interface EidoPrologue {
  /** A component's identifier (the Agency, Agent or Call Identifier, else an `urn:emergency:uid:eidodatacomponent:` URN). */
  $id: string;
  /** When the component last changed (RFC 3339 date-time). */
  lastUpdateTimeStamp: string;
  updatedByAgencyReference: EidoReference;
  /** Present when an agent (here: the session's dispatcher) made or changed the component. */
  updatedByAgentReference?: EidoReference;
  /** 021.1.1 draft: references to Media data components. */
  mediaReferences?: EidoReference[];
}

/** 021.1b §2.6, Agency data component (OpenAPI AgencyType). */
export interface EidoAgency extends EidoPrologue {
  agencyRoleDescriptionRegistryText: string[];
  agencyType: string[];
}

/** 021.1b §2.5, Agent data component (OpenAPI AgentType): `$id` is the Agent Identifier. */
export interface EidoAgent extends EidoPrologue {
  agentRoleRegistryText: string[];
  agencyReference: EidoReference;
}

/** 021.1b §2.10, Call data component (OpenAPI CallInformationType): `$id` is the Call Identifier. */
export interface EidoCall extends EidoPrologue {
  standardPrimaryCallType: string;
  direction: 'incoming' | 'outgoing' | 'internal';
  callStartTimestamp: string;
  callStateRegistryText: string;
  agentReference?: EidoReference[];
  locationReference?: EidoReference[];
  notesReference?: EidoReference[];
}

/** 021.1b §2.15, Notes data component (OpenAPI NotesType): `notesActionComments` is an HTML fragment. */
export interface EidoNotes extends EidoPrologue {
  notesActionComments: string;
  agentReference?: EidoReference;
}

/** 021.1b §2.18, Location data component (OpenAPI LocationInformationType): `locationByValue` is a PIDF-LO document. */
export interface EidoLocation extends EidoPrologue {
  locationTypeDescriptionRegistryText: string;
  locationByValue: string;
}

/** 021.1.1 draft, Media data component (OpenAPI MediaType): a link to static or streaming media. */
export interface EidoMedia extends EidoPrologue {
  uri: string;
  /** An IANA media type. */
  contentType: string;
  label?: string;
}

/** 021.1b §2.4, the Emergency Incident Data Object component: `$id` is the Incident Tracking Identifier. */
export interface EidoDocument extends EidoPrologue {
  eidoVersion: '1.0';
  issuingElementIdentification: string;
  agencyComponent: EidoAgency[];
  agentComponent?: EidoAgent[];
  callComponent?: EidoCall[];
  notesComponent?: EidoNotes[];
  locationComponent?: EidoLocation[];
  mediaComponent?: EidoMedia[];
}
