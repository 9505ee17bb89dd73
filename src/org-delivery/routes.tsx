// /staff/admin/deliveries: the organisation's admin (admin:api-clients) registers the addresses its own system
// receives notifications at, rotates their secrets, switches them off, reads the delivery log and sends one again.
// Row-level security keeps each organisation to its own endpoints and deliveries; the queries name it as well.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import type { DataScope } from '../platform/db/scope.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { createEndpoint, deactivateEndpoint, resendDelivery, rotateSecret } from './deliveries.js';
import { urlProblem } from './http.js';
import { DELIVERY_ADMIN, DeliveryAdminPage, SecretPage, type DeliveryView } from './views.js';

const createBody = z.object({ name: z.string().max(1000), url: z.string().max(5000) });
const idParams = z.object({ id: z.uuid() });

async function overview(scope: DataScope, organisationId: string) {
  const endpoints = await scope.tx
    .selectFrom('org_endpoint')
    .select(['id', 'name', 'url', 'active', 'kind'])
    .where('organisation_id', '=', organisationId)
    .orderBy('active', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  const rows = await scope.tx
    .selectFrom('org_delivery as d')
    .innerJoin('org_endpoint as e', 'e.id', 'd.endpoint_id')
    .select([
      'd.id',
      'd.created_at',
      'd.event_type',
      'e.name',
      'd.state',
      'd.attempts',
      'd.last_status',
      'd.last_error',
    ])
    .where('d.organisation_id', '=', organisationId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id')
    .limit(100)
    .execute();
  const deliveries: DeliveryView[] = rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    eventType: r.event_type,
    endpoint: r.name,
    state: r.state,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
  }));
  return { endpoints, deliveries };
}

export function registerDeliveryAdminRoutes(app: FastifyInstance): void {
  const settings = app.koepel.config.delivery;

  app.get(DELIVERY_ADMIN, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const ctx = pageContext(req);
    const view = await req.withData((scope) => overview(scope, p.organisationId));
    const q = req.query as Record<string, unknown>;
    const notice =
      q.off === '1' ? ctx.t('orgDelivery.deactivated') : q.resent === '1' ? ctx.t('orgDelivery.resent') : '';
    return sendPage(reply, <DeliveryAdminPage ctx={ctx} {...view} notice={notice} />);
  });

  app.post(`${DELIVERY_ADMIN}/endpoints`, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const ctx = pageContext(req);
    const parsed = createBody.safeParse(req.body);
    const name = parsed.success ? parsed.data.name.trim().replace(/\s+/g, ' ') : '';
    const url = parsed.success ? parsed.data.url.trim() : '';
    const errors = [];
    if (name.length < 1 || name.length > 100)
      errors.push({ field: 'endpoint-name', message: ctx.t('orgDelivery.errors.name') });
    const problem = url.length > 2000 ? 'url-invalid' : urlProblem(url, settings.allowPrivate);
    if (problem) {
      const message =
        problem === 'url-private' ? ctx.t('orgDelivery.errors.urlPrivate') : ctx.t('orgDelivery.errors.url');
      errors.push({ field: 'endpoint-url', message });
    }
    if (errors.length > 0) {
      const view = await req.withData((scope) => overview(scope, p.organisationId));
      return sendPage(
        reply,
        <DeliveryAdminPage ctx={ctx} {...view} name={name.slice(0, 100)} url={url.slice(0, 2000)} errors={errors} />,
        400,
      );
    }
    const created = await req.withData((scope) => createEndpoint(scope, p.organisationId, p.staffId, name, url));
    // Shown in this response only (no redirect): the secret is never shown again.
    return sendPage(reply, <SecretPage ctx={ctx} name={name} url={url} secret={created.secret} />);
  });

  app.post(`${DELIVERY_ADMIN}/endpoints/:id/rotate`, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const result = await req.withData(async (scope) => {
      const secret = await rotateSecret(scope, p.organisationId, params.data.id);
      if (!secret) return null;
      const e = await scope.tx
        .selectFrom('org_endpoint')
        .select(['name', 'url'])
        .where('id', '=', params.data.id)
        .executeTakeFirstOrThrow();
      return { ...e, secret };
    });
    if (!result) throw new HttpError(404, 'notFound');
    return sendPage(reply, <SecretPage ctx={pageContext(req)} {...result} />);
  });

  app.post(`${DELIVERY_ADMIN}/endpoints/:id/deactivate`, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const done = await req.withData((scope) => deactivateEndpoint(scope, p.organisationId, params.data.id));
    if (!done) throw new HttpError(404, 'notFound');
    return reply.redirect(`${DELIVERY_ADMIN}?off=1`, 303);
  });

  app.post(`${DELIVERY_ADMIN}/log/:id/resend`, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const id = params.data.id;
    // Checked as the admin (row-level security: only the own organisation's deliveries), then queued again by the
    // deliveries system principal, which alone writes the log.
    const own = await req.withData(async (scope) => {
      const row = await scope.tx
        .selectFrom('org_delivery')
        .select('id')
        .where('id', '=', id)
        .where('organisation_id', '=', p.organisationId)
        .executeTakeFirst();
      if (row)
        await scope.audit({ event: 'org-delivery.resend', action: 'U', resourceType: 'org_delivery', resourceId: id });
      return row !== undefined;
    });
    if (!own) throw new HttpError(404, 'notFound');
    await req.withSystem('deliveries', ({ tx }) => resendDelivery(tx, id, settings.maxAttempts));
    return reply.redirect(`${DELIVERY_ADMIN}?resent=1`, 303);
  });
}
