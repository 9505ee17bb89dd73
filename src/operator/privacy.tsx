// Issue 14 (LU-10): the operator publishes a new version of a portal's privacy statement — its text and its date.
//   GET  /operator/privacy     the form, and each portal's versions
//   POST /operator/privacy     publishes: koepel_publish_privacy_statement (migration 0039) adds the version and moves
//                              portal.privacy_statement_updated_on forward in one transaction, so the trigger of
//                              migration 0032 posts the portal notice citizens see at their next visit; audited.
// The text is plain paragraphs (a blank line between them; "## " starts a heading), shown escaped on /privacy.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireOperator } from '../platform/auth/permissions.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { formatDate } from '../platform/i18n/format.js';
import {
  Alert,
  Button,
  DataTable,
  ErrorSummary,
  Form,
  Link,
  Page,
  Section,
  Select,
  Text,
  TextArea,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';

const MAX_BODY = 100_000;
const DAY = 86_400_000;

interface VersionRow {
  portal_id: string;
  version: number;
  published_on: string;
}

interface FormValues {
  portal: string;
  date: string;
  body: string;
}

function PrivacyPage(props: {
  ctx: PageContext;
  portals: { id: string; name: string }[];
  versions: VersionRow[];
  form: FormValues;
  errors: FieldError[];
  published: boolean;
}): JSX.Element {
  const { ctx, portals, form, errors } = props;
  const { t } = ctx;
  const error = (field: string) => errors.find((e) => e.field === field)?.message;
  const portalName = (id: string) => portals.find((p) => p.id === id)?.name ?? '';
  return (
    <Page
      ctx={ctx}
      title={t('operator.privacy.title')}
      back={{ href: '/operator/alerts', label: t('operator.alerts.title') }}
      errors={errors}
    >
      <Text text={t('operator.privacy.intro')} />
      {props.published ? <Alert kind="ok" text={t('operator.privacy.published')} /> : ''}
      <ErrorSummary ctx={ctx} errors={errors} />
      <Section id="privacy-form" title={t('operator.privacy.formTitle')}>
        <Form ctx={ctx} action="/operator/privacy" novalidate>
          <Select
            id="portal"
            label={t('operator.privacy.portal')}
            options={portals.map((p) => ({ value: p.id, label: p.name }))}
            selected={form.portal}
            error={error('portal')}
          />
          <TextField
            id="date"
            label={t('operator.privacy.date')}
            hint={t('operator.privacy.dateHint')}
            type="date"
            value={form.date}
            error={error('date')}
            size="small"
          />
          <TextArea
            id="body"
            name="body"
            label={t('operator.privacy.body')}
            hint={t('operator.privacy.bodyHint')}
            value={form.body}
            error={error('body')}
            maxLength={MAX_BODY}
            rows={16}
          />
          <Button text={t('operator.privacy.publish')} />
        </Form>
      </Section>
      <Section id="privacy-versions" title={t('operator.privacy.versionsTitle')}>
        <DataTable
          ctx={ctx}
          caption={t('operator.privacy.versionsTitle')}
          captionHidden
          rows={props.versions}
          columns={[
            { header: t('operator.privacy.portal'), rowHeader: true, text: (v) => portalName(v.portal_id) },
            { header: t('operator.privacy.colVersion'), numeric: true, text: (v) => String(v.version) },
            { header: t('operator.privacy.date'), text: (v) => formatDate(ctx.lang, v.published_on) },
          ]}
        />
        <Text text={t('operator.privacy.publicNote')} />
        <Link href="/privacy/versions" text={t('privacy.versions.title')} />
      </Section>
    </Page>
  );
}

const publishBody = z.object({
  portal: z.string().max(100),
  date: z.string().max(20),
  body: z.string().max(MAX_BODY * 2),
});

/** A real calendar day, within a year of today. */
function publishDate(v: string, now: Date): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const at = Date.parse(`${v}T00:00:00Z`);
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== v) return null;
  return Math.abs(at - now.getTime()) <= 366 * DAY ? v : null;
}

export function registerPrivacyRoutes(app: FastifyInstance): void {
  const render = async (req: FastifyRequest, form: FormValues, errors: FieldError[], published: boolean) => {
    const versions = await req.withData(async ({ tx }) => {
      const { rows } = await sql<VersionRow>`
        select portal_id, version, published_on::text as published_on from privacy_statement_version
        order by portal_id, version desc`.execute(tx);
      return rows;
    });
    return (
      <PrivacyPage
        ctx={pageContext(req)}
        portals={app.koepel.portals.all().map((p) => ({ id: p.id, name: p.name }))}
        versions={versions}
        form={form}
        errors={errors}
        published={published}
      />
    );
  };

  app.get('/operator/privacy', async (req, reply) => {
    requireOperator(req);
    const published = (req.query as { published?: unknown } | undefined)?.published === '1';
    const first = app.koepel.portals.all()[0]?.id ?? '';
    return sendPage(reply, await render(req, { portal: first, date: '', body: '' }, [], published));
  });

  app.post('/operator/privacy', async (req, reply) => {
    requireOperator(req);
    const parsed = publishBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new HttpError(400, 'badRequest');
    const form = parsed.data;
    const { t } = pageContext(req);
    const errors: FieldError[] = [];
    const portal = app.koepel.portals.all().find((p) => p.id === form.portal.toLowerCase());
    if (!portal) errors.push({ field: 'portal', message: t('operator.privacy.errors.portal') });
    const date = publishDate(form.date.trim(), new Date());
    if (!date) errors.push({ field: 'date', message: t('operator.privacy.errors.date') });
    const body = form.body.trim();
    if (body.length === 0 || body.length > MAX_BODY)
      errors.push({ field: 'body', message: t('operator.privacy.errors.body') });
    if (!portal || !date || errors.length > 0) return sendPage(reply, await render(req, form, errors, false), 422);
    const version = await req
      .withData(async (scope) => {
        const { rows } = await sql<{ version: number }>`
          select koepel_publish_privacy_statement(${portal.id}::uuid, ${date}::date, ${body}) as version`.execute(
          scope.tx,
        );
        const n = rows[0]?.version;
        await scope.audit({
          event: 'operator.privacy-statement.publish',
          action: 'C',
          resourceType: 'privacy-statement',
          resourceId: `${portal.id}:${n}`,
        });
        return n;
      })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code === '22023') return null;
        throw err;
      });
    if (version === null) {
      const later = [{ field: 'date', message: t('operator.privacy.errors.notLater') }];
      return sendPage(reply, await render(req, form, later, false), 409);
    }
    // This node's portal list (its "last updated" dates); /privacy itself reads the versions from the database.
    await (app.koepel.portals as { reload?: () => Promise<void> }).reload?.();
    return reply.redirect('/operator/privacy?published=1', 303);
  });
}
