// /staff/admin/api-clients: an organisation's admin registers and revokes the API clients its own systems use to
// push data in (OAuth2 client credentials). Needs the permission admin:api-clients; row-level security keeps each
// organisation to its own clients. Creating and revoking are audited.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { DataScope } from '../platform/http/request-context.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import { notify } from '../platform/db/database.js';
import { newSecret, sha256 } from '../platform/crypto/secrets.js';
import { CLIENT_REVOKED_CHANNEL, newClientId, type TokenCache } from './tokens.js';
import { ApiClientsPage, CreatedPage, RevokePage, type ApiClientRow } from './views.js';

const LIST = '/staff/admin/api-clients';
const createBody = z.object({ name: z.string().max(1000) });
const idParams = z.object({ id: z.uuid() });

async function listClients(
  scope: DataScope,
  organisationId: string,
): Promise<{ organisation: string; clients: ApiClientRow[] }> {
  const org = await scope.tx
    .selectFrom('organisation')
    .select('name')
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
  const rows = await scope.tx
    .selectFrom('api_client')
    .select(['id', 'name', 'client_id', 'created_at', 'last_used_at', 'revoked_at'])
    .where('organisation_id', '=', organisationId)
    .orderBy('revoked_at', (ob) => ob.desc().nullsFirst())
    .orderBy('created_at', 'desc')
    .execute();
  return {
    organisation: org.name,
    clients: rows.map((r) => ({
      id: r.id,
      name: r.name,
      clientId: r.client_id,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    })),
  };
}

export function registerApiClientRoutes(app: FastifyInstance, tokens: TokenCache): void {
  app.get(LIST, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const view = await req.withData((scope) => listClients(scope, p.organisationId));
    const revoked = (req.query as Record<string, unknown>).revoked === '1';
    return sendPage(reply, <ApiClientsPage ctx={pageContext(req)} {...view} revoked={revoked} />);
  });

  app.post(LIST, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const ctx = pageContext(req);
    const parsed = createBody.safeParse(req.body);
    const name = parsed.success ? parsed.data.name.trim().replace(/\s+/g, ' ') : '';
    if (name.length < 1 || name.length > 100) {
      const view = await req.withData((scope) => listClients(scope, p.organisationId));
      const errors = [{ field: 'client-name', message: ctx.t('apiClients.errors.name') }];
      return sendPage(reply, <ApiClientsPage ctx={ctx} {...view} name={name.slice(0, 100)} errors={errors} />, 400);
    }
    const clientId = newClientId();
    const secret = newSecret();
    await req.withData(async (scope) => {
      const row = await scope.tx
        .insertInto('api_client')
        .values({
          organisation_id: p.organisationId,
          name,
          client_id: clientId,
          secret_hash: sha256(secret),
          created_by: p.staffId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await scope.audit({ event: 'api-client.create', action: 'C', resourceType: 'api_client', resourceId: row.id });
    });
    // Shown in this response only (no redirect): the secret is never stored anywhere it could be shown again.
    return sendPage(
      reply,
      <CreatedPage
        ctx={ctx}
        name={name}
        clientId={clientId}
        secret={secret}
        publicUrl={req.server.koepel.config.publicUrl}
      />,
    );
  });

  app.get(`${LIST}/:id/revoke`, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const client = await req.withData(({ tx }) =>
      tx
        .selectFrom('api_client')
        .select(['id', 'name'])
        .where('id', '=', params.data.id)
        .where('organisation_id', '=', p.organisationId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    if (!client) throw new HttpError(404, 'notFound');
    return sendPage(reply, <RevokePage ctx={pageContext(req)} id={client.id} name={client.name} />);
  });

  app.post(`${LIST}/:id/revoke`, async (req, reply) => {
    const p = requireStaff(req, PERMISSIONS.adminApiClients);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'notFound');
    const id = params.data.id;
    const revoked = await req.withData(async (scope) => {
      const row = await scope.tx
        .updateTable('api_client')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .where('organisation_id', '=', p.organisationId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!row) return false;
      await scope.audit({ event: 'api-client.revoke', action: 'U', resourceType: 'api_client', resourceId: id });
      // Every node forgets the client's tokens when this commits (this one too; and forgetClient below at once).
      await notify(scope.tx, CLIENT_REVOKED_CHANNEL, id);
      return true;
    });
    if (!revoked) throw new HttpError(404, 'notFound');
    tokens.forgetClient(id);
    // Its tokens go too. (A revoked client's tokens are refused anyway: the token check requires an active client.)
    // The token table is readable only by the api-auth system principal, which therefore deletes them.
    await req.withSystem('api-auth', ({ tx }) => tx.deleteFrom('api_token').where('api_client_id', '=', id).execute());
    return reply.redirect(`${LIST}?revoked=1`, 303);
  });
}
