// The operator's register of apps that citizens can authorise to read their record (/operator/apps): the list,
// registering an app (a client id, and for a confidential app a secret shown once and stored only as its SHA-256)
// and revoking one. Only the operator principal may do this: requireOperator here, and the row-level security
// policy citizen_app_operator in the database. Registering and revoking are audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { newSecret, sha256 } from '../platform/crypto/secrets.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { formatDate } from '../platform/i18n/format.js';
import type { Translate } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Alert,
  Button,
  ButtonLink,
  Choices,
  DataTable,
  ErrorSummary,
  Form,
  List,
  Page,
  Paragraph,
  Section,
  SummaryList,
  Text,
  TextArea,
  TextField,
  type FieldError,
  type SummaryItem,
} from '../platform/web/components/index.js';
import { checkRedirectUri, MAX_REDIRECT_URIS, newAppClientId } from './registry.js';
import { requireOperator } from '../platform/auth/permissions.js';

const LIST = '/operator/apps';
const MAX_TEXT = 100;
const KINDS = ['public', 'confidential'] as const;
type AppKind = (typeof KINDS)[number];

interface AppRow {
  id: string;
  name: string;
  vendor: string;
  clientId: string;
  confidential: boolean;
  redirectUris: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** What the operator typed, kept to show the form again after an error. */
interface FormValues {
  name: string;
  vendor: string;
  redirectUris: string;
  kind: AppKind | null;
}

const EMPTY_FORM: FormValues = { name: '', vendor: '', redirectUris: '', kind: null };

// Any field of the wrong shape (missing, repeated) counts as empty, so that the form comes back with a message.
const registerBody = z.object({
  name: z.string().catch(''),
  vendor: z.string().catch(''),
  redirect_uris: z.string().catch(''),
  kind: z.enum(KINDS).nullable().catch(null),
});
const idParams = z.object({ id: z.uuid() });

// Citizens read name and vendor on the consent page: no control or bidirectional-override characters, which could
// hide or reorder what they read.
const INVISIBLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Shortens input quoted back in a message. */
const quote = (s: string) => (s.length > 80 ? `${s.slice(0, 79)}…` : s);

function checkText(raw: string, t: Translate, tooShortOrLong: string): { value: string; error?: string } {
  const value = raw.trim().replace(/\s+/g, ' ');
  // UTF-16 units: never fewer than PostgreSQL's characters, so the database's own check cannot fail after this one.
  if (value.length < 1 || value.length > MAX_TEXT) return { value, error: tooShortOrLong };
  if (INVISIBLE.test(value)) return { value, error: t('operatorApps.errors.controlCharacters') };
  return { value };
}

/** The redirect URIs, one per line (blank lines ignored), each checked by the registry's rules; or the first problem. */
function checkRedirectUris(raw: string, t: Translate): { uris: string[]; error?: string } {
  const lines = raw
    .split(/\r\n|\r|\n/)
    .map((text, i) => ({ line: i + 1, text: text.trim() }))
    .filter((l) => l.text !== '');
  if (lines.length === 0) return { uris: [], error: t('operatorApps.errors.redirectUris.none') };
  if (lines.length > MAX_REDIRECT_URIS) {
    return {
      uris: [],
      error: t('operatorApps.errors.redirectUris.tooMany', { max: MAX_REDIRECT_URIS, count: lines.length }),
    };
  }
  const uris: string[] = [];
  for (const l of lines) {
    const uri = checkRedirectUri(l.text);
    if (uri === null) {
      return { uris: [], error: t('operatorApps.errors.redirectUris.invalid', { line: l.line, uri: quote(l.text) }) };
    }
    if (uris.includes(uri)) {
      return { uris: [], error: t('operatorApps.errors.redirectUris.duplicate', { line: l.line, uri: quote(uri) }) };
    }
    uris.push(uri);
  }
  return { uris };
}

const kindLabel = (t: Translate, confidential: boolean) =>
  confidential ? t('operatorApps.kind.confidential') : t('operatorApps.kind.public');

function UriList(props: { uris: string[] }): JSX.Element {
  return (
    <List>
      {props.uris.map((u) => (
        <li>
          <code safe>{u}</code>
        </li>
      ))}
    </List>
  );
}

function AppTable(props: { ctx: PageContext; apps: AppRow[] }): JSX.Element {
  const { ctx, apps } = props;
  const { t, lang } = ctx;
  return (
    <DataTable
      ctx={ctx}
      class="koepel-results koepel-citizen-apps"
      caption={t('operatorApps.caption')}
      rows={apps}
      columns={[
        { header: t('operatorApps.col.name'), rowHeader: true, text: (a) => a.name },
        { header: t('operatorApps.col.vendor'), text: (a) => a.vendor },
        {
          header: t('operatorApps.col.clientId'),
          html: (a) => (
            <code class="koepel-client-id" safe>
              {a.clientId}
            </code>
          ),
        },
        { header: t('operatorApps.col.kind'), text: (a) => kindLabel(t, a.confidential) },
        { header: t('operatorApps.col.redirectUris'), html: (a) => <UriList uris={a.redirectUris} /> },
        {
          header: t('operatorApps.col.registered'),
          html: (a) => (
            <time datetime={a.createdAt.toISOString()} safe>
              {formatDate(lang, a.createdAt, 'dateTime')}
            </time>
          ),
        },
        {
          header: t('operatorApps.col.status'),
          text: (a) =>
            a.revokedAt
              ? t('operatorApps.revokedOn', { date: formatDate(lang, a.revokedAt, 'dateTime') })
              : t('operatorApps.active'),
        },
        {
          header: t('operatorApps.col.action'),
          class: 'koepel-nowrap',
          html: (a) =>
            a.revokedAt ? (
              ''
            ) : (
              <Form ctx={ctx} action={`${LIST}/${a.id}/revoke`} class="koepel-inline-form">
                <Button
                  style="secondary"
                  label={t('operatorApps.revokeLabel', { name: a.name })}
                  text={t('operatorApps.revoke')}
                />
              </Form>
            ),
        },
      ]}
    />
  );
}

function KindField(props: { ctx: PageContext; value: AppKind | null; error?: string | undefined }): JSX.Element {
  const { t } = props.ctx;
  return (
    <Choices
      type="radio"
      idPrefix="app-kind"
      name="kind"
      legend={t('operatorApps.register.kind')}
      hint={t('operatorApps.register.kindHint')}
      error={props.error}
      checked={props.value === null ? [] : [props.value]}
      options={[
        {
          value: 'public',
          label: t('operatorApps.register.kind.public'),
          hint: t('operatorApps.register.kind.publicHint'),
        },
        {
          value: 'confidential',
          label: t('operatorApps.register.kind.confidential'),
          hint: t('operatorApps.register.kind.confidentialHint'),
        },
      ]}
    />
  );
}

function RegisterForm(props: { ctx: PageContext; form: FormValues; errors: FieldError[] }): JSX.Element {
  const { ctx, form, errors } = props;
  const { t } = ctx;
  const errorFor = (field: string) => errors.find((e) => e.field === field)?.message;
  const textField = (field: 'name' | 'vendor') => (
    <TextField
      id={`app-${field}`}
      name={field}
      label={t(`operatorApps.register.${field}`)}
      hint={t(`operatorApps.register.${field}Hint`)}
      value={form[field]}
      autocomplete="off"
      maxlength={MAX_TEXT}
      required
      error={errorFor(`app-${field}`)}
    />
  );
  return (
    <Section id="register-app-title" title={t('operatorApps.register.title')}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <Form ctx={ctx} action={LIST} novalidate>
        {textField('name')}
        {textField('vendor')}
        <TextArea
          id="app-redirect-uris"
          name="redirect_uris"
          label={t('operatorApps.register.redirectUris')}
          hint={t('operatorApps.register.redirectUrisHint')}
          value={form.redirectUris}
          error={errorFor('app-redirect-uris')}
          required
          spellcheck={false}
        />
        <KindField ctx={ctx} value={form.kind} error={errorFor('app-kind-public')} />
        <Button text={t('operatorApps.register.submit')} />
      </Form>
    </Section>
  );
}

function AppsPage(props: { ctx: PageContext; apps: AppRow[]; form: FormValues; errors: FieldError[] }): JSX.Element {
  const { ctx, apps, errors } = props;
  const { t } = ctx;
  return (
    <Page
      ctx={ctx}
      title={t('operatorApps.title')}
      back={{ href: '/operator/alerts', label: t('operatorApps.back') }}
      errors={errors}
    >
      <Text text={t('operatorApps.intro')} />
      {apps.length === 0 ? (
        <Text style="status" text={t('operatorApps.none')} />
      ) : (
        <>
          <Text text={t('operatorApps.revokeNote')} />
          <AppTable ctx={ctx} apps={apps} />
        </>
      )}
      <RegisterForm ctx={ctx} form={props.form} errors={errors} />
    </Page>
  );
}

/** Shown once, right after registering: the only time a confidential app's secret is visible. */
function CreatedPage(props: {
  ctx: PageContext;
  name: string;
  vendor: string;
  clientId: string;
  secret: string | null;
  redirectUris: string[];
}): JSX.Element {
  const { ctx, secret } = props;
  const { t } = ctx;
  const items: SummaryItem[] = [
    { label: t('operatorApps.created.name'), text: props.name },
    { label: t('operatorApps.created.vendor'), text: props.vendor },
    { label: t('operatorApps.created.kind'), text: kindLabel(t, secret !== null) },
    {
      label: t('operatorApps.created.clientId'),
      html: (
        <code class="koepel-secret" id="app-client-id" safe>
          {props.clientId}
        </code>
      ),
    },
  ];
  if (secret !== null) {
    items.push({
      label: t('operatorApps.created.secret'),
      html: (
        <code class="koepel-secret" id="app-client-secret" safe>
          {secret}
        </code>
      ),
    });
  }
  items.push({ label: t('operatorApps.created.redirectUris'), html: <UriList uris={props.redirectUris} /> });
  return (
    <Page ctx={ctx} title={t('operatorApps.created.title')}>
      {secret !== null ? (
        <Alert
          kind="warning"
          class="koepel-secret-warning"
          id="secret-warning"
          title={t('operatorApps.created.warningTitle')}
          text={t('operatorApps.created.warning')}
        />
      ) : (
        <Text text={t('operatorApps.created.publicNote')} />
      )}
      <SummaryList class="koepel-api-client-created" items={items} />
      <Paragraph>
        <ButtonLink
          href={LIST}
          text={secret !== null ? t('operatorApps.created.doneSecret') : t('operatorApps.created.done')}
        />
      </Paragraph>
    </Page>
  );
}

export function registerCitizenAppOperatorRoutes(app: FastifyInstance): void {
  const listApps = (req: FastifyRequest): Promise<AppRow[]> =>
    req.withData(async ({ tx }) => {
      const rows = await tx
        .selectFrom('citizen_app')
        .select(['id', 'name', 'vendor', 'client_id', 'confidential', 'redirect_uris', 'created_at', 'revoked_at'])
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        vendor: r.vendor,
        clientId: r.client_id,
        confidential: r.confidential,
        redirectUris: r.redirect_uris,
        createdAt: r.created_at,
        revokedAt: r.revoked_at,
      }));
    });

  app.get(LIST, async (req, reply) => {
    requireOperator(req);
    const apps = await listApps(req);
    return sendPage(reply, <AppsPage ctx={pageContext(req)} apps={apps} form={EMPTY_FORM} errors={[]} />);
  });

  app.post(LIST, async (req, reply) => {
    const p = requireOperator(req);
    const ctx = pageContext(req);
    const { t } = ctx;
    const parsed = registerBody.safeParse(req.body);
    const body = parsed.success ? parsed.data : { name: '', vendor: '', redirect_uris: '', kind: null };
    const name = checkText(body.name, t, t('operatorApps.errors.name'));
    const vendor = checkText(body.vendor, t, t('operatorApps.errors.vendor'));
    const uris = checkRedirectUris(body.redirect_uris, t);
    const errors: FieldError[] = [];
    if (name.error) errors.push({ field: 'app-name', message: name.error });
    if (vendor.error) errors.push({ field: 'app-vendor', message: vendor.error });
    if (uris.error) errors.push({ field: 'app-redirect-uris', message: uris.error });
    const kind = body.kind;
    if (kind === null) errors.push({ field: 'app-kind-public', message: t('operatorApps.errors.kind') });
    if (errors.length > 0 || kind === null) {
      // Kept for correcting, but clipped: a pasted novel is not sent back whole.
      const form: FormValues = {
        name: body.name.slice(0, 2 * MAX_TEXT),
        vendor: body.vendor.slice(0, 2 * MAX_TEXT),
        redirectUris: body.redirect_uris.slice(0, 10_000),
        kind: body.kind,
      };
      const apps = await listApps(req);
      return sendPage(reply, <AppsPage ctx={ctx} apps={apps} form={form} errors={errors} />, 400);
    }
    const clientId = newAppClientId();
    const secret = kind === 'confidential' ? newSecret() : null;
    await req.withData(async (scope) => {
      const row = await scope.tx
        .insertInto('citizen_app')
        .values({
          name: name.value,
          vendor: vendor.value,
          client_id: clientId,
          confidential: secret !== null,
          redirect_uris: uris.uris,
          created_by: p.staffId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (secret !== null) {
        await scope.tx
          .insertInto('citizen_app_secret')
          .values({ app_id: row.id, secret_hash: sha256(secret) })
          .execute();
      }
      await scope.audit({
        event: 'citizen-app.register',
        action: 'C',
        resourceType: 'citizen_app',
        resourceId: row.id,
      });
    });
    // Answered here rather than by a redirect: the secret must not travel in a URL, and is never shown again.
    return sendPage(
      reply,
      <CreatedPage
        ctx={ctx}
        name={name.value}
        vendor={vendor.value}
        clientId={clientId}
        secret={secret}
        redirectUris={uris.uris}
      />,
    );
  });

  app.post(`${LIST}/:id/revoke`, async (req, reply) => {
    requireOperator(req);
    const params = idParams.safeParse(req.params);
    if (!params.success) throw new HttpError(400, 'badRequest');
    const id = params.data.id;
    const found = await req.withData(async (scope) => {
      const row = await scope.tx
        .updateTable('citizen_app')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (row) {
        await scope.audit({ event: 'citizen-app.revoke', action: 'U', resourceType: 'citizen_app', resourceId: id });
        return true;
      }
      // Revoked already (a second click, or a colleague): nothing to do, and the list shows the state.
      const exists = await scope.tx.selectFrom('citizen_app').select('id').where('id', '=', id).executeTakeFirst();
      return exists !== undefined;
    });
    if (!found) throw new HttpError(404, 'notFound');
    return reply.redirect(LIST, 303);
  });
}
