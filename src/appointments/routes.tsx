// The citizen's appointments (MG-6; MG-1: only at organisations that switched 'appointments' on).
//   GET  /appointments                          one list: planned and past, Koepel's and the provider systems'
//   GET  /appointments/new                      the emergency notice, then: which care provider
//   GET  /appointments/new/staff?org            which staff member, or "no preference"
//   GET  /appointments/new/type?org&staff       which kind of appointment
//   GET  /appointments/new/time?org&staff&type[&week][&day]   a week, a day, a free time
//   GET  /appointments/new/details?…&day&time|slot           reason and reminder
//   POST /appointments/new/details              the same form again, filled in (from the summary)
//   POST /appointments/new/confirm              the summary, with a fresh idempotency key
//   POST /appointments                          book → 303 /appointments/:id
//   GET  /appointments/:id                      details; change, cancel, reminder
//   GET  /appointments/:id/change[?week&day]    another free time; GET …/change/confirm?day&time; POST …/move
//   GET  /appointments/:id/cancel               confirm; POST …/cancel
//   POST /appointments/:id/reminder
//   GET  /appointments/:id/afspraak.ics         RFC 5545
// URLs carry ids, dates and times only; the reason travels in POST bodies. Every page audits before it reads; every
// form carries the CSRF token (checked by the request context). Anything not the citizen's — another citizen's
// appointment, an organisation without an active relationship or without appointments, another organisation's
// type or staff member, a malformed id — is a 404. A refusal rolls the whole transaction back (booking.ts).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireCitizen } from '../platform/auth/permissions.js';
import type { Principal } from '../platform/db/principal.js';
import { HttpError } from '../platform/http/errors.js';
import { notesAbout, NotesHere } from '../private-notes/index.js';
import { pageContext, sendPage, type DataScope } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { FieldError } from '../platform/web/components/index.js';
import { appointmentType, type AppointmentType } from './agenda.js';
import {
  AppointmentRefused,
  bookAppointment,
  cancelAppointment,
  moveAppointment,
  REASON_MAX,
  REMINDER_CHOICES,
  setReminder,
  type Refusal,
} from './booking.js';
import { isCalendarDate, whenText } from './calendar.js';
import {
  auditBookingView,
  bookableOrganisations,
  bookingByKey,
  findChoice,
  organisationOffer,
  typesFor,
  weekOfTimes,
  type OrganisationOffer,
} from './flow.js';
import { appointmentIcs } from './ics.js';
import { appointmentOverview } from './overview.js';
import { atLocal } from './slots.js';
import { citizenAppointment, type CitizenAppointment } from './queries.js';
import {
  AppointmentPage,
  CancelConfirmPage,
  ChooseOrganisationPage,
  ChooseStaffPage,
  ChooseTimePage,
  ChooseTypePage,
  ConfirmPage,
  DetailsPage,
  MoveConfirmPage,
  OverviewPage,
  withQuery,
  type AppointmentNotice,
  type DetailsValues,
  type FlowParams,
  type Selection,
} from './views.js';

type Citizen = Extract<Principal, { kind: 'citizen' }>;

const uuid = z.uuid().transform((v) => v.toLowerCase());
const date = z.string().max(10).refine(isCalendarDate);
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const staffParam = z.union([z.literal('any'), uuid]);

const flowQuery = z.object({
  org: uuid,
  staff: staffParam.optional(),
  type: uuid.optional(),
  week: date.optional(),
  day: date.optional(),
  time: time.optional(),
  slot: uuid.optional(),
});
type Flow = z.infer<typeof flowQuery>;

// Longer than a reason may be, so that a too long one gets its own message (booking.ts checks REASON_MAX).
const detailsBody = z.object({
  reason: z.string().max(20_000).optional().default(''),
  reminder: z.string().max(10).optional().default('none'),
});
const bookBody = detailsBody.extend({ key: uuid });
const moveBody = z.object({ day: date, time });
const reminderBody = z.object({ reminder: z.string().max(10) });
const changeQuery = z.object({ week: date.optional(), day: date.optional() });

const notFound = () => new HttpError(404, 'notFound');

/** Query or form values; anything malformed is simply not found. */
function parse<S extends z.ZodType>(schema: S, v: unknown): z.infer<S> {
  const parsed = schema.safeParse(v ?? {});
  if (!parsed.success) throw notFound();
  return parsed.data;
}

/** A reason as the booking counts it: CRLF as one character (the browser's maxlength does the same). */
const reasonLength = (reason: string) => reason.replace(/\r\n?/g, '\n').trim().length;

function reminderMinutes(v: string): number | null | undefined {
  if (v === 'none') return null;
  const n = Number(v);
  return (REMINDER_CHOICES as readonly number[]).includes(n) ? n : undefined;
}

/** The flow's organisation, staff member and type, checked against what the citizen may book now. */
async function flowContext(
  scope: DataScope,
  citizen: Citizen,
  flow: Flow,
  now: Date,
): Promise<{ offer: OrganisationOffer; staffId: string | null; type: AppointmentType | null }> {
  await auditBookingView(scope, citizen);
  const offer = await organisationOffer(scope, citizen, flow.org, now);
  if (!offer) throw notFound();
  const staffId = flow.staff === undefined || flow.staff === 'any' ? null : flow.staff;
  if (staffId !== null && !offer.staff.some((s) => s.id === staffId)) throw notFound();
  let type: AppointmentType | null = null;
  if (flow.type) {
    type = typesFor(offer, staffId).find((t) => t.id === flow.type) ?? null;
    if (!type) throw notFound();
  }
  return { offer, staffId, type };
}

function flowParams(flow: Flow, staffId: string | null, type: AppointmentType): FlowParams {
  return { org: flow.org, staff: staffId ?? 'any', type: type.id };
}

/** The time page of the booking flow, possibly with why the chosen time could not be booked. */
async function timePage(
  req: FastifyRequest,
  scope: DataScope,
  citizen: Citizen,
  flow: Flow,
  now: Date,
  message?: MessageKey,
): Promise<JSX.Element> {
  const ctx = pageContext(req);
  const { t } = ctx;
  const { offer, staffId, type } = await flowContext(scope, citizen, flow, now);
  if (!type) throw notFound();
  const o = offer.organisation;
  const week = await weekOfTimes(
    scope,
    { organisationId: o.id, agenda: o.agenda, type, staffId, week: flow.week ?? flow.day ?? null },
    now,
  );
  if (!week) throw notFound();
  const params = flowParams(flow, staffId, type);
  const staff = offer.staff.find((s) => s.id === staffId) ?? null;
  return (
    <ChooseTimePage
      ctx={ctx}
      title={t('appointments.time.title')}
      intro={t('appointments.time.intro', {
        type: type.name,
        minutes: t('appointments.minutes', { count: type.durationMinutes }),
        who: staff?.name ?? t('appointments.new.anyone').toLowerCase(),
        organisation: o.name,
      })}
      step={{ n: o.agenda === 'external' ? 3 : 4, total: o.agenda === 'external' ? 5 : 6 }}
      organisation={o}
      week={week}
      day={flow.day ?? null}
      base="/appointments/new/time"
      baseParams={{ ...params }}
      action="/appointments/new/details"
      hidden={{ ...params }}
      back={{
        href: withQuery('/appointments/new/type', { org: o.id, staff: params.staff }),
        label: t('appointments.new.backType'),
      }}
      {...(message ? { message: t(message) } : {})}
    />
  );
}

/** The chosen organisation, staff, type and free time, read again now; null when the time is no longer free. */
async function selection(scope: DataScope, citizen: Citizen, flow: Flow, now: Date): Promise<Selection | null> {
  const { offer, staffId, type } = await flowContext(scope, citizen, flow, now);
  if (!type || !flow.day) throw notFound();
  const o = offer.organisation;
  if (o.agenda === 'external' ? !flow.slot : !flow.time) throw notFound();
  const choice = await findChoice(
    scope,
    {
      organisationId: o.id,
      agenda: o.agenda,
      type,
      staffId,
      day: flow.day,
      time: flow.time ?? null,
      slotId: flow.slot ?? null,
    },
    now,
  );
  if (!choice) return null;
  return {
    organisation: o,
    staff: offer.staff.find((s) => s.id === staffId) ?? null,
    type,
    choice,
    params: {
      ...flowParams(flow, staffId, type),
      day: choice.day,
      time: choice.slotId ? null : choice.time,
      slot: choice.slotId,
    },
  };
}

const TIME_REFUSALS: Partial<Record<Refusal, { message: MessageKey; status: number }>> = {
  taken: { message: 'appointments.time.taken', status: 409 },
  past: { message: 'appointments.time.past', status: 409 },
  horizon: { message: 'appointments.time.horizon', status: 400 },
};

/** Runs a domain action; its refusal comes back as a value (the transaction has rolled back). */
async function attempt<R>(fn: () => Promise<R>): Promise<{ ok: true; value: R } | { ok: false; reason: Refusal }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof AppointmentRefused) return { ok: false, reason: err.reason };
    throw err;
  }
}

async function ownAppointment(
  scope: DataScope,
  citizen: Citizen,
  id: string,
  opts: { event?: string; withReason?: boolean } = {},
): Promise<CitizenAppointment & { reason: string | null }> {
  const a = await citizenAppointment(scope, citizen.citizenId, id, opts);
  if (!a) throw notFound();
  return a;
}

/** The organisation of an appointment as the booking pages show it (for the emergency notice and the rules). */
async function organisationOf(scope: DataScope, citizen: Citizen, a: CitizenAppointment) {
  const o = (await bookableOrganisations(scope, citizen)).find((x) => x.id === a.organisationId);
  if (!o) throw notFound();
  return o;
}

/** The move flow's time page: the appointment's own type and staff member, its own time left out. */
async function moveTimePage(
  req: FastifyRequest,
  scope: DataScope,
  citizen: Citizen,
  id: string,
  q: { week?: string | undefined; day?: string | undefined },
  now: Date,
  message?: MessageKey,
): Promise<JSX.Element> {
  const ctx = pageContext(req);
  const { t } = ctx;
  const a = await ownAppointment(scope, citizen, id, { event: 'appointment.move.view', withReason: false });
  if (a.staffId === null || a.status !== 'booked' || now.getTime() > a.changeUntil.getTime()) throw notFound();
  const o = await organisationOf(scope, citizen, a);
  const type = await appointmentType(scope.tx, a.organisationId, a.typeId);
  if (!type) throw notFound();
  const week = await weekOfTimes(
    scope,
    {
      organisationId: o.id,
      agenda: 'koepel',
      type,
      staffId: a.staffId,
      week: q.week ?? q.day ?? null,
      except: { id: a.id, start: a.start },
    },
    now,
  );
  if (!week) throw notFound();
  return (
    <ChooseTimePage
      ctx={ctx}
      title={t('appointments.move.title')}
      intro={t('appointments.move.intro', {
        type: a.typeName,
        minutes: t('appointments.minutes', { count: type.durationMinutes }),
        who: a.staffName ?? '',
        organisation: o.name,
        when: whenText(ctx.lang, a.start, a.end),
      })}
      step={null}
      organisation={o}
      week={week}
      day={q.day ?? null}
      base={`/appointments/${a.id}/change`}
      baseParams={{}}
      action={`/appointments/${a.id}/change/confirm`}
      hidden={{}}
      back={{ href: `/appointments/${a.id}`, label: t('appointments.cancel.back') }}
      {...(message ? { message: t(message) } : {})}
    />
  );
}

const NOTICES: readonly AppointmentNotice[] = ['made', 'requested', 'changed', 'reminder'];

function appointmentId(v: unknown): string {
  return parse(uuid, v);
}

async function send(reply: FastifyReply, page: JSX.Element, status = 200) {
  return sendPage(reply, page, status);
}

export function registerAppointmentRoutes(app: FastifyInstance): void {
  app.get('/appointments', async (req, reply) => {
    const citizen = requireCitizen(req);
    const ctx = pageContext(req);
    const now = new Date();
    const data = await req.withData(async (scope) => {
      const overview = await appointmentOverview(ctx, scope, citizen, now);
      return { ...overview, canBook: (await bookableOrganisations(scope, citizen)).length > 0 };
    });
    const cancelled = (req.query as { cancelled?: unknown }).cancelled === '1';
    return send(reply, <OverviewPage ctx={ctx} {...data} notice={cancelled ? 'cancelled' : null} />);
  });

  // ----- booking -------------------------------------------------------------------------------------------------
  app.get('/appointments/new', async (req, reply) => {
    const citizen = requireCitizen(req);
    const organisations = await req.withData(async (scope) => {
      await auditBookingView(scope, citizen);
      return bookableOrganisations(scope, citizen);
    });
    return send(reply, <ChooseOrganisationPage ctx={pageContext(req)} organisations={organisations} />);
  });

  app.get('/appointments/new/staff', async (req, reply) => {
    const citizen = requireCitizen(req);
    const flow = parse(flowQuery, req.query);
    const { offer } = await req.withData((scope) => flowContext(scope, citizen, flow, new Date()));
    // The organisation's own system names who: there is no staff member to choose.
    if (offer.organisation.agenda === 'external') {
      return reply.redirect(withQuery('/appointments/new/type', { org: flow.org, staff: 'any' }), 303);
    }
    return send(reply, <ChooseStaffPage ctx={pageContext(req)} offer={offer} />);
  });

  app.get('/appointments/new/type', async (req, reply) => {
    const citizen = requireCitizen(req);
    const flow = parse(flowQuery, req.query);
    if (flow.staff === undefined) throw notFound();
    const { offer, staffId } = await req.withData((scope) => flowContext(scope, citizen, flow, new Date()));
    const staff = offer.staff.find((s) => s.id === staffId) ?? null;
    return send(
      reply,
      <ChooseTypePage ctx={pageContext(req)} offer={offer} staff={staff} types={typesFor(offer, staffId)} />,
    );
  });

  app.get('/appointments/new/time', async (req, reply) => {
    const citizen = requireCitizen(req);
    const flow = parse(flowQuery, req.query);
    if (flow.staff === undefined || flow.type === undefined) throw notFound();
    const page = await req.withData((scope) => timePage(req, scope, citizen, flow, new Date()));
    return send(reply, page);
  });

  app.get('/appointments/new/details', async (req, reply) => {
    const citizen = requireCitizen(req);
    const flow = parse(flowQuery, req.query);
    const now = new Date();
    const result = await req.withData(async (scope) => {
      const s = await selection(scope, citizen, flow, now);
      if (!s) return { status: 409, page: await timePage(req, scope, citizen, flow, now, 'appointments.time.taken') };
      const values = { reason: '', reminder: 'none' };
      return { status: 200, page: <DetailsPage ctx={pageContext(req)} selection={s} values={values} /> };
    });
    return send(reply, result.page, result.status);
  });

  // From the summary: the same form, filled in (the reason stays out of the URL).
  app.post('/appointments/new/details', async (req, reply) => {
    const citizen = requireCitizen(req);
    const flow = parse(flowQuery, req.body);
    const body = parse(detailsBody, req.body);
    const now = new Date();
    const values: DetailsValues = { reason: body.reason.slice(0, 20_000), reminder: body.reminder };
    const result = await req.withData(async (scope) => {
      const s = await selection(scope, citizen, flow, now);
      if (!s) return { status: 409, page: await timePage(req, scope, citizen, flow, now, 'appointments.time.taken') };
      return { status: 200, page: <DetailsPage ctx={pageContext(req)} selection={s} values={values} /> };
    });
    return send(reply, result.page, result.status);
  });

  app.post('/appointments/new/confirm', async (req, reply) => {
    const citizen = requireCitizen(req);
    const flow = parse(flowQuery, req.body);
    const body = parse(detailsBody, req.body);
    const now = new Date();
    const ctx = pageContext(req);
    const errors: FieldError[] = [];
    if (reasonLength(body.reason) > REASON_MAX) {
      errors.push({ field: 'reason', message: ctx.t('appointments.details.errors.reason') });
    }
    if (reminderMinutes(body.reminder) === undefined) {
      errors.push({ field: 'reminder-none', message: ctx.t('appointments.details.errors.reminder') });
    }
    const values: DetailsValues = {
      reason: body.reason.slice(0, 20_000),
      reminder: reminderMinutes(body.reminder) === undefined ? 'none' : body.reminder,
    };
    const result = await req.withData(async (scope) => {
      const s = await selection(scope, citizen, flow, now);
      if (!s) return { status: 409, page: await timePage(req, scope, citizen, flow, now, 'appointments.time.taken') };
      if (errors.length > 0) {
        return { status: 400, page: <DetailsPage ctx={ctx} selection={s} values={values} errors={errors} /> };
      }
      return {
        status: 200,
        page: <ConfirmPage ctx={ctx} selection={s} values={values} idempotencyKey={randomUUID()} />,
      };
    });
    return send(reply, result.page, result.status);
  });

  app.post('/appointments', async (req, reply) => {
    const citizen = requireCitizen(req);
    const flow = parse(flowQuery, req.body);
    const body = parse(bookBody, req.body);
    if (flow.staff === undefined || flow.type === undefined || flow.day === undefined) throw notFound();
    if (flow.time === undefined && flow.slot === undefined) throw notFound();
    const minutes = reminderMinutes(body.reminder);
    const now = new Date();
    const booked = await attempt(() =>
      req.withData(async (scope) => {
        const { offer, staffId, type } = await flowContext(scope, citizen, flow, now);
        if (!type) throw notFound();
        const o = offer.organisation;
        // The start: an external slot's own time, or the local day and time in the Netherlands.
        const choice =
          o.agenda === 'external'
            ? await findChoice(
                scope,
                {
                  organisationId: o.id,
                  agenda: o.agenda,
                  type,
                  staffId,
                  day: flow.day ?? '',
                  time: null,
                  slotId: flow.slot ?? null,
                },
                now,
              )
            : null;
        if (o.agenda === 'external' && !choice) throw new AppointmentRefused('taken');
        const start = choice ? choice.start : atLocal(flow.day ?? '', flow.time ?? '');
        return {
          external: o.agenda === 'external',
          result: await bookAppointment(
            scope,
            {
              organisationId: o.id,
              citizenId: citizen.citizenId,
              typeId: type.id,
              staffId,
              slotId: choice?.slotId ?? null,
              start,
              reason: body.reason,
              reminderMinutes: minutes === undefined ? -1 : minutes,
              idempotencyKey: body.key,
            },
            now,
          ),
        };
      }),
    );
    if (booked.ok) {
      const notice = booked.value.external ? 'requested' : 'made';
      return reply.redirect(`/appointments/${booked.value.result.id}?notice=${notice}`, 303);
    }
    if (booked.reason === 'taken') {
      const first = await req.withData((scope) => bookingByKey(scope, citizen, body.key));
      if (first) return reply.redirect(`/appointments/${first}?notice=made`, 303);
    }
    const refusal = TIME_REFUSALS[booked.reason];
    if (refusal) {
      const page = await req.withData((scope) => timePage(req, scope, citizen, flow, now, refusal.message));
      return send(reply, page, refusal.status);
    }
    if (booked.reason === 'reason' || booked.reason === 'reminder') {
      const ctx = pageContext(req);
      const result = await req.withData(async (scope) => {
        const s = await selection(scope, citizen, flow, now);
        if (!s) return { status: 409, page: await timePage(req, scope, citizen, flow, now, 'appointments.time.taken') };
        const error: FieldError =
          booked.reason === 'reason'
            ? { field: 'reason', message: ctx.t('appointments.details.errors.reason') }
            : { field: 'reminder-none', message: ctx.t('appointments.details.errors.reminder') };
        return {
          status: 400,
          page: (
            <DetailsPage
              ctx={ctx}
              selection={s}
              values={{
                reason: body.reason.slice(0, 20_000),
                reminder: minutes === undefined ? 'none' : body.reminder,
              }}
              errors={[error]}
            />
          ),
        };
      });
      return send(reply, result.page, result.status);
    }
    throw notFound();
  });

  // ----- one appointment -----------------------------------------------------------------------------------------
  app.get<{ Params: { id: string } }>('/appointments/:id', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = appointmentId(req.params.id);
    const { appointment, notes } = await req.withData(async (scope) => ({
      appointment: await ownAppointment(scope, citizen, id),
      // Issue 13 (LU-3): the citizen's own notes about this appointment, and a link to add one.
      notes: await notesAbout(scope, { kind: 'appointment', id }),
    }));
    const notice = (req.query as { notice?: unknown }).notice;
    const ctx = pageContext(req);
    return send(
      reply,
      <AppointmentPage
        ctx={ctx}
        appointment={appointment}
        now={new Date()}
        notice={NOTICES.find((n) => n === notice) ?? null}
        notes={<NotesHere ctx={ctx} link={{ kind: 'appointment', id }} notes={notes} />}
      />,
    );
  });

  app.get<{ Params: { id: string } }>('/appointments/:id/afspraak.ics', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = appointmentId(req.params.id);
    const a = await req.withData((scope) =>
      ownAppointment(scope, citizen, id, { event: 'appointment.ics.download', withReason: false }),
    );
    const ctx = pageContext(req);
    return reply
      .header('Content-Type', 'text/calendar; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="afspraak.ics"')
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(appointmentIcs(a, ctx.t, req.server.koepel.config.publicUrl));
  });

  // ----- change --------------------------------------------------------------------------------------------------
  app.get<{ Params: { id: string } }>('/appointments/:id/change', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = appointmentId(req.params.id);
    const q = parse(changeQuery, req.query);
    const page = await req.withData((scope) => moveTimePage(req, scope, citizen, id, q, new Date()));
    return send(reply, page);
  });

  app.get<{ Params: { id: string } }>('/appointments/:id/change/confirm', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = appointmentId(req.params.id);
    const q = parse(moveBody, req.query);
    const now = new Date();
    const result = await req.withData(async (scope) => {
      const a = await ownAppointment(scope, citizen, id, { event: 'appointment.move.view', withReason: false });
      if (a.staffId === null || a.status !== 'booked' || now.getTime() > a.changeUntil.getTime()) throw notFound();
      const type = await appointmentType(scope.tx, a.organisationId, a.typeId);
      if (!type) throw notFound();
      const choice = await findChoice(
        scope,
        {
          organisationId: a.organisationId,
          agenda: 'koepel',
          type,
          staffId: a.staffId,
          day: q.day,
          time: q.time,
          slotId: null,
          except: { id: a.id, start: a.start },
        },
        now,
      );
      if (!choice) {
        return { status: 409, page: await moveTimePage(req, scope, citizen, id, q, now, 'appointments.time.taken') };
      }
      return { status: 200, page: <MoveConfirmPage ctx={pageContext(req)} appointment={a} choice={choice} /> };
    });
    return send(reply, result.page, result.status);
  });

  app.post<{ Params: { id: string } }>('/appointments/:id/move', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = appointmentId(req.params.id);
    const body = parse(moveBody, req.body);
    const now = new Date();
    const moved = await attempt(() =>
      req.withData(async (scope) => {
        const a = await ownAppointment(scope, citizen, id, { event: 'appointment.move.view', withReason: false });
        await moveAppointment(scope, id, { start: atLocal(body.day, body.time), staffId: a.staffId }, now);
      }),
    );
    if (moved.ok) return reply.redirect(`/appointments/${id}?notice=changed`, 303);
    const refusal = TIME_REFUSALS[moved.reason];
    if (refusal) {
      const page = await req.withData((scope) => moveTimePage(req, scope, citizen, id, body, now, refusal.message));
      return send(reply, page, refusal.status);
    }
    if (moved.reason === 'too-late' || moved.reason === 'not-changeable') {
      return appointmentWithError(req, reply, citizen, id, moved.reason);
    }
    throw notFound();
  });

  // ----- cancel --------------------------------------------------------------------------------------------------
  app.get<{ Params: { id: string } }>('/appointments/:id/cancel', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = appointmentId(req.params.id);
    const now = new Date();
    const a = await req.withData((scope) =>
      ownAppointment(scope, citizen, id, { event: 'appointment.cancel.view', withReason: false }),
    );
    if ((a.status !== 'booked' && a.status !== 'requested') || a.end.getTime() <= now.getTime()) throw notFound();
    if (now.getTime() > a.changeUntil.getTime()) return appointmentWithError(req, reply, citizen, id, 'too-late');
    return send(reply, <CancelConfirmPage ctx={pageContext(req)} appointment={a} />);
  });

  app.post<{ Params: { id: string } }>('/appointments/:id/cancel', async (req, reply) => {
    const citizen = requireCitizen(req);
    const id = appointmentId(req.params.id);
    const cancelled = await attempt(() => req.withData((scope) => cancelAppointment(scope, id)));
    if (cancelled.ok) return reply.redirect('/appointments?cancelled=1', 303);
    if (cancelled.reason === 'too-late' || cancelled.reason === 'not-changeable') {
      return appointmentWithError(req, reply, citizen, id, cancelled.reason);
    }
    throw notFound();
  });

  // ----- reminder ------------------------------------------------------------------------------------------------
  app.post<{ Params: { id: string } }>('/appointments/:id/reminder', async (req, reply) => {
    requireCitizen(req);
    const id = appointmentId(req.params.id);
    const body = parse(reminderBody, req.body);
    const minutes = reminderMinutes(body.reminder);
    if (minutes === undefined) throw new HttpError(400, 'badRequest');
    const set = await attempt(() => req.withData((scope) => setReminder(scope, id, minutes)));
    if (set.ok) return reply.redirect(`/appointments/${id}?notice=reminder`, 303);
    throw notFound();
  });
}

/** The appointment page again, with why the change was refused (409). */
async function appointmentWithError(
  req: FastifyRequest,
  reply: FastifyReply,
  citizen: Citizen,
  id: string,
  reason: 'too-late' | 'not-changeable',
) {
  const appointment = await req.withData((scope) => ownAppointment(scope, citizen, id));
  const ctx = pageContext(req);
  return send(
    reply,
    <AppointmentPage
      ctx={ctx}
      appointment={appointment}
      now={new Date()}
      notice={null}
      error={ctx.t(reason === 'too-late' ? 'appointments.one.tooLateError' : 'appointments.one.notChangeable')}
    />,
    409,
  );
}
