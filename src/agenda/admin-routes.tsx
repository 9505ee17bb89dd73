// The organisation's agenda settings (admin:organisation), issue 12:
//   GET  /staff/admin/agenda                               what can be set
//   GET  /staff/admin/agenda/types                         appointment types
//   GET  /staff/admin/agenda/types/new   POST …/types      a new type
//   GET  /staff/admin/agenda/types/:id   POST …/types/:id  edit; POST …/:id/deactivate | …/:id/activate
//   GET  /staff/admin/agenda/hours                         employees
//   GET  /staff/admin/agenda/hours/:staffId                one employee's weekly hours and absences
//   POST …/hours/:staffId/hours, …/hours/:staffId/hours/:id/remove, …/absences, …/absences/:id/remove
//   GET  /staff/admin/agenda/settings    POST              the out-of-hours service and which agenda is used
// Another organisation's type, employee or row is a 404; bad input re-renders the form with a 400 and writes nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import type { FieldError } from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { appointmentType, appointmentTypes } from '../appointments/index.js';
import {
  AdminHomePage,
  HoursPage,
  SettingsPage,
  TypeFormPage,
  TypesPage,
  type AbsenceValues,
  type HoursValues,
  type TypeValues,
} from './admin-views.js';
import {
  absencesOf,
  addAbsence,
  addHours,
  agendaSettings,
  createType,
  employees,
  hoursOf,
  isDuplicateName,
  isEmployee,
  parseAbsence,
  parseHours,
  parseSettings,
  parseType,
  removeRow,
  saveSettings,
  updateType,
  type AgendaSettings,
  type FieldProblems,
} from './settings.js';

export const ADMIN = '/staff/admin/agenda';
const uuid = z.uuid();
/** A form body as strings (and lists of strings for repeated fields); anything else is a 400. */
const formBody = z.record(z.string().max(64), z.union([z.string().max(2000), z.array(z.string().max(200)).max(200)]));

function requireAdmin(req: FastifyRequest) {
  return requireStaff(req, PERMISSIONS.adminOrganisation);
}

function idOf(raw: string): string {
  const id = uuid.safeParse(raw);
  if (!id.success) throw new HttpError(404, 'notFound');
  return id.data;
}

function bodyOf(req: FastifyRequest): Record<string, string | string[]> {
  const b = formBody.safeParse(req.body ?? {});
  if (!b.success) throw new HttpError(400, 'badRequest');
  return b.data;
}

const str = (v: string | string[] | undefined): string => (typeof v === 'string' ? v.slice(0, 200) : '');
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The field ids the forms use, and each field's message, for the error summary. */
function errorsFor(ctx: PageContext, fields: FieldProblems, ids: Record<string, [string, string]>): FieldError[] {
  return fields.flatMap((f) => {
    const m = ids[f] ?? ids.form;
    return m ? [{ field: m[0], message: ctx.t(m[1] as Parameters<PageContext['t']>[0]) }] : [];
  });
}

const TYPE_FIELDS: Record<string, [string, string]> = {
  form: ['type-name', 'agenda.admin.type.errors.form'],
  name: ['type-name', 'agenda.admin.type.errors.name'],
  duration: ['type-duration', 'agenda.admin.type.errors.duration'],
  features: ['type-features-online', 'agenda.admin.type.errors.form'],
  staff: ['type-staff', 'agenda.admin.type.errors.staff'],
  horizon: ['type-horizon', 'agenda.admin.type.errors.horizon'],
  notice: ['type-notice', 'agenda.admin.type.errors.notice'],
  cancel: ['type-cancel', 'agenda.admin.type.errors.cancel'],
  duplicate: ['type-name', 'agenda.admin.type.errors.duplicate'],
};

const HOURS_FIELDS: Record<string, [string, string]> = {
  form: ['hours-weekday', 'agenda.admin.hours.errors.form'],
  weekday: ['hours-weekday', 'agenda.admin.hours.errors.weekday'],
  start: ['hours-start', 'agenda.admin.hours.errors.start'],
  end: ['hours-end', 'agenda.admin.hours.errors.end'],
  from: ['hours-from', 'agenda.admin.hours.errors.from'],
  until: ['hours-until', 'agenda.admin.hours.errors.until'],
};

const ABSENCE_FIELDS: Record<string, [string, string]> = {
  form: ['absence-kind', 'agenda.admin.absence.errors.form'],
  kind: ['absence-kind', 'agenda.admin.absence.errors.kind'],
  fromDate: ['absence-from-date', 'agenda.admin.absence.errors.from'],
  fromTime: ['absence-from-time', 'agenda.admin.absence.errors.from'],
  toDate: ['absence-to-date', 'agenda.admin.absence.errors.to'],
  toTime: ['absence-to-time', 'agenda.admin.absence.errors.to'],
};

const SETTINGS_FIELDS: Record<string, [string, string]> = {
  form: ['settings-ooh-name', 'agenda.admin.settings.errors.form'],
  outOfHoursName: ['settings-ooh-name', 'agenda.admin.settings.errors.name'],
  outOfHoursPhone: ['settings-ooh-phone', 'agenda.admin.settings.errors.phone'],
  agenda: ['settings-agenda-koepel', 'agenda.admin.settings.errors.agenda'],
};

const typeValuesOf = (b: Record<string, string | string[]>): TypeValues => ({
  name: str(b.name),
  duration: str(b.duration),
  features: list(b.features),
  staff: list(b.staff),
  horizon: str(b.horizon),
  notice: str(b.notice),
  cancel: str(b.cancel),
});

export function registerAgendaAdminRoutes(app: FastifyInstance): void {
  app.get(ADMIN, async (req, reply) => {
    requireAdmin(req);
    return sendPage(reply, <AdminHomePage ctx={pageContext(req)} />);
  });

  // ----- appointment types ------------------------------------------------------------------------------------
  app.get(`${ADMIN}/types`, async (req, reply) => {
    const staff = requireAdmin(req);
    const data = await req.withData(async (scope) => ({
      types: await appointmentTypes(scope.tx, staff.organisationId),
      people: await employees(scope, staff.organisationId),
    }));
    const done = (req.query as { done?: unknown }).done;
    return sendPage(
      reply,
      <TypesPage
        ctx={pageContext(req)}
        {...data}
        done={done === 'created' || done === 'saved' || done === 'deactivated' || done === 'activated' ? done : null}
      />,
    );
  });

  app.get(`${ADMIN}/types/new`, async (req, reply) => {
    const staff = requireAdmin(req);
    const people = await req.withData((scope) => employees(scope, staff.organisationId));
    return sendPage(reply, <TypeFormPage ctx={pageContext(req)} people={people} type={null} />);
  });

  const saveType = async (req: FastifyRequest, reply: FastifyReply, id: string | null) => {
    const staff = requireAdmin(req);
    const body = bodyOf(req);
    type Outcome = { kind: 'not-found' } | { kind: 'saved' } | { kind: 'refused'; fields: FieldProblems };
    let outcome: Outcome;
    try {
      outcome = await req.withData(async (scope): Promise<Outcome> => {
        if (id !== null && !(await appointmentType(scope.tx, staff.organisationId, id))) return { kind: 'not-found' };
        const parsed = parseType(body, await employees(scope, staff.organisationId));
        if (!parsed.ok) return { kind: 'refused', fields: parsed.fields };
        if (id === null) await createType(scope, staff.organisationId, parsed.value);
        else await updateType(scope, staff.organisationId, id, parsed.value);
        return { kind: 'saved' };
      });
    } catch (err) {
      // A second type of the same name: the database refuses it (unique), the transaction rolls back whole.
      if (!isDuplicateName(err)) throw err;
      outcome = { kind: 'refused', fields: ['duplicate'] };
    }
    if (outcome.kind === 'not-found') throw new HttpError(404, 'notFound');
    if (outcome.kind === 'saved')
      return reply.redirect(`${ADMIN}/types?done=${id === null ? 'created' : 'saved'}`, 303);
    const ctx = pageContext(req);
    const data = await req.withData(async (scope) => ({
      people: await employees(scope, staff.organisationId),
      type: id === null ? null : await appointmentType(scope.tx, staff.organisationId, id),
    }));
    return sendPage(
      reply,
      <TypeFormPage
        ctx={ctx}
        people={data.people}
        type={data.type}
        values={typeValuesOf(body)}
        errors={errorsFor(ctx, outcome.fields, TYPE_FIELDS)}
      />,
      400,
    );
  };

  app.post(`${ADMIN}/types`, (req, reply) => saveType(req, reply, null));

  app.get<{ Params: { id: string } }>(`${ADMIN}/types/:id`, async (req, reply) => {
    const staff = requireAdmin(req);
    const id = idOf(req.params.id);
    const data = await req.withData(async (scope) => ({
      type: await appointmentType(scope.tx, staff.organisationId, id),
      people: await employees(scope, staff.organisationId),
    }));
    if (!data.type) throw new HttpError(404, 'notFound');
    return sendPage(reply, <TypeFormPage ctx={pageContext(req)} people={data.people} type={data.type} />);
  });

  app.post<{ Params: { id: string } }>(`${ADMIN}/types/:id`, (req, reply) => saveType(req, reply, idOf(req.params.id)));

  for (const action of ['deactivate', 'activate'] as const) {
    app.post<{ Params: { id: string } }>(`${ADMIN}/types/:id/${action}`, async (req, reply) => {
      const staff = requireAdmin(req);
      const id = idOf(req.params.id);
      const ok = await req.withData((scope) =>
        updateType(scope, staff.organisationId, id, { active: action === 'activate' }),
      );
      if (!ok) throw new HttpError(404, 'notFound');
      return reply.redirect(`${ADMIN}/types?done=${action}d`, 303);
    });
  }

  // ----- weekly hours and absences ----------------------------------------------------------------------------
  app.get(`${ADMIN}/hours`, async (req, reply) => {
    const staff = requireAdmin(req);
    const people = await req.withData((scope) => employees(scope, staff.organisationId));
    return sendPage(reply, <HoursPage ctx={pageContext(req)} people={people} />);
  });

  const showHours = async (
    req: FastifyRequest,
    reply: FastifyReply,
    staffId: string,
    opts: {
      status?: number;
      done?: string | null;
      hoursValues?: HoursValues;
      absenceValues?: AbsenceValues;
      errors?: FieldError[];
    } = {},
  ) => {
    const staff = requireAdmin(req);
    const data = await req.withData(async (scope) => {
      const person = await isEmployee(scope, staff.organisationId, staffId);
      if (!person) return null;
      return {
        person,
        hours: await hoursOf(scope, staff.organisationId, staffId),
        absences: await absencesOf(scope, staff.organisationId, staffId, new Date(Date.now() - 30 * 86_400_000)),
      };
    });
    if (!data) throw new HttpError(404, 'notFound');
    return sendPage(
      reply,
      <HoursPage
        ctx={pageContext(req)}
        people={[]}
        person={data.person}
        hours={data.hours}
        absences={data.absences}
        done={opts.done ?? null}
        hoursValues={opts.hoursValues}
        absenceValues={opts.absenceValues}
        errors={opts.errors}
      />,
      opts.status ?? 200,
    );
  };

  app.get<{ Params: { staffId: string } }>(`${ADMIN}/hours/:staffId`, async (req, reply) => {
    const done = (req.query as { done?: unknown }).done;
    return showHours(req, reply, idOf(req.params.staffId), {
      done: typeof done === 'string' && /^(hours|absence)-(added|removed)$/.test(done) ? done : null,
    });
  });

  app.post<{ Params: { staffId: string } }>(`${ADMIN}/hours/:staffId/hours`, async (req, reply) => {
    const staff = requireAdmin(req);
    const staffId = idOf(req.params.staffId);
    const body = bodyOf(req);
    const parsed = parseHours(body);
    if (parsed.ok) {
      const ok = await req.withData(async (scope) => {
        if (!(await isEmployee(scope, staff.organisationId, staffId))) return false;
        await addHours(scope, staff.organisationId, staffId, parsed.value);
        return true;
      });
      if (!ok) throw new HttpError(404, 'notFound');
      return reply.redirect(`${ADMIN}/hours/${staffId}?done=hours-added#hours-title`, 303);
    }
    const ctx = pageContext(req);
    return showHours(req, reply, staffId, {
      status: 400,
      hoursValues: {
        weekday: str(body.weekday),
        start: str(body.start),
        end: str(body.end),
        from: str(body.from),
        until: str(body.until),
      },
      errors: errorsFor(ctx, parsed.fields, HOURS_FIELDS),
    });
  });

  app.post<{ Params: { staffId: string } }>(`${ADMIN}/hours/:staffId/absences`, async (req, reply) => {
    const staff = requireAdmin(req);
    const staffId = idOf(req.params.staffId);
    const body = bodyOf(req);
    const parsed = parseAbsence(body);
    if (parsed.ok) {
      const ok = await req.withData(async (scope) => {
        if (!(await isEmployee(scope, staff.organisationId, staffId))) return false;
        await addAbsence(scope, staff.organisationId, staffId, parsed.value);
        return true;
      });
      if (!ok) throw new HttpError(404, 'notFound');
      return reply.redirect(`${ADMIN}/hours/${staffId}?done=absence-added#absences-title`, 303);
    }
    const ctx = pageContext(req);
    return showHours(req, reply, staffId, {
      status: 400,
      absenceValues: {
        kind: str(body.kind),
        fromDate: str(body.fromDate),
        fromTime: str(body.fromTime),
        toDate: str(body.toDate),
        toTime: str(body.toTime),
      },
      errors: errorsFor(ctx, parsed.fields, ABSENCE_FIELDS),
    });
  });

  for (const [path, table, done] of [
    ['hours', 'staff_availability', 'hours-removed'],
    ['absences', 'staff_absence', 'absence-removed'],
  ] as const) {
    app.post<{ Params: { staffId: string; id: string } }>(
      `${ADMIN}/hours/:staffId/${path}/:id/remove`,
      async (req, reply) => {
        const staff = requireAdmin(req);
        const staffId = idOf(req.params.staffId);
        const id = idOf(req.params.id);
        const ok = await req.withData((scope) => removeRow(scope, table, staff.organisationId, staffId, id));
        if (!ok) throw new HttpError(404, 'notFound');
        return reply.redirect(`${ADMIN}/hours/${staffId}?done=${done}`, 303);
      },
    );
  }

  // ----- out-of-hours service and agenda kind -----------------------------------------------------------------
  app.get(`${ADMIN}/settings`, async (req, reply) => {
    const staff = requireAdmin(req);
    const settings = await req.withData((scope) => agendaSettings(scope, staff.organisationId));
    const saved = (req.query as { saved?: unknown }).saved === '1';
    return sendPage(reply, <SettingsPage ctx={pageContext(req)} settings={settings} saved={saved} />);
  });

  app.post(`${ADMIN}/settings`, async (req, reply) => {
    const staff = requireAdmin(req);
    const body = bodyOf(req);
    const parsed = parseSettings(body);
    if (parsed.ok) {
      const ok = await req.withData((scope) => saveSettings(scope, staff.organisationId, parsed.value));
      // Row-level security allows only the own organisation, and only with admin:organisation.
      if (!ok) throw new HttpError(403, 'forbidden');
      return reply.redirect(`${ADMIN}/settings?saved=1`, 303);
    }
    const ctx = pageContext(req);
    const current = await req.withData((scope) => agendaSettings(scope, staff.organisationId));
    const agenda = str(body.agenda);
    const values: AgendaSettings = {
      name: current.name,
      outOfHoursName: str(body.outOfHoursName),
      outOfHoursPhone: str(body.outOfHoursPhone),
      agenda: agenda === 'external' ? 'external' : 'koepel',
    };
    return sendPage(
      reply,
      <SettingsPage
        ctx={ctx}
        settings={values}
        saved={false}
        errors={errorsFor(ctx, parsed.fields, SETTINGS_FIELDS)}
      />,
      400,
    );
  });
}
