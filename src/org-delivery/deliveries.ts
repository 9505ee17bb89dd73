// Delivery of citizen actions to the organisation's own system (issue 14, MG-5, MG-13) as signed webhooks following
// the Standard Webhooks specification (the `standardwebhooks` library signs; receivers verify with any of its ports).
//
//   citizen action ──trigger (migration 0041)──▶ job 'org.event' {eventId, organisationId, eventType, resourceType,
//   resourceId, occurredAt} ──fan-out──▶ org_delivery row + job 'org.deliver' {deliveryId} per active endpoint
//   ──▶ POST to the endpoint, signed; the attempt is written to org_delivery; failures retry with back-off, then dead.
//
// The body names the event type and the resource's FHIR type and id, never content:
//   { "type": "appointment.booked", "timestamp": "…", "data": { "id": "koepel-…", "resourceType": "Appointment",
//     "organisation": "<organisation uuid>" } }
// The system reads the resource itself over the FHIR API with its own client token.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { DataScope } from '../platform/db/scope.js';
import type { Tx } from '../platform/db/principal.js';
import { enqueueJob, PermanentJobError, RetryJobError, type Job } from '../platform/jobs/queue.js';
import type { JobContext } from '../platform/jobs/worker.js';
import { DeliveryError, postOnce, type DeliveryHttpOptions } from './http.js';
// Issue 14 (FHIR Subscription): the second kind of endpoint.
import { headersAad, notificationBundle, parseHeader, topicMatches } from './subscriptions.js';

export const ORG_EVENT_JOB = 'org.event';
export const ORG_DELIVER_JOB = 'org.deliver';

/** The event types a receiver may see (the triggers of migration 0041 emit these). */
export const ORG_EVENT_TYPES = [
  'appointment.booked',
  'appointment.changed',
  'appointment.cancelled',
  'medication-order.created',
  'medication-order.cancelled',
  'message.created',
  'record-request.created',
] as const;
export type OrgEventType = (typeof ORG_EVENT_TYPES)[number];

/** How long the previous secret keeps signing alongside the new one after a rotation. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;

export interface DeliverySettings extends DeliveryHttpOptions {
  maxAttempts: number;
  /** First retry delay; doubles per attempt, capped at one hour. 0: at once (tests). */
  retryMs: number;
}

const aad = {
  secret: (id: string) => `org-endpoint.secret:${id}`,
  previous: (id: string) => `org-endpoint.previous:${id}`,
};

/** A new signing secret in the Standard Webhooks form: whsec_ + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Registers a webhook endpoint (the URL checked by the caller); answers its id and the secret, shown once. */
export async function createEndpoint(
  scope: DataScope,
  organisationId: string,
  staffId: string,
  name: string,
  url: string,
): Promise<{ id: string; secret: string }> {
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  const sealed = await scope.keys.encrypt(
    scope.tx,
    { kind: 'organisation', id: organisationId },
    secret,
    aad.secret(id),
  );
  await scope.tx
    .insertInto('org_endpoint')
    .values({ id, organisation_id: organisationId, name, url, secret_ciphertext: sealed, created_by: staffId })
    .execute();
  await scope.audit({ event: 'org-endpoint.create', action: 'C', resourceType: 'org_endpoint', resourceId: id });
  return { id, secret };
}

/**
 * A new secret for an endpoint; the current one becomes the previous one and keeps signing alongside (two
 * signatures, space-separated, as the specification allows) for `graceMs`. Null when no such active endpoint.
 */
export async function rotateSecret(
  scope: DataScope,
  organisationId: string,
  id: string,
  graceMs = ROTATION_GRACE_MS,
): Promise<string | null> {
  const row = await scope.tx
    .selectFrom('org_endpoint')
    .select(['secret_ciphertext'])
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!row?.secret_ciphertext) return null; // a FHIR Subscription has no secret
  const owner = { kind: 'organisation', id: organisationId } as const;
  const current = await scope.keys.decrypt(scope.tx, owner, row.secret_ciphertext, aad.secret(id));
  const secret = newWebhookSecret();
  await scope.tx
    .updateTable('org_endpoint')
    .set({
      secret_ciphertext: await scope.keys.encrypt(scope.tx, owner, secret, aad.secret(id)),
      previous_secret_ciphertext: await scope.keys.encrypt(scope.tx, owner, current, aad.previous(id)),
      previous_secret_until: new Date(Date.now() + graceMs),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  await scope.audit({ event: 'org-endpoint.rotate', action: 'U', resourceType: 'org_endpoint', resourceId: id });
  return secret;
}

/** Switches an endpoint off: no new deliveries (queued ones die with 'endpoint-off'). */
export async function deactivateEndpoint(scope: DataScope, organisationId: string, id: string): Promise<boolean> {
  const row = await scope.tx
    .updateTable('org_endpoint')
    .set({ active: false, updated_at: new Date() })
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .where('active', '=', true)
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  await scope.audit({ event: 'org-endpoint.deactivate', action: 'U', resourceType: 'org_endpoint', resourceId: id });
  return true;
}

/**
 * Queues one delivery again ("send again") when it is delivered or dead (a failed one still has its retry job queued);
 * the caller checked it is the organisation's. Runs as the system purpose 'deliveries'.
 */
export async function resendDelivery(tx: Tx, deliveryId: string, maxAttempts: number): Promise<boolean> {
  const row = await tx
    .updateTable('org_delivery')
    .set({ state: 'pending', last_error: null })
    .where('id', '=', deliveryId)
    .where('state', 'in', ['delivered', 'dead'])
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  await enqueueJob(tx, ORG_DELIVER_JOB, { deliveryId }, { maxAttempts });
  return true;
}

function text(job: Job, field: string): string {
  const v = job.payload[field];
  if (typeof v !== 'string' || v.length === 0) throw new PermanentJobError('payload');
  return v;
}

/** 'org.event': one delivery (row and job) per active endpoint of the organisation, exactly once. */
export function orgEventHandler(settings: DeliverySettings) {
  return async (job: Job, ctx: JobContext): Promise<void> => {
    const eventId = text(job, 'eventId');
    const organisationId = text(job, 'organisationId');
    await ctx.finishWith('deliveries', async ({ tx }) => {
      const endpoints = await tx
        .selectFrom('org_endpoint')
        .select(['id', 'kind', 'topic'])
        .where('organisation_id', '=', organisationId)
        .where('active', '=', true)
        .execute();
      for (const e of endpoints) {
        // A FHIR Subscription hears only the events of its topic.
        if (e.kind === 'fhir-subscription' && !topicMatches(e.topic, text(job, 'eventType'))) continue;
        const row = await tx
          .insertInto('org_delivery')
          .values({
            organisation_id: organisationId,
            endpoint_id: e.id,
            event_id: eventId,
            event_type: text(job, 'eventType'),
            resource_type: text(job, 'resourceType'),
            resource_id: text(job, 'resourceId'),
            occurred_at: new Date(text(job, 'occurredAt')),
          })
          .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (row && e.kind === 'fhir-subscription') {
          // The Backport IG's event number: this subscription's events, counted from 1.
          const counted = await tx
            .updateTable('org_endpoint')
            .set((eb) => ({ events_since_start: eb('events_since_start', '+', 1) }))
            .where('id', '=', e.id)
            .returning('events_since_start')
            .executeTakeFirstOrThrow();
          await tx
            .updateTable('org_delivery')
            .set({ event_number: counted.events_since_start })
            .where('id', '=', row.id)
            .execute();
        }
        if (row) {
          await enqueueJob(
            tx,
            ORG_DELIVER_JOB,
            { deliveryId: row.id },
            { key: `${eventId}:${e.id}`, maxAttempts: settings.maxAttempts },
          );
        }
      }
    });
  };
}

/** The signature header: one `v1,…` per secret in force (the current one, and the previous during its grace). */
export function signatures(secrets: string[], id: string, timestamp: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(id, timestamp, body)).join(' ');
}

async function endpointSecrets(tx: Tx, keys: KeyStore, organisationId: string, e: EndpointRow): Promise<string[]> {
  const owner = { kind: 'organisation', id: organisationId } as const;
  if (!e.secret_ciphertext) return [];
  const secrets = [await keys.decrypt(tx, owner, e.secret_ciphertext, aad.secret(e.id))];
  if (e.previous_secret_ciphertext && e.previous_secret_until && e.previous_secret_until.getTime() > Date.now()) {
    secrets.push(await keys.decrypt(tx, owner, e.previous_secret_ciphertext, aad.previous(e.id)));
  }
  return secrets;
}

interface EndpointRow {
  id: string;
  url: string;
  active: boolean;
  secret_ciphertext: Uint8Array | null;
  previous_secret_ciphertext: Uint8Array | null;
  previous_secret_until: Date | null;
}

/** 'org.deliver': one signed POST; the attempt is logged; a failure retries with back-off until dead. */
export function deliverHandler(
  settings: DeliverySettings,
  /** Issue 14 (FHIR Subscription): the FHIR base URL ({publicUrl}/fhir) notifications refer to. */
  fhirBase = '/fhir',
) {
  return async (job: Job, ctx: JobContext): Promise<void> => {
    const deliveryId = text(job, 'deliveryId');
    const prepared = await ctx.asSystem('deliveries', async ({ tx }) => {
      const d = await tx
        .selectFrom('org_delivery as d')
        .innerJoin('org_endpoint as e', 'e.id', 'd.endpoint_id')
        .select([
          'd.id',
          'd.organisation_id',
          'd.state',
          'd.event_type',
          'd.resource_type',
          'd.resource_id',
          'd.occurred_at',
          'e.id as endpoint_id',
          'e.url',
          'e.active',
          'e.secret_ciphertext',
          'e.previous_secret_ciphertext',
          'e.previous_secret_until',
          'e.kind',
          'e.topic',
          'e.payload_content',
          'e.headers_ciphertext',
          'd.event_number',
        ])
        .where('d.id', '=', deliveryId)
        .executeTakeFirst();
      if (!d || d.state === 'delivered') return null;
      if (!d.active) return { d, secrets: [] as string[], extra: null };
      if (d.kind === 'fhir-subscription') {
        // The receiver's own headers (e.g. Authorization), unsealed only here and never logged.
        const extra: Record<string, string> = {};
        if (d.headers_ciphertext) {
          const owner = { kind: 'organisation', id: d.organisation_id } as const;
          const list = JSON.parse(
            await ctx.keys.decrypt(tx, owner, d.headers_ciphertext, headersAad(d.endpoint_id)),
          ) as string[];
          for (const h of list) {
            const parsed = parseHeader(h);
            if (parsed) extra[parsed[0]] = parsed[1];
          }
        }
        return { d, secrets: [] as string[], extra };
      }
      const endpoint: EndpointRow = { ...d, id: d.endpoint_id };
      return { d, secrets: await endpointSecrets(tx, ctx.keys, d.organisation_id, endpoint), extra: null };
    });
    if (!prepared) return;
    const { d, secrets, extra } = prepared;
    const record = (tx: Tx, values: { state: string; status: number | null; error: string | null }) =>
      sql`update org_delivery set state = ${values.state}, attempts = attempts + 1, last_status = ${values.status},
            last_error = ${values.error}, last_attempt_at = now(),
            delivered_at = case when ${values.state} = 'delivered' then now() else delivered_at end
          where id = ${deliveryId}`.execute(tx);
    if (secrets.length === 0 && extra === null) {
      await ctx.asSystem('deliveries', ({ tx }) => record(tx, { state: 'dead', status: null, error: 'endpoint-off' }));
      throw new PermanentJobError('endpoint-off');
    }
    let body: string;
    let headers: Record<string, string>;
    let contentType: string | undefined;
    if (extra !== null) {
      // A FHIR Subscription: the notification Bundle (Backport IG), ids only, with the receiver's own headers.
      body = JSON.stringify(
        notificationBundle(fhirBase, {
          deliveryId: d.id,
          subscriptionId: d.endpoint_id,
          topic: d.topic ?? '',
          content: d.payload_content ?? 'empty',
          eventNumber: d.event_number ?? 1,
          eventType: d.event_type,
          occurredAt: d.occurred_at,
          resourceType: d.resource_type,
          resourceId: d.resource_id,
        }),
      );
      headers = extra;
      contentType = 'application/fhir+json';
    } else {
      body = JSON.stringify({
        type: d.event_type,
        timestamp: d.occurred_at.toISOString(),
        data: { id: d.resource_id, resourceType: d.resource_type, organisation: d.organisation_id },
      });
      const now = new Date();
      headers = {
        'webhook-id': d.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signatures(secrets, d.id, now, body),
      };
    }
    try {
      // Not tied to the worker's stop signal (one listener per delivery on a shared signal): the timeout bounds it.
      const status = await postOnce(d.url, headers, body, settings, undefined, contentType);
      await ctx.finishWith('deliveries', ({ tx }) => record(tx, { state: 'delivered', status, error: null }));
    } catch (err) {
      const failure = err instanceof DeliveryError ? err : new DeliveryError('error');
      const last = job.attempt >= job.maxAttempts;
      await ctx.asSystem('deliveries', ({ tx }) =>
        record(tx, { state: last ? 'dead' : 'failed', status: failure.status, error: failure.code }),
      );
      const delay = Math.min(3_600_000, settings.retryMs * 2 ** Math.max(0, job.attempt - 1));
      throw new RetryJobError(failure.code, delay);
    }
  };
}
