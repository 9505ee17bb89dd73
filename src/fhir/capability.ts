// What the write side of the FHIR API offers provider systems, in CapabilityStatement terms, for the one
// CapabilityStatement the server publishes at /fhir/metadata (src/fhir/read/capability.ts merges it in).
import { MAX_ENTRIES } from './ingest.js';
import { INGEST_TYPES, isSchedulingType } from './resources.js';
import { TOKEN_PATH } from '../api-clients/index.js';
import { COMMUNICATION_CAPABILITY } from './communications.js';
// Issue 14 (FHIR Subscription)
import { SUBSCRIPTION_CAPABILITY } from '../org-delivery/index.js';

function ingestCapability(publicUrl: string) {
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
    resource: INGEST_TYPES.map((type) =>
      isSchedulingType(type)
        ? {
            type,
            documentation:
              `Provider systems whose own system holds the agenda publish it: PUT ${type}/{id} (or in a Bundle), ` +
              'kept by that id; read and vread of the current version; search-type by the organisation’s system with ' +
              `_lastUpdated, _count, _offset${type === 'Slot' ? ', schedule and status' : ''}. ` +
              (type === 'Slot'
                ? 'schedule names a Schedule the organisation sent; status free offers it to citizens; ' +
                  'appointmentType/serviceType codes choose the appointment type. While a booking holds it, its ' +
                  'time, Schedule and availability cannot change (409). Not deleted: withdrawn by status.'
                : 'actor.display is whom citizens book with; active false withdraws it. Not deleted.'),
            interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'update' }, { code: 'search-type' }],
            versioning: 'versioned-update',
            readHistory: false,
            updateCreate: true,
            conditionalCreate: false,
            conditionalUpdate: false,
            conditionalDelete: 'not-supported',
          }
        : {
            type,
            documentation:
              'Provider systems: PUT {type}/{id} keeps the id; POST assigns one (a Patient: the citizen’s id). read, vread, ' +
              '_history and delete for the own organisation’s resources; If-Match on update (412), If-None-Exist ' +
              '(identifier=system|value) on create, If-None-Match on read (304), Prefer: return=minimal|representation|' +
              'OperationOutcome.' +
              (type === 'Appointment'
                ? ' Appointments citizens booked in Koepel (ids koepel-{uuid}, never used by pushed Appointments): ' +
                  'search-type by the organisation’s system with _lastUpdated (gt, ge, lt, le and an instant), ' +
                  'status, patient, _count and _offset; read; update to answer: pending → booked (confirm), ' +
                  'pending → cancelled with the practitioner declined (refuse), booked → cancelled; If-Match (412); ' +
                  'any other change 422.'
                : ''),
            interaction: [
              { code: 'read' },
              { code: 'vread' },
              { code: 'history-instance' },
              { code: 'create' },
              { code: 'update' },
              { code: 'delete' },
              ...(type === 'Appointment' ? [{ code: 'search-type' }] : []),
            ],
            versioning: 'versioned-update',
            readHistory: true,
            updateCreate: true,
            conditionalCreate: true,
            conditionalUpdate: true,
            conditionalDelete: 'not-supported',
          },
    ),
  };
}

/** The write side with the secure messages (issue 13): the organisation's system reads and answers its conversations. */
export function writeCapability(publicUrl: string) {
  const ingest = ingestCapability(publicUrl);
  return { ...ingest, resource: [...ingest.resource, COMMUNICATION_CAPABILITY, SUBSCRIPTION_CAPABILITY] };
}
