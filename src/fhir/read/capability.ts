// GET /fhir/metadata: what the citizen-facing read API offers. The write side (provider systems) can merge its own
// interactions into the plain JSON this returns: one CapabilityStatement per server.
import { CITIZEN_RECORD_TYPES } from './service.js';
import type { Json } from './present.js';

export const SEARCH_PARAMS = [
  { name: 'patient', type: 'reference', documentation: 'Only the logged-in citizen: Patient/{id}.' },
  { name: '_id', type: 'token', documentation: 'One or more Koepel ids, comma-separated.' },
  { name: '_count', type: 'number', documentation: 'Page size, 0 to 500 (default 100). 0 returns the total only.' },
  { name: '_offset', type: 'number', documentation: 'Start of the page (next/previous links give it).' },
];

export interface CapabilityOptions {
  base: string;
  /** The deployment's software version, when known. */
  version?: string;
}

export function capabilityStatement(opts: CapabilityOptions): Json {
  const read = (type: string, extra: Json = {}) => ({
    type,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'versioned',
    readHistory: false,
    searchParam: SEARCH_PARAMS.map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })),
    ...extra,
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-01',
    publisher: 'Koepel',
    kind: 'instance',
    software: { name: 'Koepel', ...(opts.version ? { version: opts.version } : {}) },
    implementation: { description: 'Koepel patient portal: the citizen’s combined record', url: opts.base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Read-only access for a citizen to their own combined record: what each of their care providers makes ' +
          'available. Another citizen’s ids answer 404. Every read is recorded in the citizen’s access log.',
        security: {
          cors: false,
          description:
            'Same-origin use with the citizen’s portal session (DigiD login). Apps authorised by the citizen ' +
            '(OAuth 2.0) are planned; bearer tokens are not accepted yet.',
        },
        resource: [
          read('Patient', {
            operation: [
              {
                name: 'everything',
                definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
                documentation: 'The whole record as one searchset Bundle; the Patient comes first.',
              },
            ],
          }),
          ...CITIZEN_RECORD_TYPES.map((t) => read(t)),
          { type: 'Organization', interaction: [{ code: 'read' }] },
          { type: 'Practitioner', interaction: [{ code: 'read' }] },
          { type: 'PractitionerRole', interaction: [{ code: 'read' }] },
          { type: 'Binary', interaction: [{ code: 'read' }] },
        ],
      },
    ],
  };
}
