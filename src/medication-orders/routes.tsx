// Repeat medication (MG-8; MG-1: only at organisations that switched 'repeat-medication' on).
//   Citizen: GET  /repeat-medication                   what can be ordered where, and the citizen's orders
//            GET  /repeat-medication/new/{org}         the order form (a fresh idempotency key)
//            POST /repeat-medication                   place → 303 /repeat-medication/{id}?notice=sent
//            GET  /repeat-medication/{id}              the order, its status and history (who, when, why)
//            POST /repeat-medication/{id}/cancel       while nobody has handled it
//   Staff (medication:orders):
//            GET  /staff/medication-orders[?view=closed]   the organisation's inbox
//            GET  /staff/medication-orders/{id}            one order, with the actions its status allows
//            POST /staff/medication-orders/{id}/status     approve, refuse (reason), question, ready, sent, delivered
// URLs carry opaque ids only; free text travels in POST bodies. Every page audits before it reads; every form
// carries the CSRF token. Anything not the principal's — another citizen's order, another organisation's, an
// organisation without a relationship or without repeat medication, a malformed id — is a 404. A refusal rolls the
// whole transaction back and re-renders the form with a clear message.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PERMISSIONS, requireCitizen, requireStaff } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { FieldError } from '../platform/web/components/index.js';
import {
  askQuestion,
  auditOrderView,
  changeStatus,
  citizenOrder,
  questionConversation,
  citizenOrders,
  CLOSED_STATUSES,
  normaliseText,
  OPEN_STATUSES,
  ORDER_STATUSES,
  orderByKey,
  orderOffers,
  OrderRefused,
  placeOrder,
  staffOrder,
  staffOrders,
  type OrderStatus,
  type Refusal,
} from './orders.js';
import {
  OrderFormPage,
  OrderPage,
  OverviewPage,
  StaffOrderPage,
  StaffOrdersPage,
  type OrderFormValues,
} from './views.js';

const uuid = z.uuid().transform((v) => v.toLowerCase());
const many = z
  .union([z.string().max(64), z.array(z.string().max(64)).max(50)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
// Longer than a text may be, so that a too long one gets its own clear message.
const text = z.string().max(20_000).optional().default('');

const orderBody = z.object({
  organisation: z.string().max(64),
  key: z.string().max(64),
  medicines: many,
  delivery: z.string().max(20).optional().default('pickup'),
  note: text,
});
const statusBody = z.object({
  status: z.enum(ORDER_STATUSES),
  version: z.string().regex(/^\d{1,9}$/),
  text,
});

const notFound = () => new HttpError(404, 'notFound');

function idOf(v: unknown): string {
  const parsed = uuid.safeParse(v);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

/** Runs a domain action; its refusal comes back as a value (the transaction has rolled back). */
async function attempt<R>(fn: () => Promise<R>): Promise<{ ok: true; value: R } | { ok: false; reason: Refusal }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof OrderRefused) return { ok: false, reason: err.reason };
    throw err;
  }
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === '23505';

function orderErrors(req: FastifyRequest, reason: Refusal, firstMedicine: string): FieldError[] {
  const { t } = pageContext(req);
  switch (reason) {
    case 'no-items':
      return [{ field: `medicine-${firstMedicine}`, message: t('medicationOrders.errors.items') }];
    case 'too-many':
      return [{ field: `medicine-${firstMedicine}`, message: t('medicationOrders.errors.tooMany') }];
    case 'not-repeatable':
      return [{ field: `medicine-${firstMedicine}`, message: t('medicationOrders.errors.notRepeatable') }];
    case 'note':
      return [{ field: 'note', message: t('medicationOrders.errors.note') }];
    case 'delivery':
      return [{ field: 'delivery-pickup', message: t('medicationOrders.errors.delivery') }];
    default:
      throw notFound();
  }
}

export function registerMedicationOrderRoutes(app: FastifyInstance): void {
  // ----- citizen -----------------------------------------------------------------------------------------------
  app.get('/repeat-medication', async (req, reply) => {
    const citizen = requireCitizen(req);
    const data = await req.withData(async (scope) => {
      await auditOrderView(scope, citizen);
      return { offers: await orderOffers(scope, citizen), orders: await citizenOrders(scope, citizen) };
    });
    const notice = (req.query as { notice?: unknown }).notice === 'cancelled' ? 'cancelled' : null;
    return sendPage(reply, <OverviewPage ctx={pageContext(req)} {...data} notice={notice} />);
  });

  app.get<{ Params: { organisationId: string } }>('/repeat-medication/new/:organisationId', async (req, reply) => {
    const citizen = requireCitizen(req);
    const org = idOf(req.params.organisationId);
    const offer = await req.withData(async (scope) => {
      await auditOrderView(scope, citizen, 'medication.order.form');
      return (await orderOffers(scope, citizen)).find((o) => o.organisationId === org);
    });
    if (!offer || offer.medicines.length === 0) throw notFound();
    const values: OrderFormValues = { medicines: [], delivery: 'pickup', note: '', key: randomUUID() };
    return sendPage(reply, <OrderFormPage ctx={pageContext(req)} offer={offer} values={values} />);
  });

  app.post('/repeat-medication', async (req, reply) => {
    const citizen = requireCitizen(req);
    const body = orderBody.safeParse(req.body ?? {});
    if (!body.success) throw new HttpError(400, 'badRequest');
    const org = idOf(body.data.organisation);
    const key = uuid.safeParse(body.data.key);
    if (!key.success) throw new HttpError(400, 'badRequest');
    const delivery = body.data.delivery === 'delivery' ? 'delivery' : body.data.delivery === 'pickup' ? 'pickup' : null;
    const values: OrderFormValues = {
      medicines: body.data.medicines,
      delivery: delivery ?? 'pickup',
      note: body.data.note.slice(0, 20_000),
      key: key.data,
    };
    let result: Awaited<ReturnType<typeof attempt<{ id: string; repeated: boolean }>>>;
    try {
      result = await attempt(() =>
        req.withData(async (scope) => {
          if (delivery === null) throw new OrderRefused('delivery');
          // Every id must at least look like one: anything else cannot be a repeatable medicine.
          if (body.data.medicines.some((m) => !uuid.safeParse(m).success)) throw new OrderRefused('not-repeatable');
          return placeOrder(scope, citizen, {
            organisationId: org,
            resourceIds: body.data.medicines.map((m) => m.toLowerCase()),
            note: body.data.note,
            delivery,
            idempotencyKey: key.data,
          });
        }),
      );
    } catch (err) {
      // A double submit that raced the first past its check: the unique index refused it; show the first order.
      if (!isUniqueViolation(err)) throw err;
      const first = await req.withData(async (scope) => {
        await auditOrderView(scope, citizen, 'medication.order.read');
        return orderByKey(scope, citizen, key.data);
      });
      if (!first) throw err;
      return reply.redirect(`/repeat-medication/${first}?notice=sent`, 303);
    }
    if (result.ok) return reply.redirect(`/repeat-medication/${result.value.id}?notice=sent`, 303);
    // Shown again with what was wrong; nothing was stored (the transaction rolled back).
    const offer = await req.withData(async (scope) => {
      await auditOrderView(scope, citizen, 'medication.order.form');
      return (await orderOffers(scope, citizen)).find((o) => o.organisationId === org);
    });
    if (!offer || offer.medicines.length === 0 || result.reason === 'not-allowed') throw notFound();
    const errors = orderErrors(req, result.reason, offer.medicines[0]?.resourceId ?? 'none');
    const shown = {
      ...values,
      medicines: values.medicines.filter((m) => offer.medicines.some((x) => x.resourceId === m)),
    };
    return sendPage(reply, <OrderFormPage ctx={pageContext(req)} offer={offer} values={shown} errors={errors} />, 400);
  });

  app.get<{ Params: { id: string } }>('/repeat-medication/:id', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = idOf(req.params.id);
    const found = await req.withData(async (scope) => {
      const order = await citizenOrder(scope, citizen, id);
      if (!order) return null;
      return { order, conversationId: order.status === 'question' ? await questionConversation(scope, id) : null };
    });
    if (!found) throw notFound();
    const sent = (req.query as { notice?: unknown }).notice === 'sent';
    return sendPage(
      reply,
      <OrderPage ctx={pageContext(req)} order={found.order} sent={sent} conversationId={found.conversationId} />,
    );
  });

  app.post<{ Params: { id: string } }>('/repeat-medication/:id/cancel', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = idOf(req.params.id);
    const result = await attempt(() =>
      req.withData(async (scope) => {
        const order = await citizenOrder(scope, citizen, id);
        if (!order) throw new OrderRefused('not-found');
        await scope.audit({
          event: 'medication.order.cancel',
          action: 'U',
          citizenId: citizen.citizenId,
          resourceType: 'medication-order',
          resourceId: id,
        });
        return changeStatus(scope, order, { status: 'cancelled' });
      }),
    );
    if (result.ok) return reply.redirect('/repeat-medication?notice=cancelled', 303);
    if (result.reason === 'not-found') throw notFound();
    // Handled meanwhile: the order page shows what it is now.
    return reply.redirect(`/repeat-medication/${id}`, 303);
  });

  // ----- staff -------------------------------------------------------------------------------------------------
  app.get('/staff/medication-orders', async (req, reply) => {
    requireStaff(req, PERMISSIONS.medicationOrders);
    const view = (req.query as { view?: unknown }).view === 'closed' ? 'closed' : 'open';
    const rows = await req.withData((scope) => staffOrders(scope, view === 'open' ? OPEN_STATUSES : CLOSED_STATUSES));
    return sendPage(reply, <StaffOrdersPage ctx={pageContext(req)} view={view} rows={rows} />);
  });

  app.get<{ Params: { id: string } }>('/staff/medication-orders/:id', async (req, reply) => {
    requireStaff(req, PERMISSIONS.medicationOrders);
    const id = idOf(req.params.id);
    const order = await req.withData((scope) => staffOrder(scope, id));
    if (!order) throw notFound();
    const raw = (req.query as { notice?: unknown }).notice;
    const notice = (ORDER_STATUSES as readonly unknown[]).includes(raw) ? (raw as OrderStatus) : null;
    return sendPage(reply, <StaffOrderPage ctx={pageContext(req)} order={order} notice={notice} />);
  });

  app.post<{ Params: { id: string } }>('/staff/medication-orders/:id/status', async (req, reply) => {
    requireStaff(req, PERMISSIONS.medicationOrders);
    const id = idOf(req.params.id);
    const body = statusBody.safeParse(req.body ?? {});
    if (!body.success) throw new HttpError(400, 'badRequest');
    const { status, version } = body.data;
    const written = normaliseText(body.data.text);
    const result = await attempt(() =>
      req.withData(async (scope) => {
        const order = await staffOrder(scope, id, 'medication.order.update');
        if (!order) throw new OrderRefused('not-found');
        const change = { status, text: written === '' ? null : written, ifVersion: Number(version) };
        return status === 'question'
          ? askQuestion(scope, order, written, change.ifVersion)
          : changeStatus(scope, order, change).then((r) => ({ version: r.version }));
      }),
    );
    if (result.ok) return reply.redirect(`/staff/medication-orders/${id}?notice=${status}`, 303);
    if (result.reason === 'not-found') throw notFound();
    const ctx = pageContext(req);
    const order = await req.withData((scope) => staffOrder(scope, id));
    if (!order) throw notFound();
    if (
      result.reason === 'text' &&
      (status === 'refused' || status === 'question') &&
      order.version === Number(version)
    ) {
      const field = status === 'refused' ? 'reason' : 'question';
      const values = { reason: status === 'refused' ? written : '', question: status === 'question' ? written : '' };
      const errors = [{ field, message: ctx.t('medicationOrders.staff.errors.text') }];
      return sendPage(reply, <StaffOrderPage ctx={ctx} order={order} values={values} errors={errors} />, 400);
    }
    // Changed meanwhile (a colleague, the system), or a status this order cannot take now.
    return sendPage(reply, <StaffOrderPage ctx={ctx} order={order} notice="changed" />, 409);
  });
}
