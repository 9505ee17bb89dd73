// MG-7 routes.
//   Citizen: GET /record-requests (overview: what each care provider shows, own requests and answers),
//            GET /record-requests/new/{organisation id} (form), POST /record-requests.
//   Staff (record:requests): GET /staff/record-requests (open requests), GET /staff/record-requests/{id},
//            POST /staff/record-requests/{id}/grant, POST /staff/record-requests/{id}/decline.
// Every form posts its CSRF token (checked by the request context). Bad input re-renders the form with a 400 and
// stores nothing; an organisation that is not the citizen's care provider, or a request of another organisation,
// is a 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { FieldError } from '../platform/web/components/index.js';
import { PERMISSIONS, requireCitizen, requireStaff } from '../platform/auth/permissions.js';
import {
  auditCitizenView,
  citizenRequests,
  createRequest,
  decide,
  DecisionRefused,
  openRequests,
  providerOffers,
  requestForStaff,
  type CreateError,
  type DecisionError,
} from './requests.js';
import { CitizenRequestsPage, RequestFormPage, StaffRequestPage, StaffRequestsPage } from './views.js';

const uuid = z.uuid();
/** One or more values of a repeated form field (checkboxes); absent means none. */
const many = z
  .union([z.string().max(40), z.array(z.string().max(40)).max(20)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
// Longer than a note may be, so that a too long note gets its own clear message (requests.ts checks NOTE_MAX).
const text = z.string().max(20_000).optional().default('');

const requestBody = z.object({ organisation: z.string().max(64), categories: many, note: text });
const grantBody = z.object({ categories: many, response: text });
const declineBody = z.object({ reason: text });

/** A refused request: thrown inside the transaction so that its audit record is rolled back with it. */
class Refused extends Error {
  constructor(readonly reason: CreateError) {
    super(reason);
  }
}

export function registerRecordRequestRoutes(app: FastifyInstance): void {
  // ----- citizen -----------------------------------------------------------------------------------------------
  app.get('/record-requests', async (req, reply) => {
    const citizen = requireCitizen(req);
    const data = await req.withData(async (scope) => {
      await auditCitizenView(scope, citizen);
      return { offers: await providerOffers(scope, citizen), requests: await citizenRequests(scope, citizen) };
    });
    const sent = (req.query as { sent?: unknown }).sent === '1';
    return sendPage(reply, <CitizenRequestsPage ctx={pageContext(req)} {...data} sent={sent} />);
  });

  app.get<{ Params: { organisationId: string } }>('/record-requests/new/:organisationId', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = uuid.safeParse(req.params.organisationId);
    if (!id.success) throw new HttpError(404, 'notFound');
    const offer = await req.withData(async (scope) => {
      await auditCitizenView(scope, citizen);
      return (await providerOffers(scope, citizen)).find((o) => o.organisationId === id.data);
    });
    if (!offer) throw new HttpError(404, 'notFound');
    return sendPage(reply, <RequestFormPage ctx={pageContext(req)} offer={offer} />);
  });

  app.post('/record-requests', async (req, reply) => {
    const citizen = requireCitizen(req);
    const body = requestBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'badRequest');
    const organisationId = uuid.safeParse(body.data.organisation);
    if (!organisationId.success) throw new HttpError(404, 'notFound');
    const input = { organisationId: organisationId.data, categories: body.data.categories, note: body.data.note };
    let refused: CreateError | null = null;
    try {
      await req.withData(async (scope) => {
        const result = await createRequest(scope, citizen, input);
        if (!result.ok) throw new Refused(result.error);
      });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      refused = err.reason;
    }
    if (refused === null) return reply.redirect('/record-requests?sent=1', 303);
    if (refused === 'no-provider') throw new HttpError(404, 'notFound');

    const ctx = pageContext(req);
    const offer = await req.withData(async (scope) => {
      await auditCitizenView(scope, citizen);
      return (await providerOffers(scope, citizen)).find((o) => o.organisationId === input.organisationId);
    });
    if (!offer) throw new HttpError(404, 'notFound');
    const first = `category-${offer.askable[0] ?? 'lab'}`;
    const messages: Record<Exclude<CreateError, 'no-provider'>, FieldError> = {
      categories: { field: first, message: ctx.t('recordRequests.errors.categories') },
      note: { field: 'note', message: ctx.t('recordRequests.errors.note') },
      'open-exists': { field: first, message: ctx.t('recordRequests.errors.openExists') },
    };
    return sendPage(
      reply,
      <RequestFormPage
        ctx={ctx}
        offer={offer}
        values={{ categories: input.categories, note: input.note.slice(0, 20_000) }}
        errors={[messages[refused]]}
      />,
      refused === 'open-exists' ? 409 : 400,
    );
  });

  // ----- staff -------------------------------------------------------------------------------------------------
  app.get('/staff/record-requests', async (req, reply) => {
    requireStaff(req, PERMISSIONS.recordRequests);
    const rows = await req.withData((scope) => openRequests(scope));
    const handled = (req.query as { handled?: unknown }).handled;
    return sendPage(
      reply,
      <StaffRequestsPage
        ctx={pageContext(req)}
        rows={rows}
        handled={handled === 'granted' || handled === 'declined' ? handled : null}
      />,
    );
  });

  app.get<{ Params: { id: string } }>('/staff/record-requests/:id', async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.recordRequests);
    const id = uuid.safeParse(req.params.id);
    if (!id.success) throw new HttpError(404, 'notFound');
    const request = await req.withData((scope) => requestForStaff(scope, staff, id.data));
    if (!request) throw new HttpError(404, 'notFound');
    return sendPage(
      reply,
      <StaffRequestPage
        ctx={pageContext(req)}
        request={request}
        canOpenRecord={staff.permissions.includes(PERMISSIONS.recordRead)}
      />,
    );
  });

  for (const kind of ['grant', 'decline'] as const) {
    app.post<{ Params: { id: string } }>(`/staff/record-requests/:id/${kind}`, async (req, reply) => {
      const staff = requireStaff(req, PERMISSIONS.recordRequests);
      const id = uuid.safeParse(req.params.id);
      if (!id.success) throw new HttpError(404, 'notFound');
      const grant = grantBody.safeParse(req.body);
      const decline = declineBody.safeParse(req.body);
      if ((kind === 'grant' && !grant.success) || (kind === 'decline' && !decline.success)) {
        throw new HttpError(400, 'badRequest');
      }
      const values = {
        categories: grant.data?.categories ?? [],
        response: grant.data?.response ?? '',
        reason: decline.data?.reason ?? '',
      };
      let refused: DecisionError | null = null;
      try {
        await req.withData((scope) =>
          decide(
            scope,
            staff,
            id.data,
            kind === 'grant'
              ? { kind, categories: values.categories, response: values.response }
              : { kind, reason: values.reason },
          ),
        );
      } catch (err) {
        if (!(err instanceof DecisionRefused)) throw err;
        refused = err.reason;
      }
      if (refused === null) {
        return reply.redirect(`/staff/record-requests?handled=${kind === 'grant' ? 'granted' : 'declined'}`, 303);
      }
      if (refused === 'not-found') throw new HttpError(404, 'notFound');

      const request = await req.withData((scope) => requestForStaff(scope, staff, id.data));
      if (!request) throw new HttpError(404, 'notFound');
      const ctx = pageContext(req);
      const messages: Record<Exclude<DecisionError, 'not-found'>, [string, MessageKey]> = {
        categories: [`grant-${request.categories[0] ?? 'lab'}`, 'recordRequests.staff.errors.categories'],
        response: ['response', 'recordRequests.staff.errors.response'],
        reason: ['reason', 'recordRequests.staff.errors.reason'],
        handled: ['main', 'recordRequests.staff.errors.handled'],
      };
      const [field, message] = messages[refused];
      return sendPage(
        reply,
        <StaffRequestPage
          ctx={ctx}
          request={request}
          canOpenRecord={staff.permissions.includes(PERMISSIONS.recordRead)}
          values={{ ...values, response: values.response.slice(0, 5000), reason: values.reason.slice(0, 5000) }}
          errors={[{ field, message: ctx.t(message) }]}
        />,
        refused === 'handled' ? 409 : 400,
      );
    });
  }
}
