import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/**
 * A JSON Schema of the EIDO members Sightline fills, written from NENA's published schema
 * (NENA911/EIDO-JSON, Schema/openapi.yaml: EmergencyIncidentDataObjectType and the component types
 * below, with their `required` lists, `enum`s and `format`s) and NENA-STA-021.1b's tables. Stricter
 * than the standard in one way: no member beyond these, so a test sees anything else that creeps in
 * (a phone number, a token). `MediaType` and `mediaReferences` are the 021.1.1 draft's (same file).
 */
const ref = { type: 'object', required: ['$ref'], properties: { $ref: { type: 'string', minLength: 1 } }, additionalProperties: false };
const refs = { type: 'array', items: ref };
const dateTime = { type: 'string', format: 'date-time' };
/** The prologue (PrologueType, 021.1b §2.1): required `$id`, `lastUpdateTimeStamp`, `updatedByAgencyReference`. */
const prologue = {
  $id: { type: 'string', minLength: 1 },
  lastUpdateTimeStamp: dateTime,
  updatedByAgencyReference: ref,
  updatedByAgentReference: ref,
  mediaReferences: refs,
};
const PROLOGUE_REQUIRED = ['$id', 'lastUpdateTimeStamp', 'updatedByAgencyReference'];
function component(required: string[], properties: Record<string, unknown>) {
  return { type: 'object', required: [...PROLOGUE_REQUIRED, ...required], properties: { ...prologue, ...properties }, additionalProperties: false };
}
const strings = { type: 'array', items: { type: 'string' }, minItems: 1 };
/** `urn:emergency:uid:<kind>:<letters and digits>:<domain>` (021.1b §2.1, §2.4; NENA's sample). */
const uid = (kind: string) => ({ type: 'string', pattern: `^urn:emergency:uid:${kind}:[A-Za-z0-9]+:[A-Za-z0-9.-]+$` });

export const EIDO_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $defs: {
    agency: component(['agencyRoleDescriptionRegistryText', 'agencyType'], {
      agencyRoleDescriptionRegistryText: {
        type: 'array',
        items: { enum: ['Assisting', 'CallReceiving', 'Dispatched', 'Dispatching', 'Informational', 'TransferredTo'] },
        minItems: 1,
      },
      agencyType: strings,
    }),
    agent: component(['agentRoleRegistryText', 'agencyReference'], { agentRoleRegistryText: strings, agencyReference: ref }),
    call: component(['callStateRegistryText', 'standardPrimaryCallType', 'direction', 'callStartTimestamp'], {
      $id: uid('callid'),
      standardPrimaryCallType: { type: 'string' },
      direction: { enum: ['incoming', 'outgoing', 'internal'] },
      callStartTimestamp: dateTime,
      callStateRegistryText: { type: 'string' },
      agentReference: refs,
      locationReference: refs,
      notesReference: refs,
    }),
    notes: component(['notesActionComments'], { $id: uid('eidodatacomponent'), notesActionComments: { type: 'string' }, agentReference: ref }),
    location: component(['locationTypeDescriptionRegistryText'], {
      $id: uid('eidodatacomponent'),
      locationTypeDescriptionRegistryText: {
        enum: ['RoutingLocation', 'Caller', 'CurrentIncident', 'InitialIncident', 'Investigation', 'Other', 'Staging', 'TowerLocation', 'UnitLocation'],
      },
      locationByValue: { type: 'string', minLength: 1 },
    }),
    media: component(['uri', 'contentType'], {
      $id: uid('eidodatacomponent'),
      uri: { type: 'string', format: 'uri' },
      contentType: { type: 'string' },
      label: { type: 'string' },
    }),
  },
  ...component(['eidoVersion', 'issuingElementIdentification', 'agencyComponent'], {
    $id: uid('incidentid'),
    eidoVersion: { enum: ['1.0'] },
    issuingElementIdentification: { type: 'string', minLength: 1 },
    agencyComponent: { type: 'array', items: { $ref: '#/$defs/agency' }, minItems: 1 },
    agentComponent: { type: 'array', items: { $ref: '#/$defs/agent' } },
    callComponent: { type: 'array', items: { $ref: '#/$defs/call' } },
    notesComponent: { type: 'array', items: { $ref: '#/$defs/notes' } },
    locationComponent: { type: 'array', items: { $ref: '#/$defs/location' } },
    mediaComponent: { type: 'array', items: { $ref: '#/$defs/media' } },
  }),
};

const ajv = new Ajv2020({ allErrors: true, strict: true });
// ajv-formats is CommonJS: under NodeNext its default import is the module object, with the function as its `default`.
formats.default(ajv);
const validate = ajv.compile(EIDO_SCHEMA);

/** The schema's complaints about `doc` (empty when it is valid), one line each. */
export function eidoErrors(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * Whether every `$ref` in the document names a component's `$id` in it (021.1b §2.3), except
 * `updatedByAgencyReference`/`agencyReference` to the agency, which is itself a component here.
 */
export function danglingRefs(doc: Record<string, unknown>): string[] {
  const ids = new Set<string>();
  const wanted: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === '$id' && typeof x === 'string') ids.add(x);
      else if (k === '$ref' && typeof x === 'string') wanted.push(x);
      else walk(x);
    }
  };
  walk(doc);
  return wanted.filter((r) => !ids.has(r));
}
