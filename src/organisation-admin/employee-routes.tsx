// Beheer: the organisation's admin pages, and the employees an admin (admin:staff) manages (ZL-10).
//   GET  /staff/admin                                   what this admin may manage (admin:staff or admin:organisation)
//   GET  /staff/admin/employees                         the organisation's employees
//   GET  /staff/admin/employees/new  POST …/employees   invite: an account and a one-time link to set a password
//   GET  /staff/admin/employees/:id                     one employee: rights, status, two-step verification
//   POST /staff/admin/employees/:id/permissions|deactivate|reactivate|reset-totp
// Another organisation's employee is "not found" (404), like one that does not exist. An admin cannot take away
// their own admin:staff nor deactivate themselves (so the organisation always keeps an admin); the database
// refuses it too (migration 0017).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MessageKey } from '../platform/i18n/i18n.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { PageContext } from '../platform/web/context.js';
import { PERMISSIONS, requireStaff, type Permission } from '../platform/auth/permissions.js';
import {
  Alert,
  Button,
  Choices,
  DataTable,
  ErrorSummary,
  Form,
  Link,
  List,
  Page,
  Paragraph,
  Section,
  Select,
  SummaryList,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import {
  ALL_PERMISSIONS,
  getEmployee,
  INVITATION_DAYS,
  inviteEmployee,
  isEmailTaken,
  isPermission,
  isRole,
  listEmployees,
  resetTotp,
  setActive,
  setPermissions,
  STAFF_ROLES,
  type EmployeeRow,
} from './employees.js';

const LIST = '/staff/admin/employees';
const permissionLabel = (ctx: PageContext, p: Permission) => ctx.t(`orgAdmin.permission.${p}` as MessageKey);
const roleLabel = (ctx: PageContext, r: string) => ctx.t(`staff.role.${r}` as MessageKey);

function requireAdmin(req: FastifyRequest) {
  return requireStaff(req, PERMISSIONS.adminStaff);
}

// ---------------------------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------------------------

function AdminHomePage(props: { ctx: PageContext; links: { href: string; text: string }[] }): JSX.Element {
  const { ctx } = props;
  return (
    <Page ctx={ctx} title={ctx.t('orgAdmin.home.title')} intro={ctx.t('orgAdmin.home.intro')}>
      <List>
        {props.links.map((l) => (
          <li>
            <Link href={l.href} text={l.text} />
          </li>
        ))}
      </List>
    </Page>
  );
}

function EmployeesPage(props: { ctx: PageContext; rows: EmployeeRow[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const status = (r: EmployeeRow) =>
    !r.active
      ? t('orgAdmin.employees.inactive')
      : r.invited
        ? t('orgAdmin.employees.invited')
        : t('orgAdmin.employees.active');
  return (
    <Page ctx={ctx} title={t('orgAdmin.employees.title')} back={{ href: '/staff/admin', label: t('orgAdmin.back') }}>
      <Paragraph>
        <Link href={`${LIST}/new`} text={t('orgAdmin.invite.link')} />
      </Paragraph>
      <DataTable
        ctx={ctx}
        caption={t('orgAdmin.employees.caption', { count: props.rows.length })}
        columns={[
          {
            header: t('orgAdmin.employees.col.name'),
            rowHeader: true,
            html: (r) => <Link href={`${LIST}/${r.id}`} text={r.name} />,
          },
          { header: t('orgAdmin.employees.col.role'), text: (r) => roleLabel(ctx, r.role) },
          { header: t('orgAdmin.employees.col.status'), text: status },
          {
            header: t('orgAdmin.employees.col.totp'),
            text: (r) => (r.totpOn ? t('orgAdmin.employees.totpOn') : t('orgAdmin.employees.totpOff')),
          },
        ]}
        rows={props.rows}
      />
    </Page>
  );
}

function InvitePage(props: {
  ctx: PageContext;
  values?: { email: string; name: string; role: string };
  errors?: FieldError[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const v = props.values ?? { email: '', name: '', role: 'assistant' };
  const error = (f: string) => errors.find((e) => e.field === f)?.message;
  return (
    <Page
      ctx={ctx}
      title={t('orgAdmin.invite.title')}
      errors={errors}
      back={{ href: LIST, label: t('orgAdmin.employees.back') }}
    >
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text text={t('orgAdmin.invite.intro', { days: INVITATION_DAYS })} />
      <Form ctx={ctx} action={LIST} novalidate>
        <TextField
          id="invite-name"
          name="name"
          label={t('orgAdmin.invite.name')}
          value={v.name}
          maxlength={120}
          autocomplete="off"
          error={error('invite-name')}
          required
        />
        <TextField
          id="invite-email"
          name="email"
          type="email"
          label={t('orgAdmin.invite.email')}
          value={v.email}
          maxlength={254}
          autocomplete="off"
          spellcheck={false}
          error={error('invite-email')}
          required
        />
        <Select
          id="invite-role"
          name="role"
          label={t('orgAdmin.invite.role')}
          hint={t('orgAdmin.invite.roleHint')}
          options={STAFF_ROLES.map((r) => ({ value: r, label: roleLabel(ctx, r) }))}
          selected={v.role}
          error={error('invite-role')}
        />
        <Button text={t('orgAdmin.invite.submit')} />
      </Form>
    </Page>
  );
}

function InvitedPage(props: { ctx: PageContext; name: string; link: string; staffId: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('orgAdmin.invited.title', { name: props.name })}>
      <Alert
        kind="warning"
        id="invited-once"
        title={t('orgAdmin.invited.onceTitle')}
        text={t('orgAdmin.invited.once', { days: INVITATION_DAYS })}
      />
      <Section id="invited-link-title" title={t('orgAdmin.invited.link')}>
        <Paragraph id="invitation-link">
          <span class="koepel-break" safe>
            {props.link}
          </span>
        </Paragraph>
        <Text text={t('orgAdmin.invited.noMail')} />
      </Section>
      <Paragraph>
        <Link href={`${LIST}/${props.staffId}`} text={t('orgAdmin.invited.toEmployee')} />
      </Paragraph>
    </Page>
  );
}

function EmployeePage(props: {
  ctx: PageContext;
  employee: EmployeeRow;
  self: boolean;
  notice?: string;
  errors?: FieldError[];
  checked?: readonly string[];
}): JSX.Element {
  const { ctx, employee: e } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const base = `${LIST}/${e.id}`;
  return (
    <Page ctx={ctx} title={e.name} errors={errors} back={{ href: LIST, label: t('orgAdmin.employees.back') }}>
      {props.notice ? <Alert kind="ok" class="koepel-notice" text={props.notice} /> : ''}
      <ErrorSummary ctx={ctx} errors={errors} />
      <SummaryList
        class="koepel-employee-details"
        items={[
          { label: t('orgAdmin.employee.email'), text: e.email },
          { label: t('orgAdmin.employees.col.role'), text: roleLabel(ctx, e.role) },
          {
            label: t('orgAdmin.employees.col.status'),
            text: !e.active
              ? t('orgAdmin.employees.inactive')
              : e.invited
                ? t('orgAdmin.employees.invited')
                : t('orgAdmin.employees.active'),
          },
          {
            label: t('orgAdmin.employees.col.totp'),
            text: e.totpOn ? t('orgAdmin.employees.totpOn') : t('orgAdmin.employees.totpOff'),
          },
        ]}
      />
      <Section id="rights-title" title={t('orgAdmin.rights.title')}>
        <Form ctx={ctx} action={`${base}/permissions`} novalidate>
          <Choices
            type="checkbox"
            idPrefix="permission"
            name="permissions"
            legend={t('orgAdmin.rights.legend', { name: e.name })}
            hint={props.self ? t('orgAdmin.rights.selfHint') : t('orgAdmin.rights.hint')}
            options={ALL_PERMISSIONS.map((p) => ({
              value: p,
              label: permissionLabel(ctx, p),
              hint: t(`orgAdmin.permissionHint.${p}` as MessageKey),
            }))}
            checked={props.checked ?? e.permissions}
            error={errors.find((x) => x.field.startsWith('permission'))?.message}
          />
          <Button text={t('orgAdmin.rights.submit')} />
        </Form>
      </Section>
      <Section id="access-title" title={t('orgAdmin.access.title')}>
        {props.self ? (
          <Text text={t('orgAdmin.access.self')} />
        ) : e.active ? (
          <Form ctx={ctx} action={`${base}/deactivate`}>
            <Text text={t('orgAdmin.access.deactivateIntro')} />
            <Button style="secondary" text={t('orgAdmin.access.deactivate')} />
          </Form>
        ) : (
          <Form ctx={ctx} action={`${base}/reactivate`}>
            <Text text={t('orgAdmin.access.reactivateIntro')} />
            <Button style="secondary" text={t('orgAdmin.access.reactivate')} />
          </Form>
        )}
      </Section>
      <Section id="totp-title" title={t('orgAdmin.totp.title')}>
        {props.self ? (
          <Text text={t('orgAdmin.totp.self')} />
        ) : (
          <Form ctx={ctx} action={`${base}/reset-totp`}>
            <Text text={t('orgAdmin.totp.intro')} />
            <Button style="secondary" text={t('orgAdmin.totp.submit')} />
          </Form>
        )}
      </Section>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

const inviteBody = z.object({ email: z.string().max(400), name: z.string().max(400), role: z.string().max(40) });
const permissionsBody = z.object({
  permissions: z
    .union([z.string().max(40), z.array(z.string().max(40)).max(20)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});
const NOTICES = ['saved', 'deactivated', 'reactivated', 'totp-reset'] as const;
type Notice = (typeof NOTICES)[number];

async function employeeOr404(req: FastifyRequest, id: string): Promise<EmployeeRow> {
  const e = await req.withData((scope) => getEmployee(scope, id));
  if (!e) throw new HttpError(404, 'notFound');
  return e;
}

function employeePage(
  req: FastifyRequest,
  reply: FastifyReply,
  e: EmployeeRow,
  opts: { notice?: Notice; errors?: FieldError[]; checked?: readonly string[]; status?: number } = {},
): Promise<FastifyReply> {
  const ctx = pageContext(req);
  const self = req.principal.kind === 'staff' && req.principal.staffId === e.id;
  return sendPage(
    reply,
    <EmployeePage
      ctx={ctx}
      employee={e}
      self={self}
      notice={opts.notice ? ctx.t(`orgAdmin.notice.${opts.notice}` as MessageKey) : undefined}
      errors={opts.errors}
      checked={opts.checked}
    />,
    opts.status,
  );
}

export function registerEmployeeRoutes(app: FastifyInstance): void {
  app.get('/staff/admin', async (req, reply) => {
    const p = requireStaff(req);
    const has = (x: Permission) => p.permissions.includes(x);
    if (!has(PERMISSIONS.adminStaff) && !has(PERMISSIONS.adminOrganisation)) throw new HttpError(403, 'forbidden');
    const ctx = pageContext(req);
    const links = [
      { show: has(PERMISSIONS.adminStaff), href: LIST, text: ctx.t('orgAdmin.employees.title') },
      {
        show: has(PERMISSIONS.adminOrganisation),
        href: '/staff/organisation/categories',
        text: ctx.t('orgAdmin.categories.link'),
      },
      {
        show: has(PERMISSIONS.adminApiClients),
        href: '/staff/admin/api-clients',
        text: ctx.t('orgAdmin.home.apiClients'),
      },
    ].filter((l) => l.show);
    return sendPage(reply, <AdminHomePage ctx={ctx} links={links} />);
  });

  app.get(LIST, async (req, reply) => {
    requireAdmin(req);
    const rows = await req.withData((scope) => listEmployees(scope));
    return sendPage(reply, <EmployeesPage ctx={pageContext(req)} rows={rows} />);
  });

  app.get(`${LIST}/new`, async (req, reply) => {
    requireAdmin(req);
    return sendPage(reply, <InvitePage ctx={pageContext(req)} />);
  });

  app.post(LIST, async (req, reply) => {
    const admin = requireAdmin(req);
    const ctx = pageContext(req);
    const parsed = inviteBody.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'badRequest');
    const values = { email: parsed.data.email.trim(), name: parsed.data.name.trim(), role: parsed.data.role };
    const email = values.email.toLowerCase();
    const errors: FieldError[] = [];
    if (values.name === '' || values.name.length > 120)
      errors.push({ field: 'invite-name', message: ctx.t('orgAdmin.invite.errors.name') });
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
      errors.push({ field: 'invite-email', message: ctx.t('orgAdmin.invite.errors.email') });
    if (!isRole(values.role)) errors.push({ field: 'invite-role', message: ctx.t('orgAdmin.invite.errors.role') });
    const role = values.role;
    if (errors.length > 0 || !isRole(role))
      return sendPage(reply, <InvitePage ctx={ctx} values={values} errors={errors} />, 400);
    const result = await req
      .withData((scope) => inviteEmployee(scope, admin, { email, name: values.name, role }))
      .catch((e: unknown) => {
        if (isEmailTaken(e)) return null;
        throw e;
      });
    if (!result)
      return sendPage(
        reply,
        <InvitePage
          ctx={ctx}
          values={values}
          errors={[{ field: 'invite-email', message: ctx.t('orgAdmin.invite.errors.taken') }]}
        />,
        409,
      );
    // The link is shown once, here; it is not stored anywhere but as its hash. No caching of this page.
    reply.header('Cache-Control', 'no-store');
    const link = `${req.server.koepel.config.publicUrl.replace(/\/$/, '')}/staff/set-password/${result.token}`;
    return sendPage(reply, <InvitedPage ctx={ctx} name={values.name} link={link} staffId={result.staffId} />, 201);
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>(`${LIST}/:id`, async (req, reply) => {
    requireAdmin(req);
    const e = await employeeOr404(req, req.params.id);
    const done = NOTICES.find((n) => n === req.query.done);
    return employeePage(req, reply, e, { notice: done });
  });

  app.post<{ Params: { id: string } }>(`${LIST}/:id/permissions`, async (req, reply) => {
    const admin = requireAdmin(req);
    const e = await employeeOr404(req, req.params.id);
    const ctx = pageContext(req);
    const parsed = permissionsBody.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'badRequest');
    const chosen = parsed.data.permissions;
    const field = `permission-${ALL_PERMISSIONS[0] ?? ''}`;
    if (!chosen.every(isPermission))
      return employeePage(req, reply, e, {
        errors: [{ field, message: ctx.t('orgAdmin.rights.errors.unknown') }],
        checked: chosen,
        status: 400,
      });
    if (e.id === admin.staffId && !chosen.includes(PERMISSIONS.adminStaff))
      return employeePage(req, reply, e, {
        errors: [{ field, message: ctx.t('orgAdmin.rights.errors.self') }],
        checked: chosen,
        status: 409,
      });
    const permissions = ALL_PERMISSIONS.filter((p) => chosen.includes(p));
    await req.withData((scope) => setPermissions(scope, e.id, permissions));
    return reply.redirect(`${LIST}/${e.id}?done=saved`, 303);
  });

  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post<{ Params: { id: string } }>(`${LIST}/:id/${action}`, async (req, reply) => {
      const admin = requireAdmin(req);
      const e = await employeeOr404(req, req.params.id);
      if (e.id === admin.staffId) {
        const ctx = pageContext(req);
        return employeePage(req, reply, e, {
          errors: [{ field: 'access-title', message: ctx.t('orgAdmin.access.errors.self') }],
          status: 409,
        });
      }
      await req.withData((scope) => setActive(scope, e.id, action === 'reactivate'));
      return reply.redirect(`${LIST}/${e.id}?done=${action}d`, 303);
    });
  }

  app.post<{ Params: { id: string } }>(`${LIST}/:id/reset-totp`, async (req, reply) => {
    const admin = requireAdmin(req);
    const e = await employeeOr404(req, req.params.id);
    const ctx = pageContext(req);
    if (e.id === admin.staffId)
      return employeePage(req, reply, e, {
        errors: [{ field: 'totp-title', message: ctx.t('orgAdmin.totp.errors.self') }],
        status: 409,
      });
    const result = await req.withData((scope) => resetTotp(scope, e.id));
    if (result !== 'ok')
      return employeePage(req, reply, e, {
        errors: [{ field: 'totp-title', message: ctx.t('orgAdmin.totp.errors.shared') }],
        status: 409,
      });
    return reply.redirect(`${LIST}/${e.id}?done=totp-reset`, 303);
  });
}
