import type { SessionEvent } from '@sightline/shared';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { danglingRefs, eidoErrors } from '../testing/eido.js';
import type { SessionRecord } from '../store/Store.js';
import { eidoDocument, type EidoSource } from './eidoDocument.js';

const PHONE = '+4791234567';
const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: 's_AbC-dEf_123',
  status: 'live',
  phone: PHONE,
  incidentRef: 'CAD-2025-17',
  language: 'nb',
  dispatcher: 'kari',
  createdAt: '2026-12-01T10:00:00.000Z',
  inviteCode: 'INVITECODE-secret-abcdefgh',
  ...over,
});
let seq = 0;
const ev = (type: SessionEvent['type'], at: string, actor: string, details?: Record<string, unknown>): SessionEvent => ({
  seq: ++seq,
  type,
  at: `2026-12-01T10:${at}.000Z`,
  actor,
  ...(details && { details }),
});
const lifecycle = (...more: SessionEvent[]): SessionEvent[] => [
  ev('created', '00:00', 'dispatcher:kari', { phone: PHONE }),
  ev('sms_sent', '00:01', 'system'),
  ev('consent_given', '00:30', 'caller'),
  ev('live', '00:35', 'caller'),
  ...more,
];
const chat = [
  ev('chat', '01:00', 'dispatcher:kari', { id: 'm1', from: 'dispatcher', text: 'Hold the phone steady.', presetId: 'hold_steady' }),
  ev('chat', '01:10', 'caller', { id: 'm2', from: 'caller', text: 'Han puster <ikke> & er blek' }),
  ev('chat', '01:20', 'viewer:v_1', { id: 'm3', from: 'viewer', text: 'Ambulance 2 min away' }),
];
const located = [
  ev('location', '00:40', 'caller', { lat: 59.91, lng: 10.75, accuracy: 120 }),
  ev('location', '00:50', 'caller', { lat: 59.9127, lng: 10.7461, accuracy: 35.5 }),
];
const source = (s: SessionRecord, events: SessionEvent[]): EidoSource => ({
  session: s,
  events,
  media: { uri: 'https://sightline.example.no/j/viewercode', label: 'Live video' },
  agency: 'sightline.example.no',
});

const CASES: [string, SessionRecord, SessionEvent[]][] = [
  ['live, with location, chat and incident reference', session(), lifecycle(...located, ...chat)],
  [
    'live, before consent, nothing shared, no incident reference',
    session({ status: 'sms_sent', incidentRef: undefined }),
    [ev('created', '00:00', 'dispatcher:kari')],
  ],
  ['ended, with chat but no location', session({ status: 'ended' }), lifecycle(...chat, ev('ended', '05:00', 'dispatcher:kari', { reason: 'dispatcher' }))],
  [
    'ended, with location only',
    session({ status: 'ended', incidentRef: 'urn:emergency:uid:incidentid:abc123:cad.example.no' }),
    lifecycle(...located, ev('ended', '05:00', 'system')),
  ],
];

describe('eidoDocument (NENA-STA-021)', () => {
  it.each(CASES)('is valid against the schema written from the standard: %s', (_name, s, events) => {
    const doc = eidoDocument(source(s, events));
    expect(eidoErrors(doc)).toEqual([]);
    expect(danglingRefs(doc as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('is checked by a schema that refuses what the standard does not allow (and any member beyond those used)', () => {
    const doc = eidoDocument(source(session(), lifecycle(...located, ...chat))) as unknown as Record<string, unknown>;
    expect(eidoErrors({ ...doc, eidoVersion: '2.0' })).not.toEqual([]);
    expect(eidoErrors({ ...doc, agencyComponent: [] })).not.toEqual([]);
    expect(eidoErrors({ ...doc, lastUpdateTimeStamp: '1 Dec 2026' })).not.toEqual([]);
    expect(eidoErrors({ ...doc, callbackComponent: [{ callBackInformationUri: ['tel:+4791234567'] }] })).not.toEqual([]);
    const { issuingElementIdentification: _dropped, ...headless } = doc;
    expect(eidoErrors(headless)).not.toEqual([]);
  });

  it('carries the incident tracking id from the incident reference, or the unique string 0 without one', () => {
    expect(eidoDocument(source(session(), [])).$id).toBe('urn:emergency:uid:incidentid:CAD202517:sightline.example.no');
    expect(eidoDocument(source(session({ incidentRef: undefined }), [])).$id).toBe('urn:emergency:uid:incidentid:0:sightline.example.no');
    const urn = 'urn:emergency:uid:incidentid:abc123:cad.example.no';
    expect(eidoDocument(source(session({ incidentRef: urn }), [])).$id).toBe(urn);
    // One that only starts like it (a typo, or text meant to break a receiver) is reduced like any other reference.
    const bad = eidoDocument(source(session({ incidentRef: 'urn:emergency:uid:incidentid:"<script>alert(1)</script>' }), []));
    expect(bad.$id).toBe('urn:emergency:uid:incidentid:urnemergencyuidincidentidscriptalert1script:sightline.example.no');
    expect(eidoErrors(bad)).toEqual([]);
  });

  it('names the call by the session id (hex, decodable) and links its media', () => {
    const doc = eidoDocument(source(session(), lifecycle()));
    const call = doc.callComponent![0]!;
    const hex = /^urn:emergency:uid:callid:([0-9a-f]+):sightline\.example\.no$/.exec(call.$id)![1]!;
    expect(Buffer.from(hex, 'hex').toString()).toBe('s_AbC-dEf_123');
    expect(call.callStateRegistryText).toBe('callAnswered');
    expect(call.direction).toBe('outgoing');
    const media = doc.mediaComponent!.find((m) => m.$id === call.mediaReferences![0]!.$ref)!;
    expect(media).toMatchObject({ uri: 'https://sightline.example.no/j/viewercode', contentType: 'text/html' });
  });

  it('gives the call state by the session: callBegin before consent, callEnd once ended', () => {
    expect(eidoDocument(source(session({ status: 'sms_sent' }), [ev('created', '00:00', 'dispatcher:kari')])).callComponent![0]!.callStateRegistryText).toBe(
      'callBegin',
    );
    expect(eidoDocument(source(session({ status: 'ended' }), lifecycle())).callComponent![0]!.callStateRegistryText).toBe('callEnd');
  });

  it("puts the caller's last location as PIDF-LO by value: a WGS 84 circle, the accuracy its radius in metres", () => {
    const doc = eidoDocument(source(session(), lifecycle(...located)));
    const loc = doc.locationComponent![0]!;
    expect(loc.locationTypeDescriptionRegistryText).toBe('Caller');
    expect(loc.lastUpdateTimeStamp).toBe('2026-12-01T10:00:50.000Z');
    const xml = new DOMParser().parseFromString(loc.locationByValue, 'text/xml');
    const PIDF = 'urn:ietf:params:xml:ns:pidf';
    const GS = 'http://www.opengis.net/pidflo/1.0';
    const GML = 'http://www.opengis.net/gml';
    const GP = 'urn:ietf:params:xml:ns:pidf:geopriv10';
    expect(xml.documentElement!.namespaceURI).toBe(PIDF);
    expect(xml.documentElement!.localName).toBe('presence');
    expect(xml.documentElement!.getAttribute('entity')).toMatch(/^pres:[0-9a-f]+@sightline\.example\.no$/);
    const circle = xml.getElementsByTagNameNS(GS, 'Circle')[0]!;
    expect(circle.getAttribute('srsName')).toBe('urn:ogc:def:crs:EPSG::4326');
    expect(circle.parentNode!.localName).toBe('location-info');
    expect(circle.parentNode!.namespaceURI).toBe(GP);
    expect(circle.getElementsByTagNameNS(GML, 'pos')[0]!.textContent).toBe('59.9127 10.7461');
    const radius = circle.getElementsByTagNameNS(GS, 'radius')[0]!;
    expect(radius.getAttribute('uom')).toBe('urn:ogc:def:uom:EPSG::9001');
    expect(radius.textContent).toBe('35.5');
    expect(xml.getElementsByTagNameNS(GP, 'usage-rules')).toHaveLength(1);
    expect(xml.getElementsByTagNameNS('urn:ietf:params:xml:ns:pidf:data-model', 'timestamp')[0]!.textContent).toBe('2026-12-01T10:00:50.000Z');
    expect(doc.callComponent![0]!.locationReference).toEqual([{ $ref: loc.$id }]);
  });

  it('has no location component when the caller shared none', () => {
    const doc = eidoDocument(source(session(), lifecycle(...chat)));
    expect(doc.locationComponent).toBeUndefined();
    expect(doc.callComponent![0]!.locationReference).toBeUndefined();
  });

  it('makes each chat message a note: who in words, when, presets in English, text escaped as HTML', () => {
    const doc = eidoDocument(source(session(), lifecycle(...chat)));
    const notes = doc.notesComponent!;
    expect(notes.map((n) => n.notesActionComments)).toEqual([
      '<p><b>Dispatcher</b>: Hold the phone steady. (preset)</p>',
      '<p><b>Caller</b>: Han puster &lt;ikke&gt; &amp; er blek</p>',
      '<p><b>Viewer</b>: Ambulance 2 min away</p>',
    ]);
    expect(notes.map((n) => n.lastUpdateTimeStamp)).toEqual(['2026-12-01T10:01:00.000Z', '2026-12-01T10:01:10.000Z', '2026-12-01T10:01:20.000Z']);
    expect(notes[0]!.agentReference).toEqual({ $ref: 'kari@sightline.example.no' });
    expect(notes[1]!.agentReference).toBeUndefined();
    expect(doc.callComponent![0]!.notesReference).toHaveLength(3);
  });

  it("keeps a component's id the same from one EIDO to the next (021.1b §2.1)", () => {
    const first = eidoDocument(source(session(), lifecycle(...chat.slice(0, 1), ...located)));
    const later = eidoDocument(source(session({ status: 'ended' }), lifecycle(...chat.slice(0, 1), ...located, ev('ended', '09:00', 'system'))));
    expect(later.notesComponent![0]!.$id).toBe(first.notesComponent![0]!.$id);
    expect(later.locationComponent![0]!.$id).toBe(first.locationComponent![0]!.$id);
    expect(later.mediaComponent![0]!.$id).toBe(first.mediaComponent![0]!.$id);
  });

  it.each(CASES)('leaks no phone number, invite code, token or username beyond the Agent Identifier: %s', (_name, s, events) => {
    const json = JSON.stringify(eidoDocument(source(s, [...events, ev('viewer_invited', '02:00', 'dispatcher:kari', { reason: 'eido' })])));
    expect(json).not.toContain('91234567');
    expect(json).not.toContain('INVITECODE');
    expect(json).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(json).not.toContain('v_1');
    // The username appears only as the Agent Identifier (021.1b §2.5), the one member that holds it.
    expect(json.replaceAll('kari@sightline.example.no', '')).not.toContain('kari');
  });
});
