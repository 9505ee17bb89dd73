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
import { Layout } from '../platform/web/layout.js';
import {
  Csrf,
  SummaryRow,
  Alert,
  ErrorSummary,
  TextArea,
  TextField,
  type FieldError,
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
    <ul class="utrecht-unordered-list">
      {props.uris.map((u) => (
        <li>
          <code safe>{u}</code>
        </li>
      ))}
    </ul>
  );
}

function BackLink(props: { ctx: PageContext }): JSX.Element {
  return (
    <p class="utrecht-paragraph">
      <a class="utrecht-link" href="/operator/alerts" safe>
        {props.ctx.t('operatorApps.back')}
      </a>
    </p>
  );
}

function AppTable(props: { ctx: PageContext; apps: AppRow[] }): JSX.Element {
  const { ctx, apps } = props;
  const { t, lang } = ctx;
  const when = (d: Date) => (
    <time datetime={d.toISOString()} safe>
      {formatDate(lang, d, 'dateTime')}
    </time>
  );
  const columns = ['name', 'vendor', 'clientId', 'kind', 'redirectUris', 'registered', 'status', 'action'] as const;
  return (
    <div class="utrecht-table-container koepel-table-wrapper">
      <table class="utrecht-table utrecht-table--html-table koepel-results koepel-citizen-apps">
        <caption class="utrecht-table__caption" safe>
          {t('operatorApps.caption')}
        </caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            {columns.map((c) => (
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t(`operatorApps.col.${c}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {apps.map((a) => (
            <tr class="utrecht-table__row">
              <th class="utrecht-table__cell koepel-row-header" scope="row" safe>
                {a.name}
              </th>
              <td class="utrecht-table__cell" safe>
                {a.vendor}
              </td>
              <td class="utrecht-table__cell">
                <code class="koepel-client-id" safe>
                  {a.clientId}
                </code>
              </td>
              <td class="utrecht-table__cell" safe>
                {kindLabel(t, a.confidential)}
              </td>
              <td class="utrecht-table__cell">
                <UriList uris={a.redirectUris} />
              </td>
              <td class="utrecht-table__cell">{when(a.createdAt)}</td>
              <td class="utrecht-table__cell" safe>
                {a.revokedAt
                  ? t('operatorApps.revokedOn', { date: formatDate(lang, a.revokedAt, 'dateTime') })
                  : t('operatorApps.active')}
              </td>
              <td class="utrecht-table__cell">
                {a.revokedAt ? (
                  ''
                ) : (
                  <form method="post" action={`${LIST}/${a.id}/revoke`} class="koepel-inline-form">
                    <Csrf ctx={ctx} />
                    <button
                      type="submit"
                      class="utrecht-button utrecht-button--secondary-action koepel-nowrap"
                      aria-label={t('operatorApps.revokeLabel', { name: a.name })}
                      safe
                    >
                      {t('operatorApps.revoke')}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RedirectUrisField(props: { ctx: PageContext; value: string; error?: string | undefined }): JSX.Element {
  const { t } = props.ctx;
  return (
    <TextArea
      id="app-redirect-uris"
      name="redirect_uris"
      label={t('operatorApps.register.redirectUris')}
      hint={t('operatorApps.register.redirectUrisHint')}
      value={props.value}
      error={props.error}
      required
      spellcheck={false}
    />
  );
}

function KindField(props: { ctx: PageContext; value: AppKind | null; error?: string | undefined }): JSX.Element {
  const { t } = props.ctx;
  const { error } = props;
  const label = {
    public: 'operatorApps.register.kind.public',
    confidential: 'operatorApps.register.kind.confidential',
  } as const;
  const hint = {
    public: 'operatorApps.register.kind.publicHint',
    confidential: 'operatorApps.register.kind.confidentialHint',
  } as const;
  return (
    <fieldset
      class={`utrecht-form-fieldset utrecht-form-fieldset--html-fieldset${error ? ' utrecht-form-fieldset--invalid' : ''}`}
      aria-describedby={error ? 'app-kind-hint app-kind-error' : 'app-kind-hint'}
    >
      <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" safe>
        {t('operatorApps.register.kind')}
      </legend>
      <p class="utrecht-form-field-description" id="app-kind-hint" safe>
        {t('operatorApps.register.kindHint')}
      </p>
      {error ? (
        <p class="utrecht-form-field-error-message" id="app-kind-error" safe>
          {error}
        </p>
      ) : (
        ''
      )}
      {KINDS.map((k) => (
        <div class="utrecht-form-field utrecht-form-field--radio">
          <div class="utrecht-form-field__input">
            <input
              class="utrecht-radio-button utrecht-radio-button--html-input"
              type="radio"
              name="kind"
              id={`app-kind-${k}`}
              value={k}
              checked={props.value === k}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={`app-kind-${k}-hint`}
            />
          </div>
          <div class="utrecht-form-field__label">
            <label class="utrecht-form-label utrecht-form-label--radio" for={`app-kind-${k}`} safe>
              {t(label[k])}
            </label>
          </div>
          <div class="utrecht-form-field__description utrecht-form-field-description" id={`app-kind-${k}-hint`} safe>
            {t(hint[k])}
          </div>
        </div>
      ))}
    </fieldset>
  );
}

function AppsPage(props: { ctx: PageContext; apps: AppRow[]; form: FormValues; errors: FieldError[] }): JSX.Element {
  const { ctx, apps, form, errors } = props;
  const { t } = ctx;
  const title = errors.length > 0 ? `${t('form.errors.title')}: ${t('operatorApps.title')}` : t('operatorApps.title');
  const errorFor = (field: string) => errors.find((e) => e.field === field)?.message;
  return (
    <Layout ctx={ctx} title={title}>
      <BackLink ctx={ctx} />
      <h1 class="utrecht-heading-1" safe>
        {t('operatorApps.title')}
      </h1>
      <p class="utrecht-paragraph" safe>
        {t('operatorApps.intro')}
      </p>
      {apps.length === 0 ? (
        <p class="utrecht-paragraph koepel-notice" role="status" safe>
          {t('operatorApps.none')}
        </p>
      ) : (
        <>
          <p class="utrecht-paragraph" safe>
            {t('operatorApps.revokeNote')}
          </p>
          <AppTable ctx={ctx} apps={apps} />
        </>
      )}
      <section aria-labelledby="register-app-title" class="koepel-section">
        <h2 id="register-app-title" class="utrecht-heading-2" safe>
          {t('operatorApps.register.title')}
        </h2>
        <ErrorSummary ctx={ctx} errors={errors} />
        <form method="post" action={LIST} class="koepel-form" novalidate>
          <Csrf ctx={ctx} />
          <TextField
            id="app-name"
            name="name"
            label={t('operatorApps.register.name')}
            hint={t('operatorApps.register.nameHint')}
            value={form.name}
            autocomplete="off"
            maxlength={MAX_TEXT}
            required
            error={errorFor('app-name')}
          />
          <TextField
            id="app-vendor"
            name="vendor"
            label={t('operatorApps.register.vendor')}
            hint={t('operatorApps.register.vendorHint')}
            value={form.vendor}
            autocomplete="off"
            maxlength={MAX_TEXT}
            required
            error={errorFor('app-vendor')}
          />
          <RedirectUrisField ctx={ctx} value={form.redirectUris} error={errorFor('app-redirect-uris')} />
          <KindField ctx={ctx} value={form.kind} error={errorFor('app-kind-public')} />
          <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
            {t('operatorApps.register.submit')}
          </button>
        </form>
      </section>
    </Layout>
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
  const row = (label: string, value: JSX.Element) => <SummaryRow label={label}>{value}</SummaryRow>;
  return (
    <Layout ctx={ctx} title={t('operatorApps.created.title')}>
      <h1 class="utrecht-heading-1" safe>
        {t('operatorApps.created.title')}
      </h1>
      {secret !== null ? (
        <Alert
          kind="warning"
          class="koepel-secret-warning"
          id="secret-warning"
          title={t('operatorApps.created.warningTitle')}
          text={t('operatorApps.created.warning')}
        />
      ) : (
        <p class="utrecht-paragraph" safe>
          {t('operatorApps.created.publicNote')}
        </p>
      )}
      <dl class="utrecht-data-list utrecht-data-list--rows koepel-api-client-created">
        {row(t('operatorApps.created.name'), <span safe>{props.name}</span>)}
        {row(t('operatorApps.created.vendor'), <span safe>{props.vendor}</span>)}
        {row(t('operatorApps.created.kind'), <span safe>{kindLabel(t, secret !== null)}</span>)}
        {row(
          t('operatorApps.created.clientId'),
          <code class="koepel-secret" id="app-client-id" safe>
            {props.clientId}
          </code>,
        )}
        {secret !== null
          ? row(
              t('operatorApps.created.secret'),
              <code class="koepel-secret" id="app-client-secret" safe>
                {secret}
              </code>,
            )
          : ''}
        {row(t('operatorApps.created.redirectUris'), <UriList uris={props.redirectUris} />)}
      </dl>
      <p class="utrecht-paragraph">
        <a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" href={LIST} safe>
          {secret !== null ? t('operatorApps.created.doneSecret') : t('operatorApps.created.done')}
        </a>
      </p>
    </Layout>
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
