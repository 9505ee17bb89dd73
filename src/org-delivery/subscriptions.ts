// FHIR R4 Subscription (issue 14, MG-5, MG-13): the second way a citizen action reaches the organisation's own system,
// as the Subscriptions R5 Backport IG (hl7.org/fhir/uv/subscriptions-backport) describes it for R4. The organisation's
// API client creates, reads, searches and deletes its Subscriptions over the FHIR API; each is an org_endpoint of kind
// 'fhir-subscription' (migration 0043), so the fan-out of deliveries.ts reaches it too, filtered by topic, and the
// deliver job POSTs it a notification Bundle (history) whose first entry is a Parameters SubscriptionStatus. Channel
// rest-hook only; payload application/fhir+json with content 'id-only' (the focus reference) or 'empty': Koepel never
// pushes content, the receiver reads the resource back over the FHIR API with its own token.
import type { DataScope } from '../platform/db/scope.js';
import { FhirError, issue, type Issue } from '../platform/fhir/outcome.js';
import { urlProblem } from './http.js';

export const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
export const PAYLOAD_CONTENT_EXT = `${BACKPORT}/backport-payload-content`;
export const TOPIC_BASE = 'http://koepel.nl/fhir/SubscriptionTopic';

/** Koepel's SubscriptionTopics: the canonical's last part → the event-type family it covers (null: every family). */
export const SUBSCRIPTION_TOPICS: Record<string, string | null> = {
  'citizen-action': null,
  appointment: 'appointment',
  'medication-order': 'medication-order',
  message: 'message',
  'record-request': 'record-request',
};

/** The topic canonical (without a |version) → its name, or null for a topic Koepel does not have. */
export function topicName(canonical: string): string | null {
  const url = canonical.split('|')[0] ?? '';
  if (!url.startsWith(`${TOPIC_BASE}/`)) return null;
  const name = url.slice(TOPIC_BASE.length + 1);
  return Object.hasOwn(SUBSCRIPTION_TOPICS, name) ? name : null;
}

/** Does an event of this type (e.g. 'appointment.booked') belong to the topic? */
export function topicMatches(canonical: string | null, eventType: string): boolean {
  const name = canonical ? topicName(canonical) : null;
  if (name === null) return false;
  const family = SUBSCRIPTION_TOPICS[name];
  return family === null || eventType.split('.')[0] === family;
}

export interface SubscriptionInput {
  topic: string;
  content: 'id-only' | 'empty';
  endpoint: string;
  headers: string[];
  reason: string;
}

const MAX_HEADERS = 10;
/** Headers the receiver may not set: Koepel sets them, or they steer the connection. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'user-agent',
  'expect',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'proxy-authorization',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a "Name: value" header as FHIR channel.header carries it; null when it is not one Koepel may send. */
export function parseHeader(h: string): [string, string] | null {
  const colon = h.indexOf(':');
  if (colon <= 0 || h.length > 2000) return null;
  const name = h.slice(0, colon).trim();
  const value = h.slice(colon + 1).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(name)) return null;
  // No control characters (CR/LF would split the request).
  if (!/^[\x20-\x7e\x80-\xff\t]*$/.test(value)) return null;
  if (RESERVED_HEADERS.has(name.toLowerCase()) || /^webhook-/i.test(name)) return null;
  return [name, value];
}

/**
 * Checks a Subscription a client POSTs. Structure problems are 400, a valid R4 Subscription Koepel does not support
 * 422; every issue names the element, never echoes a value. Returns what is stored.
 */
export function parseSubscription(body: unknown, allowPrivate: boolean): SubscriptionInput {
  if (!isObject(body) || body.resourceType !== 'Subscription') {
    throw new FhirError(400, [issue('structure', 'The body must be a Subscription resource.')]);
  }
  const missing: Issue[] = [];
  const str = (v: unknown) => (typeof v === 'string' && v.trim().length > 0 ? v : null);
  const channel = isObject(body.channel) ? body.channel : null;
  if (!str(body.status)) missing.push(issue('required', 'status is required (requested).', 'Subscription.status'));
  if (!str(body.reason)) missing.push(issue('required', 'reason is required.', 'Subscription.reason'));
  if (!str(body.criteria)) {
    missing.push(issue('required', 'criteria is required: a SubscriptionTopic canonical.', 'Subscription.criteria'));
  }
  if (!channel) missing.push(issue('required', 'channel is required.', 'Subscription.channel'));
  else {
    if (!str(channel.type)) missing.push(issue('required', 'channel.type is required.', 'Subscription.channel.type'));
    if (!str(channel.endpoint)) {
      missing.push(issue('required', 'channel.endpoint is required for rest-hook.', 'Subscription.channel.endpoint'));
    }
    if (!str(channel.payload)) {
      missing.push(
        issue('required', 'channel.payload is required (application/fhir+json).', 'Subscription.channel.payload'),
      );
    }
    if (channel.header !== undefined && !(Array.isArray(channel.header) && channel.header.every((h) => str(h)))) {
      missing.push(issue('structure', 'channel.header must be a list of strings.', 'Subscription.channel.header'));
    }
  }
  if (typeof body.reason === 'string' && body.reason.length > 1000) {
    missing.push(issue('too-long', 'reason is at most 1000 characters.', 'Subscription.reason'));
  }
  if (missing.length > 0 || !channel) throw new FhirError(400, missing);

  const refused: Issue[] = [];
  if (body.status !== 'requested' && body.status !== 'active') {
    refused.push(issue('value', 'A new Subscription has status requested.', 'Subscription.status'));
  }
  if (body.end !== undefined) {
    refused.push(
      issue('not-supported', 'end is not supported: DELETE the Subscription to stop it.', 'Subscription.end'),
    );
  }
  const criteria = String(body.criteria);
  if (topicName(criteria) === null) {
    refused.push(
      issue(
        'not-supported',
        `Unknown topic: criteria must be one of ${Object.keys(SUBSCRIPTION_TOPICS)
          .map((t) => `${TOPIC_BASE}/${t}`)
          .join(', ')}.`,
        'Subscription.criteria',
      ),
    );
  }
  if (isObject(body._criteria)) {
    refused.push(
      issue('not-supported', 'Filter criteria are not supported: the topic is the filter.', 'Subscription.criteria'),
    );
  }
  if (channel.type !== 'rest-hook') {
    refused.push(issue('not-supported', 'Only channel.type rest-hook is supported.', 'Subscription.channel.type'));
  }
  const endpoint = String(channel.endpoint);
  const problem = urlProblem(endpoint, allowPrivate);
  if (problem) {
    const words: Record<string, string> = {
      'url-not-https': 'channel.endpoint must be an https URL.',
      'url-private': 'channel.endpoint must be a public address (no loopback, private or local names).',
      'url-userinfo': 'channel.endpoint may not hold a user name or password.',
      'url-fragment': 'channel.endpoint may not hold a fragment.',
    };
    refused.push(
      issue('value', words[problem] ?? 'channel.endpoint is not a valid URL.', 'Subscription.channel.endpoint'),
    );
  }
  if (channel.payload !== 'application/fhir+json') {
    refused.push(
      issue('not-supported', 'channel.payload must be application/fhir+json.', 'Subscription.channel.payload'),
    );
  }
  const payloadExt = isObject(channel._payload) ? channel._payload.extension : undefined;
  const contents = Array.isArray(payloadExt)
    ? payloadExt
        .filter((e) => isObject(e) && e.url === PAYLOAD_CONTENT_EXT)
        .map((e) => (e as { valueCode?: unknown }).valueCode)
    : [];
  const content = contents[0];
  if (contents.length !== 1 || (content !== 'id-only' && content !== 'empty')) {
    refused.push(
      issue(
        'not-supported',
        content === 'full-resource'
          ? 'Koepel never pushes content: payload content full-resource is not supported; use id-only and read the ' +
              'resource over the FHIR API.'
          : `channel.payload needs the extension ${PAYLOAD_CONTENT_EXT} with id-only or empty.`,
        'Subscription.channel.payload',
      ),
    );
  }
  const headers = (channel.header as string[] | undefined) ?? [];
  if (headers.length > MAX_HEADERS) {
    refused.push(issue('value', `At most ${MAX_HEADERS} headers.`, 'Subscription.channel.header'));
  }
  headers.forEach((h, i) => {
    if (!parseHeader(h)) {
      refused.push(
        issue(
          'value',
          'A header is "Name: value", without line breaks, and not one Koepel sets itself.',
          `Subscription.channel.header[${i}]`,
        ),
      );
    }
  });
  if (refused.length > 0) throw new FhirError(422, refused);
  return {
    topic: criteria.split('|')[0] ?? criteria,
    content: content as 'id-only' | 'empty',
    endpoint,
    headers,
    reason: String(body.reason),
  };
}

export const headersAad = (id: string) => `org-endpoint.headers:${id}`;

interface SubscriptionRow {
  id: string;
  url: string;
  active: boolean;
  topic: string | null;
  payload_content: string | null;
  reason: string | null;
  headers_ciphertext: Uint8Array | null;
  updated_at: Date;
  events_since_start: string | number | bigint;
}

/** The Subscription as the FHIR API shows it. Headers are named by count only: their values are never shown back. */
export function subscriptionResource(row: SubscriptionRow): Record<string, unknown> {
  return {
    resourceType: 'Subscription',
    id: row.id,
    meta: {
      lastUpdated: row.updated_at.toISOString(),
      profile: [`${BACKPORT}/backport-subscription`],
    },
    status: row.active ? 'active' : 'off',
    reason: row.reason ?? '',
    criteria: row.topic,
    channel: {
      type: 'rest-hook',
      endpoint: row.url,
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: PAYLOAD_CONTENT_EXT, valueCode: row.payload_content }] },
    },
  };
}

const SELECT = [
  'id',
  'url',
  'active',
  'topic',
  'payload_content',
  'reason',
  'headers_ciphertext',
  'updated_at',
  'events_since_start',
] as const;

type Client = { clientId: string; organisationId: string };

/** Stores a checked Subscription for the client's organisation (RLS: the client's own); status active at once. */
export async function createSubscription(
  scope: DataScope,
  client: Client,
  input: SubscriptionInput,
): Promise<Record<string, unknown>> {
  const id = crypto.randomUUID();
  const headers_ciphertext =
    input.headers.length > 0
      ? await scope.keys.encrypt(
          scope.tx,
          { kind: 'organisation', id: client.organisationId },
          JSON.stringify(input.headers),
          headersAad(id),
        )
      : null;
  const row = await scope.tx
    .insertInto('org_endpoint')
    .values({
      id,
      organisation_id: client.organisationId,
      kind: 'fhir-subscription',
      name: `FHIR Subscription (${topicName(input.topic) ?? 'topic'})`,
      url: input.endpoint,
      topic: input.topic,
      payload_content: input.content,
      reason: input.reason,
      headers_ciphertext,
      api_client_id: client.clientId,
    })
    .returning(SELECT)
    .executeTakeFirstOrThrow();
  await scope.audit({ event: 'fhir-subscription.create', action: 'C', resourceType: 'org_endpoint', resourceId: id });
  return subscriptionResource(row);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One of the organisation's Subscriptions (RLS: another organisation's is not there); null when absent or deleted. */
export async function readSubscription(scope: DataScope, id: string): Promise<Record<string, unknown> | null> {
  if (!UUID.test(id)) return null;
  const row = await scope.tx
    .selectFrom('org_endpoint')
    .select(SELECT)
    .where('id', '=', id)
    .where('kind', '=', 'fhir-subscription')
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? subscriptionResource(row) : null;
}

/** The organisation's Subscriptions, newest first (deleted ones left out). */
export async function searchSubscriptions(scope: DataScope): Promise<Record<string, unknown>[]> {
  const rows = await scope.tx
    .selectFrom('org_endpoint')
    .select(SELECT)
    .where('kind', '=', 'fhir-subscription')
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(1000)
    .execute();
  return rows.map(subscriptionResource);
}

/** Deletes a Subscription: inactive at once (queued deliveries die with 'endpoint-off'), gone from the API. */
export async function deleteSubscription(scope: DataScope, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const row = await scope.tx
    .updateTable('org_endpoint')
    .set({ active: false, deleted_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('kind', '=', 'fhir-subscription')
    .where('deleted_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  await scope.audit({ event: 'fhir-subscription.delete', action: 'D', resourceType: 'org_endpoint', resourceId: id });
  return true;
}

export interface NotificationInput {
  deliveryId: string;
  subscriptionId: string;
  topic: string;
  content: string;
  eventNumber: number;
  eventType: string;
  occurredAt: Date;
  resourceType: string;
  resourceId: string;
}

const REQUEST_METHOD = (eventType: string) =>
  eventType.endsWith('.created') || eventType.endsWith('.booked') ? 'POST' : 'PUT';

/**
 * The notification Bundle (Backport IG, R4: history Bundle, first entry a Parameters SubscriptionStatus) for one
 * event; id-only adds the focus reference and an entry naming it (no resource), empty leaves both out.
 */
export function notificationBundle(fhirBase: string, n: NotificationInput): Record<string, unknown> {
  const subscription = `${fhirBase}/Subscription/${n.subscriptionId}`;
  const focus = `${fhirBase}/${n.resourceType}/${n.resourceId}`;
  const event: Record<string, unknown>[] = [
    { name: 'event-number', valueString: String(n.eventNumber) },
    { name: 'timestamp', valueInstant: n.occurredAt.toISOString() },
  ];
  if (n.content === 'id-only') event.push({ name: 'focus', valueReference: { reference: focus } });
  const status = {
    resourceType: 'Parameters',
    id: n.deliveryId,
    meta: { profile: [`${BACKPORT}/backport-subscription-status-r4`] },
    parameter: [
      { name: 'subscription', valueReference: { reference: subscription } },
      { name: 'topic', valueCanonical: n.topic },
      { name: 'status', valueCode: 'active' },
      { name: 'type', valueCode: 'event-notification' },
      { name: 'events-since-subscription-start', valueString: String(n.eventNumber) },
      { name: 'notification-event', part: event },
    ],
  };
  const entry: Record<string, unknown>[] = [
    {
      fullUrl: `urn:uuid:${n.deliveryId}`,
      resource: status,
      request: { method: 'GET', url: `${subscription}/$status` },
      response: { status: '200' },
    },
  ];
  if (n.content === 'id-only') {
    entry.push({
      fullUrl: focus,
      // Koepel's event type (e.g. appointment.cancelled), so the receiver knows what happened before it reads.
      extension: [{ url: 'http://koepel.nl/fhir/StructureDefinition/org-event-type', valueCode: n.eventType }],
      request: { method: REQUEST_METHOD(n.eventType), url: `${n.resourceType}/${n.resourceId}` },
      response: { status: '200' },
    });
  }
  return {
    resourceType: 'Bundle',
    id: n.deliveryId,
    meta: { profile: [`${BACKPORT}/backport-subscription-notification-r4`] },
    type: 'history',
    timestamp: new Date().toISOString(),
    entry,
  };
}
