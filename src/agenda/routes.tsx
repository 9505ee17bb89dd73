// The staff agenda (agenda:read), issue 12:
//   GET  /staff/agenda?view=day|week&date=YYYY-MM-DD&staff=<id>   day or week, one employee or the whole practice
//   GET  /staff/agenda/appointments/:id                          one appointment (reason with agenda:reasons)
//   POST /staff/agenda/appointments/:id/cancel                   cancel on the citizen's behalf
//   GET  /staff/agenda/appointments/:id/move?date=&staff=   POST move to another free time or employee
//   GET  /staff/agenda/book            POST /staff/agenda/book/search  find the patient (patients:search; POST only,
//                                                                      so that names never enter a URL)
//   GET  /staff/agenda/book/:citizenId?type=&staff=&date=   POST  book for that patient
// Staff act for the citizen through the same domain functions the citizen uses (src/appointments/booking.ts), which
// record who did it; the citizen's overview shows "ingepland/gewijzigd door <name>". Staff are not bound by a type's
// notice, horizon or cancellation rule, but never book in the past. Another organisation's appointment, employee or
// patient is a 404.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  agendaInputs,
  appointmentType,
  appointmentTypes,
  AppointmentRefused,
  atLocal,
  bookAppointment,
  cancelAppointment,
  freeTimesFor,
  localDate,
  moveAppointment,
  nextDate,
  type Refusal,
} from '../appointments/index.js';
import { parseCriteria, searchPatients, type CriteriaError } from '../patients/index.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import type { Principal } from '../platform/db/principal.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage, type DataScope } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { FieldError } from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { appointmentForStaff, loadAgenda, patientForBooking, type AppointmentDetail } from './agenda.js';
import { employees } from './settings.js';
import {
  AGENDA,
  AgendaPage,
  AppointmentPage,
  BookPage,
  BookSearchPage,
  MovePage,
  rangeOf,
  type AgendaQuery,
  type TimeChoice,
} from './views.js';

type Staff = Extract<Principal, { kind: 'staff' }>;

const uuid = z.uuid();
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const t = new Date(`${d}T12:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d && d >= '2000-01-01' && d <= '2100-12-31';
  });
/** A free time as the radio buttons send it: '<staff id>|<ISO instant>'. */
const timeChoice = z
  .string()
  .max(80)
  .regex(/^[0-9a-f-]{36}\|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  .transform((v) => {
    const [staffId, at] = v.split('|') as [string, string];
    return { staffId, start: new Date(at) };
  })
  .refine((v) => uuid.safeParse(v.staffId).success && !Number.isNaN(v.start.getTime()));
const searchBody = z.object({
  name: z.string().max(200).optional().default(''),
  born: z.string().max(20).optional().default(''),
});
const bookBody = z.object({
  type: z.string().max(64),
  time: z.string().max(200).optional().default(''),
  // Longer than a reason may be, so that a too long one gets its own message (booking.ts checks REASON_MAX).
  reason: z.string().max(20_000).optional().default(''),
  key: z.string().max(64),
});
const moveBody = z.object({ time: z.string().max(200).optional().default('') });

const query = (req: FastifyRequest) => req.query as Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function idOf(raw: string): string {
  const id = uuid.safeParse(raw);
  if (!id.success) throw new HttpError(404, 'notFound');
  return id.data;
}

const canSeeReasons = (s: Staff) => s.permissions.includes(PERMISSIONS.agendaReasons);

/** The refusals of the domain, as a message on the form's time field (or the reason). */
function refusalError(ctx: PageContext, reason: Refusal): FieldError {
  const field = reason === 'reason' ? 'reason' : 'time';
  return { field, message: ctx.t(`agenda.refused.${reason}` as MessageKey) };
}

/** The employee filter: empty is everyone; an id that is not one of the organisation's employees is a 404. */
async function staffFilter(scope: DataScope, staff: Staff, raw: string): Promise<string | null> {
  if (raw === '') return null;
  const id = uuid.safeParse(raw);
  if (!id.success || !(await employees(scope, staff.organisationId)).some((e) => e.id === id.data)) {
    throw new HttpError(404, 'notFound');
  }
  return id.data;
}

/** The free times of one type on one day, from now on at the earliest (staff: no notice, no horizon). */
async function freeTimeChoice(
  scope: DataScope,
  staff: Staff,
  opts: { typeId: string | null; staffId: string | null; date: string; except: string | null },
): Promise<TimeChoice> {
  const from = atLocal(opts.date, '00:00');
  const to = atLocal(nextDate(opts.date), '00:00');
  const inputs = await agendaInputs(scope.tx, staff.organisationId, from, to, opts.except);
  const type = opts.typeId ? await appointmentType(scope.tx, staff.organisationId, opts.typeId) : null;
  const usable = type && type.active ? type : null;
  const people = inputs?.staff ?? [];
  const now = new Date();
  const times =
    usable && inputs
      ? freeTimesFor(usable, inputs, { from: new Date(Math.max(from.getTime(), now.getTime())), to }, opts.staffId)
      : [];
  return { type: usable, staff: people, staffId: opts.staffId, date: opts.date, times };
}

export function registerAgendaRoutes(app: FastifyInstance): void {
  // ----- the day and week views -------------------------------------------------------------------------------
  app.get(AGENDA, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.agendaRead);
    const q = query(req);
    const date = isoDate.safeParse(q.date);
    const view = q.view === 'week' ? 'week' : 'day';
    const data = await req.withData(async (scope) => {
      const staffId = await staffFilter(scope, staff, str(q.staff));
      const agendaQuery: AgendaQuery = { view, date: date.success ? date.data : localDate(new Date()), staffId };
      const range = rangeOf(agendaQuery);
      return {
        agendaQuery,
        agenda: await loadAgenda(scope, {
          organisationId: staff.organisationId,
          from: range.from,
          to: range.to,
          staffId,
          reasons: canSeeReasons(staff) && view === 'day',
        }),
      };
    });
    return sendPage(
      reply,
      <AgendaPage
        ctx={pageContext(req)}
        query={data.agendaQuery}
        data={data.agenda}
        canSeeReasons={canSeeReasons(staff)}
        canBook={staff.permissions.includes(PERMISSIONS.patientsSearch)}
      />,
    );
  });

  // ----- one appointment: view, cancel, move ------------------------------------------------------------------
  const changeable = (a: AppointmentDetail) =>
    (a.status === 'booked' || a.status === 'requested') && a.staffId !== '' && a.end.getTime() > Date.now();

  app.get<{ Params: { id: string } }>(`${AGENDA}/appointments/:id`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.agendaRead);
    const id = idOf(req.params.id);
    const a = await req.withData((scope) => appointmentForStaff(scope, id, { reasons: canSeeReasons(staff) }));
    if (!a) throw new HttpError(404, 'notFound');
    const done = query(req).done;
    return sendPage(
      reply,
      <AppointmentPage
        ctx={pageContext(req)}
        appointment={a}
        canSeeReasons={canSeeReasons(staff)}
        changeable={changeable(a)}
        done={done === 'booked' || done === 'moved' || done === 'cancelled' ? done : null}
      />,
    );
  });

  app.post<{ Params: { id: string } }>(`${AGENDA}/appointments/:id/cancel`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.agendaRead);
    const id = idOf(req.params.id);
    let refused: Refusal | null = null;
    try {
      await req.withData((scope) => cancelAppointment(scope, id));
    } catch (err) {
      if (!(err instanceof AppointmentRefused)) throw err;
      refused = err.reason;
    }
    if (refused === null) return reply.redirect(`${AGENDA}/appointments/${id}?done=cancelled`, 303);
    if (refused === 'not-found') throw new HttpError(404, 'notFound');
    const a = await req.withData((scope) => appointmentForStaff(scope, id, { reasons: canSeeReasons(staff) }));
    if (!a) throw new HttpError(404, 'notFound');
    const ctx = pageContext(req);
    return sendPage(
      reply,
      <AppointmentPage
        ctx={ctx}
        appointment={a}
        canSeeReasons={canSeeReasons(staff)}
        changeable={changeable(a)}
        done={null}
        errors={[{ field: 'cancel-title', message: ctx.t(`agenda.refused.${refused}` as MessageKey) }]}
      />,
      409,
    );
  });

  const showMove = async (
    req: FastifyRequest,
    staff: Staff,
    id: string,
    opts: { date: string | null; staffId: string | null; checked?: string; errors?: FieldError[] },
  ) =>
    req.withData(async (scope) => {
      const a = await appointmentForStaff(scope, id, { reasons: false, event: 'agenda.appointment.view' });
      if (!a) return null;
      const choice = await freeTimeChoice(scope, staff, {
        typeId: a.typeId,
        staffId: opts.staffId,
        date: opts.date ?? localDate(a.start),
        except: a.id,
      });
      return { a, choice };
    });

  app.get<{ Params: { id: string } }>(`${AGENDA}/appointments/:id/move`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.agendaRead);
    const id = idOf(req.params.id);
    const q = query(req);
    const date = isoDate.safeParse(q.date);
    const staffId = await req.withData((scope) => staffFilter(scope, staff, str(q.staff)));
    const data = await showMove(req, staff, id, { date: date.success ? date.data : null, staffId });
    if (!data) throw new HttpError(404, 'notFound');
    return sendPage(reply, <MovePage ctx={pageContext(req)} appointment={data.a} choice={data.choice} />);
  });

  app.post<{ Params: { id: string } }>(`${AGENDA}/appointments/:id/move`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.agendaRead);
    const id = idOf(req.params.id);
    const body = moveBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'badRequest');
    const time = timeChoice.safeParse(body.data.time);
    let refused: Refusal | null = time.success ? null : 'taken';
    if (time.success) {
      try {
        await req.withData((scope) =>
          moveAppointment(scope, id, { start: time.data.start, staffId: time.data.staffId }),
        );
      } catch (err) {
        if (!(err instanceof AppointmentRefused)) throw err;
        refused = err.reason;
      }
    }
    if (refused === null) return reply.redirect(`${AGENDA}/appointments/${id}?done=moved`, 303);
    if (refused === 'not-found') throw new HttpError(404, 'notFound');
    const ctx = pageContext(req);
    const data = await showMove(req, staff, id, {
      date: time.success ? localDate(time.data.start) : null,
      staffId: null,
      errors: [time.success ? refusalError(ctx, refused) : { field: 'time', message: ctx.t('agenda.refused.noTime') }],
    });
    if (!data) throw new HttpError(404, 'notFound');
    return sendPage(
      reply,
      <MovePage
        ctx={ctx}
        appointment={data.a}
        choice={data.choice}
        errors={[
          time.success ? refusalError(ctx, refused) : { field: 'time', message: ctx.t('agenda.refused.noTime') },
        ]}
      />,
      refused === 'taken' && time.success ? 409 : 400,
    );
  });

  // ----- booking for a patient --------------------------------------------------------------------------------
  app.get(`${AGENDA}/book`, async (req, reply) => {
    requireStaff(req, PERMISSIONS.agendaRead);
    requireStaff(req, PERMISSIONS.patientsSearch);
    return sendPage(reply, <BookSearchPage ctx={pageContext(req)} values={{ name: '', born: '' }} />);
  });

  app.post(`${AGENDA}/book/search`, async (req, reply) => {
    requireStaff(req, PERMISSIONS.agendaRead);
    requireStaff(req, PERMISSIONS.patientsSearch);
    const ctx = pageContext(req);
    const body = searchBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'badRequest');
    const parsed = parseCriteria(body.data);
    if (!parsed.ok) {
      const messages: Record<CriteriaError, FieldError> = {
        criteria: { field: 'search-name', message: ctx.t('patients.errors.criteria') },
        name: { field: 'search-name', message: ctx.t('patients.errors.name') },
        born: { field: 'search-born', message: ctx.t('patients.errors.born') },
      };
      return sendPage(
        reply,
        <BookSearchPage ctx={ctx} values={body.data} errors={parsed.errors.map((e) => messages[e])} />,
        400,
      );
    }
    const result = await req.withData((scope) => searchPatients(scope, parsed.criteria));
    return sendPage(reply, <BookSearchPage ctx={ctx} values={body.data} result={result} />);
  });

  const showBook = async (
    req: FastifyRequest,
    staff: Staff,
    citizenId: string,
    opts: { typeId: string | null; staffId: string | null; date: string },
  ) =>
    req.withData(async (scope) => {
      const patient = await patientForBooking(scope, citizenId);
      if (!patient) return null;
      const types = (await appointmentTypes(scope.tx, staff.organisationId)).filter((x) => x.active);
      const choice = await freeTimeChoice(scope, staff, { ...opts, except: null });
      return { patient, types, choice };
    });

  app.get<{ Params: { citizenId: string } }>(`${AGENDA}/book/:citizenId`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.agendaRead);
    const citizenId = idOf(req.params.citizenId);
    const q = query(req);
    const date = isoDate.safeParse(q.date);
    const type = uuid.safeParse(q.type);
    const staffId = await req.withData((scope) => staffFilter(scope, staff, str(q.staff)));
    const data = await showBook(req, staff, citizenId, {
      typeId: type.success ? type.data : null,
      staffId,
      date: date.success ? date.data : localDate(new Date()),
    });
    if (!data) throw new HttpError(404, 'notFound');
    return sendPage(reply, <BookPage ctx={pageContext(req)} {...data} idempotencyKey={randomUUID()} />);
  });

  app.post<{ Params: { citizenId: string } }>(`${AGENDA}/book/:citizenId`, async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.agendaRead);
    const citizenId = idOf(req.params.citizenId);
    const body = bookBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'badRequest');
    const typeId = uuid.safeParse(body.data.type);
    const key = uuid.safeParse(body.data.key);
    if (!typeId.success || !key.success) throw new HttpError(400, 'badRequest');
    const time = timeChoice.safeParse(body.data.time);
    type Outcome = { kind: 'booked'; id: string } | { kind: 'not-found' } | { kind: 'refused'; reason: Refusal };
    let outcome: Outcome;
    try {
      outcome = await req.withData(async (scope): Promise<Outcome> => {
        // The patient first: another organisation's citizen (or no relationship) is a 404, and nothing is written.
        if (!(await patientForBooking(scope, citizenId))) return { kind: 'not-found' };
        if (!time.success) throw new AppointmentRefused('taken');
        const booked = await bookAppointment(scope, {
          organisationId: staff.organisationId,
          citizenId,
          typeId: typeId.data,
          staffId: time.data.staffId,
          start: time.data.start,
          reason: body.data.reason,
          reminderMinutes: null,
          idempotencyKey: key.data,
        });
        return { kind: 'booked', id: booked.id };
      });
    } catch (err) {
      if (!(err instanceof AppointmentRefused)) throw err;
      outcome = { kind: 'refused', reason: err.reason };
    }
    if (outcome.kind === 'not-found') throw new HttpError(404, 'notFound');
    if (outcome.kind === 'booked') return reply.redirect(`${AGENDA}/appointments/${outcome.id}?done=booked`, 303);
    const ctx = pageContext(req);
    const error: FieldError = time.success
      ? refusalError(ctx, outcome.reason)
      : { field: 'time', message: ctx.t('agenda.refused.noTime') };
    const data = await showBook(req, staff, citizenId, {
      typeId: typeId.data,
      staffId: null,
      date: time.success ? localDate(time.data.start) : localDate(new Date()),
    });
    if (!data) throw new HttpError(404, 'notFound');
    return sendPage(
      reply,
      <BookPage
        ctx={ctx}
        {...data}
        idempotencyKey={key.data}
        values={{ time: body.data.time.slice(0, 200), reason: body.data.reason.slice(0, 2000) }}
        errors={[error]}
      />,
      time.success && outcome.reason === 'taken' ? 409 : 400,
    );
  });
}
