// MG-1: an organisation decides which parts of the record its patients see in the portal.
//   GET  /staff/organisation/categories   the current choice, as checkboxes
//   POST /staff/organisation/categories   saves it (admin:organisation; own organisation only)
// The organisation is the employee's own (from the session), never a form field; the database enforces the same
// (policy organisation_admin_update and a column grant on record_categories alone, migration 0003).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RecordCategory } from '../platform/db/schema.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { PageContext } from '../platform/web/context.js';
import { isRecordCategory, RECORD_CATEGORIES } from '../record/index.js';
import { CategoryCheckboxes } from '../record-requests/index.js';
import { Alert, Button, ErrorSummary, Form, Page, Text, type FieldError } from '../platform/web/components/index.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';

const body = z.object({
  categories: z
    .union([z.string().max(40), z.array(z.string().max(40)).max(20)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

function CategoriesPage(props: {
  ctx: PageContext;
  organisation: string;
  checked: readonly string[];
  saved: boolean;
  errors?: FieldError[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const title = t('orgAdmin.categories.title');
  const checked = RECORD_CATEGORIES.filter((c) => props.checked.includes(c));
  return (
    <Page ctx={ctx} title={title} errors={errors} back={{ href: '/staff', label: t('orgAdmin.categories.back') }}>
      {props.saved ? (
        <Alert kind="ok" class="koepel-notice" text={t('orgAdmin.categories.saved')}>
          {checked.length === 0 ? <Text text={t('orgAdmin.categories.none')} /> : ''}
        </Alert>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} errors={errors} />
      <Text text={t('orgAdmin.categories.intro', { organisation: props.organisation })} />
      <Form ctx={ctx} action="/staff/organisation/categories" novalidate>
        <CategoryCheckboxes
          ctx={ctx}
          idPrefix="category"
          name="categories"
          options={RECORD_CATEGORIES}
          checked={checked}
          legend={t('orgAdmin.categories.legend')}
          hint={t('orgAdmin.categories.hint')}
          error={errors[0]?.message}
          withHints
        />
        <Button text={t('orgAdmin.categories.submit')} />
      </Form>
    </Page>
  );
}

export function registerOrganisationAdminRoutes(app: FastifyInstance): void {
  app.get('/staff/organisation/categories', async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.adminOrganisation);
    const org = await req.withData(({ tx }) =>
      tx
        .selectFrom('organisation')
        .select(['name', 'record_categories'])
        .where('id', '=', staff.organisationId)
        .executeTakeFirstOrThrow(),
    );
    const saved = (req.query as { saved?: unknown }).saved === '1';
    return sendPage(
      reply,
      <CategoriesPage ctx={pageContext(req)} organisation={org.name} checked={org.record_categories} saved={saved} />,
    );
  });

  app.post('/staff/organisation/categories', async (req, reply) => {
    const staff = requireStaff(req, PERMISSIONS.adminOrganisation);
    const parsed = body.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'badRequest');
    const chosen = parsed.data.categories;
    if (!chosen.every(isRecordCategory)) {
      const ctx = pageContext(req);
      const org = await req.withData(({ tx }) =>
        tx.selectFrom('organisation').select('name').where('id', '=', staff.organisationId).executeTakeFirstOrThrow(),
      );
      return sendPage(
        reply,
        <CategoriesPage
          ctx={ctx}
          organisation={org.name}
          checked={chosen}
          saved={false}
          errors={[
            {
              field: `category-${RECORD_CATEGORIES[0] ?? 'appointments'}`,
              message: ctx.t('orgAdmin.categories.error'),
            },
          ]}
        />,
        400,
      );
    }
    const categories: RecordCategory[] = RECORD_CATEGORIES.filter((c) => chosen.includes(c));
    await req.withData(async (scope) => {
      await scope.audit({
        event: 'organisation.categories.update',
        action: 'U',
        resourceType: 'organisation',
        resourceId: staff.organisationId,
        reason: `categories=${categories.join(',')}`,
      });
      const result = await scope.tx
        .updateTable('organisation')
        .set({ record_categories: categories })
        .where('id', '=', staff.organisationId)
        .executeTakeFirst();
      // Row-level security allows only the own organisation, and only with admin:organisation.
      if (Number(result.numUpdatedRows) !== 1) throw new HttpError(403, 'forbidden');
    });
    return reply.redirect('/staff/organisation/categories?saved=1', 303);
  });
}
