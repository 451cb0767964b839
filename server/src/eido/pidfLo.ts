/** A position as the caller's phone reported it (Geolocation API): WGS 84 degrees, accuracy in metres. */
export interface Position {
  lat: number;
  lng: number;
  /** The browser's `coords.accuracy` (W3C Geolocation API), metres, ≥ 0. */
  accuracy: number;
  /** When the phone reported it (RFC 3339 date-time). */
  at: string;
}

/**
 * The caller's position as a PIDF-LO document by value, for an EIDO Location component's
 * `locationByValue` (NENA-STA-021.1b §2.18: "The location data component references or includes a
 * PIDF-LO as documented in NENA-STA-010").
 *
 * - PIDF (RFC 3863) `presence` with `entity`, a `pres:` URI (required): here a pseudonym of the call,
 *   never the caller's number.
 * - The location sits in a `dm:person` element (RFC 4479 data model; RFC 5491 §3 places a Target's
 *   location in the person, device or tuple element): the Target is the caller, and a device
 *   element would want a device identifier, which Sightline does not have and should not invent.
 * - `gp:geopriv` with `gp:location-info` and `gp:usage-rules` (RFC 4119 §2.2; empty usage rules as
 *   in RFC 5491's own examples, so RFC 4119's defaults apply). No `gp:method`: the browser does not
 *   say how it found the position (GPS, Wi-Fi, cell), and a method token would be a guess.
 * - The shape is a circle (RFC 5491 §5.2.3, GeoShape `gs:Circle`): centre `gml:pos` "lat long" in
 *   WGS 84 2-D (`urn:ogc:def:crs:EPSG::4326`), radius the reported accuracy in metres
 *   (`urn:ogc:def:uom:EPSG::9001`), as the OGC "GML PIDF-LO Shape Application Schema" §7.1.2–7.1.3
 *   require (its document number was not in the stored excerpt). An accuracy of 0 makes a
 *   `gml:Point` instead (a circle of radius 0 says nothing a point does not).
 * - `dm:timestamp`: when the position was reported.
 *
 * Checked against the stored material: the namespaces and the circle's form against NENA's sample
 * EIDO (NENA911/EIDO-JSON, Samples/) and the OGC profile's §7.1; RFC 5491's full text was not in the
 * stored material, only its header, so its section numbers here are from the RFC's contents as
 * published, not re-read.
 */
export function pidfLoCircle(position: Position, entity: string): string {
  const pos = `${position.lat} ${position.lng}`;
  const shape =
    position.accuracy > 0
      ? `<gs:Circle srsName="${WGS84_2D}"><gml:pos>${pos}</gml:pos><gs:radius uom="${METRE}">${position.accuracy}</gs:radius></gs:Circle>`
      : `<gml:Point srsName="${WGS84_2D}"><gml:pos>${pos}</gml:pos></gml:Point>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"` +
    ` xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml"` +
    ` xmlns:gs="http://www.opengis.net/pidflo/1.0" entity="${escapeXml(entity)}">` +
    `<dm:person id="caller"><gp:geopriv><gp:location-info>${shape}</gp:location-info><gp:usage-rules/></gp:geopriv>` +
    `<dm:timestamp>${escapeXml(position.at)}</dm:timestamp></dm:person></presence>`
  );
}

const WGS84_2D = 'urn:ogc:def:crs:EPSG::4326';
const METRE = 'urn:ogc:def:uom:EPSG::9001';

/** Escapes text for an XML attribute or element (the five predefined entities). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}
