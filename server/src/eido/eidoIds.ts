/**
 * The identifiers of an EIDO document, in the forms NENA-STA-021.1b gives (after NENA-STA-010):
 * `urn:emergency:uid:<kind>:<unique string>:<agency or element id>`, the unique string of letters
 * and digits (§2.1: "a unique string containing alpha and/or numeric characters"). NENA's sample
 * EIDO has `urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us`. STA-010's own text was not
 * in the stored material; the 10–32 character length its conformance tests check is not enforced.
 */
/** An Incident Tracking Identifier as a CAD system may already give it: a unique string of letters and digits, then a domain name. */
const INCIDENT_URN =
  /^urn:emergency:uid:incidentid:[A-Za-z0-9]+:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/i;

export class EidoIds {
  /** The session id as letters and digits: its UTF-8 bytes in hex (`s_…` ids have `_` and `-`); decodes back to the id. */
  readonly #call: string;

  constructor(
    /** The Agency Identifier (a domain name, STA-010): the host of PUBLIC_URL. */
    readonly agency: string,
    sessionId: string,
  ) {
    this.#call = Buffer.from(sessionId, 'utf8').toString('hex');
  }

  /**
   * §2.4: the EIDO's `$id` is the Incident Tracking Identifier. From the session's incident reference:
   * a reference that is one already, well formed (`urn:emergency:uid:incidentid:<letters and digits>:<domain>`),
   * is kept as it is; another (a malformed one too) is
   * reduced to its letters and digits (`CAD-2025-17` → `CAD202517`; two references differing only in
   * punctuation would meet). Without one, §2.4's form for an EIDO "not part of an Incident": unique string `0`.
   */
  incident(incidentRef: string | undefined): string {
    if (incidentRef && INCIDENT_URN.test(incidentRef)) return incidentRef;
    const unique = (incidentRef ?? '').replace(/[^A-Za-z0-9]/g, '') || '0';
    return `urn:emergency:uid:incidentid:${unique}:${this.agency}`;
  }

  /** §2.10: the Call Identifier of the video session (the session is the call). */
  call(): string {
    return `urn:emergency:uid:callid:${this.#call}:${this.agency}`;
  }

  /** The PIDF presentity (RFC 3863 `entity`) of the caller's location: a pseudonym of the call, never the caller's number. */
  presentity(): string {
    return `pres:${this.#call}@${this.agency}`;
  }

  /** §2.5: an Agent Identifier, the agent's name at the agency (as in NENA's sample, `tjones.atroop@state.pa.us`). */
  agent(username: string): string {
    return `${username}@${this.agency}`;
  }

  /**
   * §2.1: a component without an identifier of its own: `urn:emergency:uid:eidodatacomponent:…`, the
   * same in every EIDO of the session (`part`: a letter other than a–f, then what makes it unique).
   */
  component(part: string): string {
    return `urn:emergency:uid:eidodatacomponent:${this.#call}${part}:${this.agency}`;
  }
}
