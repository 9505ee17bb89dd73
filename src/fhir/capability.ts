// What the write side of the FHIR API offers provider systems, in CapabilityStatement terms, for the one
// CapabilityStatement the server publishes at /fhir/metadata (src/fhir/read/capability.ts merges it in).
import { MAX_ENTRIES } from './ingest.js';
import { INGEST_TYPES } from './resources.js';
import { TOKEN_PATH } from '../api-clients/index.js';

export function writeCapability(publicUrl: string) {
  return {
    mode: 'server',
    documentation:
      'Provider systems push data for their own organisation: transaction and batch Bundles at the base URL, or ' +
      'single resources with PUT {type}/{id} and POST {type}. Re-sending a resource with the same identifier ' +
      `updates it (a new version) or leaves it unchanged; it never duplicates. At most ${MAX_ENTRIES} entries per Bundle. ` +
      'They read back, version by version, and delete what their own organisation sent, by the id they sent or the ' +
      'id the Location named.',
    security: {
      cors: false,
      service: [
        {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }],
          text: 'OAuth2 client credentials',
        },
      ],
      description:
        `OAuth2 client credentials (RFC 6749 §4.4): POST ${publicUrl}${TOKEN_PATH} with grant_type=client_credentials ` +
        'and HTTP Basic client authentication; send the access token as "Authorization: Bearer …". API clients are ' +
        'registered by the organisation’s administrator.',
    },
    interaction: [{ code: 'transaction' }, { code: 'batch' }],
    // Provider systems: their own organisation's resources, by the id of their own id space (docs/interop.md,
    // "REST behaviour"). Reads, vreads and history are audited; a delete hides the resource from the citizen.
    resource: INGEST_TYPES.map((type) => ({
      type,
      documentation:
        'Provider systems: PUT {type}/{id} keeps the id; POST assigns one (a Patient: the citizen’s id). read, vread, ' +
        '_history and delete for the own organisation’s resources; If-Match on update (412), If-None-Exist ' +
        '(identifier=system|value) on create, If-None-Match on read (304), Prefer: return=minimal|representation|' +
        'OperationOutcome.',
      interaction: [
        { code: 'read' },
        { code: 'vread' },
        { code: 'history-instance' },
        { code: 'create' },
        { code: 'update' },
        { code: 'delete' },
      ],
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalUpdate: true,
      conditionalDelete: 'not-supported',
    })),
  };
}
