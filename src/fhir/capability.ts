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
      `updates it (a new version) or leaves it unchanged; it never duplicates. At most ${MAX_ENTRIES} entries per Bundle.`,
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
    resource: INGEST_TYPES.map((type) => ({
      type,
      interaction: [{ code: 'create' }, { code: 'update' }],
      versioning: 'versioned',
      updateCreate: true,
      conditionalUpdate: true,
    })),
  };
}
