// GET /fhir/metadata: the one CapabilityStatement of the server. A CapabilityStatement describes each resource once
// per mode (cpb-9), so the citizen's read side and the provider systems' write side (src/fhir/capability.ts) are
// merged into one `rest` entry: a type both read and written lists the interactions of both.
import type { writeCapability } from '../capability.js';
import { CITIZEN_RECORD_TYPES, type CitizenRecordType } from '../../record/index.js';
import type { Json } from './present.js';
import { includesOf, TYPE_PARAMS, type ParamDef } from './search.js';

export const SEARCH_PARAMS = [
  { name: 'patient', type: 'reference', documentation: 'Only the logged-in citizen: Patient/{id}.' },
  { name: '_id', type: 'token', documentation: 'One or more Koepel ids, comma-separated.' },
  { name: '_count', type: 'number', documentation: 'Page size, 0 to 500 (default 100). 0 returns the total only.' },
  { name: '_offset', type: 'number', documentation: 'Start of the page (next/previous links give it).' },
];

/** Search parameters every record type has besides SEARCH_PARAMS, and the type's own (search.ts). */
const COMMON_PARAMS = [
  {
    name: '_lastUpdated',
    type: 'date',
    documentation:
      'When Koepel last stored the resource. Prefixes eq ne lt gt le ge sa eb ap; comma = OR, repeat = AND.',
  },
];
const PARAM_TYPE: Record<ParamDef['kind'], string> = {
  date: 'date',
  token: 'token',
  reference: 'reference',
  'medication-code': 'token',
};
const HOW: Record<string, string> = {
  date: ' Prefixes eq ne lt gt le ge sa eb ap; comma = OR, repeat = AND.',
  token: ' code, system|code, |code or system|; :not; comma = OR, repeat = AND.',
  reference: ' Chained: medication.code (the code of the referenced Medication or of the resource itself).',
};

/** MP9 3.0 profiles the medication resources are accepted and served as (test/fixtures/nictiz-mp9). */
const MP9 = 'http://nictiz.nl/fhir/StructureDefinition/';
const MP9_PROFILES: Record<string, string[]> = {
  MedicationRequest: ['mp-MedicationAgreement', 'mp-VariableDosingRegimen', 'mp-DispenseRequest'],
  MedicationDispense: ['mp-AdministrationAgreement', 'mp-MedicationDispense'],
  MedicationStatement: ['mp-MedicationUse2'],
  MedicationAdministration: ['mp-MedicationAdministration2'],
};

function typeSearch(type: CitizenRecordType): Json {
  const own = Object.entries(TYPE_PARAMS[type])
    .filter(([, def]) => def.kind !== 'medication-code')
    .map(([name, def]) => ({
      name,
      ...('definition' in def && def.definition ? { definition: def.definition } : {}),
      type: PARAM_TYPE[def.kind],
      documentation: `${def.doc}${HOW[def.kind] ?? ''}`,
    }));
  const profiles = MP9_PROFILES[type];
  return {
    ...(profiles ? { supportedProfile: profiles.map((p) => `${MP9}${p}`) } : {}),
    searchInclude: includesOf(type),
    searchParam: [...SEARCH_PARAMS, ...COMMON_PARAMS, ...own],
  };
}

export interface CapabilityOptions {
  base: string;
  /** The deployment's software version, when known. */
  version?: string;
  /** What provider systems may write (merged in). */
  write?: ReturnType<typeof writeCapability>;
  /** Where apps the citizen authorises get their tokens (SMART App Launch). */
  oauth?: { authorize: string; token: string };
}

type ResourceEntry = { type: string; interaction: { code: string }[] } & Record<string, unknown>;

/** Read entries and write entries by type: one entry per type, with the interactions of both. */
function mergeResources(read: ResourceEntry[], write: ResourceEntry[]): ResourceEntry[] {
  const out = read.map((r) => ({ ...r, interaction: [...r.interaction] }));
  for (const w of write) {
    const r = out.find((x) => x.type === w.type);
    if (!r) out.push(w);
    else {
      // The write side's versioning and history flags describe what provider systems can do; each code once.
      const codes = [...r.interaction, ...w.interaction].map((i) => i.code);
      const documentation = [(r as ResourceEntry).documentation, w.documentation]
        .filter((d): d is string => typeof d === 'string')
        .join(' ');
      Object.assign(r, {
        ...r,
        ...w,
        ...(documentation ? { documentation } : {}),
        interaction: [...new Set(codes)].map((code) => ({ code })),
      });
    }
  }
  return out;
}

/** `security.service`, only when there is one (an empty array is not valid FHIR JSON). */
const securityServices = (services: Json[]): Json => (services.length > 0 ? { service: services } : {});

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
    format: ['application/fhir+json', 'json', 'application/fhir+xml', 'xml'],
    rest: [
      {
        mode: 'server',
        documentation: [
          'Citizens: read-only access to their own combined record, what each of their care providers makes ' +
            'available. Another citizen’s ids answer 404. Every read is recorded in the citizen’s access log.',
          opts.write?.documentation ?? null,
        ]
          .filter(Boolean)
          .join(' '),
        security: {
          cors: false,
          ...(opts.oauth
            ? {
                // SMART App Launch 1.0 §2.3 (still read by apps written for it; 2.x apps use the well-known file).
                extension: [
                  {
                    url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
                    extension: [
                      { url: 'authorize', valueUri: opts.oauth.authorize },
                      { url: 'token', valueUri: opts.oauth.token },
                    ],
                  },
                ],
              }
            : {}),
          ...securityServices([
            ...((opts.write?.security.service as Json[] | undefined) ?? []),
            ...(opts.oauth
              ? [
                  {
                    coding: [
                      {
                        system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                        code: 'SMART-on-FHIR',
                      },
                    ],
                    text: 'OAuth2 authorization code with PKCE (apps the citizen authorises)',
                  },
                ]
              : []),
          ]),
          description: [
            'Citizens: same-origin use with the citizen’s portal session (DigiD login), or an app the citizen ' +
              'authorises: OAuth 2.0 authorization code with PKCE (S256), scope patient/*.read, tokens valid ' +
              'for an hour, see .well-known/smart-configuration. Such an app reads exactly what the citizen reads, ' +
              'until the citizen withdraws its access.',
            opts.write ? `Provider systems: ${opts.write.security.description}` : null,
          ]
            .filter(Boolean)
            .join(' '),
        },
        ...(opts.write ? { interaction: opts.write.interaction } : {}),
        resource: mergeResources(
          [
            read('Patient', {
              operation: [
                {
                  name: 'everything',
                  definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
                  documentation: 'The whole record as one searchset Bundle; the Patient comes first.',
                },
              ],
            }),
            ...CITIZEN_RECORD_TYPES.map((t) => read(t, typeSearch(t))),
            { type: 'Organization', interaction: [{ code: 'read' }] },
            { type: 'Practitioner', interaction: [{ code: 'read' }] },
            { type: 'PractitionerRole', interaction: [{ code: 'read' }] },
            { type: 'Location', interaction: [{ code: 'read' }] },
            { type: 'Medication', interaction: [{ code: 'read' }] },
            { type: 'Binary', interaction: [{ code: 'read' }] },
          ],
          opts.write?.resource ?? [],
        ),
      },
    ],
  };
}
