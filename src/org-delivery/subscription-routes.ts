// The FHIR Subscription routes (issue 14, MG-5, MG-13), registered in the /fhir scope by src/fhir/index.ts: only an
// API client's bearer token reaches them (anyone else gets the 404 of an unsupported type); row-level security keeps
// each client to its own organisation's Subscriptions (another organisation's is a 404 like a missing one).
//
//   POST   /fhir/Subscription          rest-hook, application/fhir+json, content id-only | empty (Backport IG)
//   GET    /fhir/Subscription/{id}
//   GET    /fhir/Subscription          the organisation's own (search-type, no parameters)
//   DELETE /fhir/Subscription/{id}
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken } from '../platform/auth/bearer.js';
import { fhirError } from '../platform/fhir/outcome.js';
import { FHIR_JSON } from '../platform/fhir/scope.js';
import {
  createSubscription,
  deleteSubscription,
  parseSubscription,
  readSubscription,
  searchSubscriptions,
  SUBSCRIPTION_TOPICS,
  TOPIC_BASE,
} from './subscriptions.js';

const notSupported = () => fhirError(404, 'not-supported', 'Resource type not supported.');
const notFound = () => fhirError(404, 'not-found', 'Resource not found.');

async function clientOnly(req: FastifyRequest): Promise<{ clientId: string; organisationId: string }> {
  if (req.principal.kind === 'client') return req.principal; // the write routes authenticated it already
  if (bearerToken(req) === null) throw notSupported();
  const principal = await req.server.koepel.bearer.authenticateAny(req, ['citizen-app', 'api-client']);
  if (principal.kind !== 'client') throw notSupported();
  return principal;
}

/** The Subscription entry of the CapabilityStatement (src/fhir/capability.ts adds it). */
export const SUBSCRIPTION_CAPABILITY = {
  type: 'Subscription',
  profile: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription',
  documentation:
    'Notifications of citizen actions for the organisation’s own system, as the FHIR Subscriptions R5 Backport IG ' +
    'describes them for R4 (docs/interop.md, "Subscriptions"): channel.type rest-hook, channel.endpoint an https URL, ' +
    'channel.payload application/fhir+json with the backport-payload-content extension id-only (the focus reference) ' +
    'or empty (full-resource is refused: read the resource over this API). criteria is one of the topics ' +
    `${Object.keys(SUBSCRIPTION_TOPICS)
      .map((t) => `${TOPIC_BASE}/${t}`)
      .join(', ')}. channel.header (e.g. Authorization) is sent with every notification and never shown back. ` +
    'status requested becomes active at once; delete stops the notifications.',
  interaction: [{ code: 'create' }, { code: 'read' }, { code: 'search-type' }, { code: 'delete' }],
  versioning: 'no-version',
  readHistory: false,
  updateCreate: false,
  conditionalCreate: false,
  conditionalUpdate: false,
  conditionalDelete: 'not-supported',
};

export function registerSubscriptionRoutes(fhir: FastifyInstance): void {
  const base = () => `${fhir.koepel.config.publicUrl}/fhir`;
  // Writes: the API client's token is checked before the body is read (as the write routes of src/fhir/routes.ts).
  const writeOptions = {
    config: { csrf: false },
    bodyLimit: 64 * 1024,
    onRequest: async (req: FastifyRequest) => {
      await req.server.koepel.bearer.authenticate(req, 'api-client');
    },
  };

  fhir.post('/Subscription', writeOptions, async (req, reply) => {
    const client = await clientOnly(req);
    const input = parseSubscription(req.body, fhir.koepel.config.delivery.allowPrivate);
    const resource = await req.withData((scope) => createSubscription(scope, client, input));
    reply.header('Location', `${base()}/Subscription/${String(resource.id)}`);
    return reply.code(201).type(FHIR_JSON).send(resource);
  });

  fhir.get<{ Params: { id: string } }>('/Subscription/:id', async (req, reply) => {
    await clientOnly(req);
    const resource = await req.withData((scope) => readSubscription(scope, req.params.id));
    if (!resource) throw notFound();
    return reply.code(200).type(FHIR_JSON).send(resource);
  });

  fhir.get('/Subscription', async (req, reply) => {
    await clientOnly(req);
    const query = Object.keys((req.query as Record<string, unknown> | undefined) ?? {}).filter((k) => k !== '_format');
    if (query.length > 0) throw fhirError(400, 'not-supported', 'Subscription search takes no parameters.');
    const items = await req.withData((scope) => searchSubscriptions(scope));
    return reply
      .code(200)
      .type(FHIR_JSON)
      .send({
        resourceType: 'Bundle',
        id: crypto.randomUUID(),
        meta: { lastUpdated: new Date().toISOString() },
        type: 'searchset',
        total: items.length,
        link: [{ relation: 'self', url: `${base()}/Subscription` }],
        entry: items.map((resource) => ({
          fullUrl: `${base()}/Subscription/${String(resource.id)}`,
          resource,
          search: { mode: 'match' },
        })),
      });
  });

  fhir.delete<{ Params: { id: string } }>('/Subscription/:id', writeOptions, async (req, reply) => {
    await clientOnly(req);
    const deleted = await req.withData((scope) => deleteSubscription(scope, req.params.id));
    if (!deleted) throw notFound();
    return reply.code(204).send();
  });
}
