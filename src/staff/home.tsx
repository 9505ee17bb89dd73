// The staff home (/staff): the employee's organisation with its contact details, the patient search (for those
// with the right), and an offer to set up two-step verification when it is not on yet. /staff/account lets an
// employee set up or replace their authenticator app.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MessageKey } from '../platform/i18n/i18n.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { HttpError } from '../platform/http/errors.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import type { OrganisationKind, StaffRole } from '../platform/db/schema.js';
import { PatientSearchForm } from '../patients/index.js';
import { getAccount } from './accounts.js';
import { EnrolPage, type EnrolView } from './login-views.js';
import type { FieldError } from '../platform/web/components/index.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import { formatDate } from '../platform/i18n/format.js';
import {
  enrolTotp,
  manualKey,
  newTotpSecret,
  openTotpSecret,
  otpauthUri,
  parseCode,
  qrDataUrl,
  sealTotpSecret,
  stepOf,
} from './totp.js';

interface OrganisationView {
  name: string;
  kind: OrganisationKind;
  agbCode: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
}

function StaffHomePage(props: {
  ctx: PageContext;
  name: string;
  role: StaffRole;
  organisation: OrganisationView;
  canSearch: boolean;
  totpOn: boolean;
  canManageApiClients?: boolean;
  /** Links to record requests (MG-7) and category settings (MG-1), by permission. */
  canHandleRequests?: boolean;
  canSetCategories?: boolean;
}): JSX.Element {
  const { ctx, organisation: o } = props;
  const { t } = ctx;
  const address = [o.street, [o.postalCode, o.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const row = (label: string, value: JSX.Element | string) => (
    <div class="utrecht-data-list__item">
      <dt class="utrecht-data-list__item-key" safe>
        {label}
      </dt>
      <dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">{value}</dd>
    </div>
  );
  const text = (v: string) => <span safe>{v}</span>;
  return (
    <Layout ctx={ctx} title={t('staff.home.title')}>
      <h1 class="utrecht-heading-1" safe>
        {t('staff.home.welcome', { name: props.name })}
      </h1>
      <p class="utrecht-paragraph" safe>
        {t('staff.home.role', { role: t(`staff.role.${props.role}` as MessageKey), organisation: o.name })}
      </p>
      {props.totpOn ? (
        ''
      ) : (
        <div class="utrecht-alert utrecht-alert--info koepel-notice" role="note">
          <p class="utrecht-paragraph" safe>
            {t('staff.home.totpOffer')}
          </p>
          <p class="utrecht-paragraph">
            <a class="utrecht-link" href="/staff/account/totp" safe>
              {t('staff.home.totpOfferLink')}
            </a>
          </p>
        </div>
      )}
      {props.canSearch ? (
        <PatientSearchForm ctx={ctx} />
      ) : (
        <section aria-labelledby="patient-search-title">
          <h2 id="patient-search-title" class="utrecht-heading-2" safe>
            {t('patients.search.title')}
          </h2>
          <p class="utrecht-paragraph" safe>
            {t('staff.home.noSearch')}
          </p>
        </section>
      )}
      <section aria-labelledby="organisation-title" class="koepel-card koepel-organisation">
        <h2 id="organisation-title" class="utrecht-heading-2" safe>
          {`${t('staff.home.organisation')}: ${o.name}`}
        </h2>
        <dl class="utrecht-data-list utrecht-data-list--rows">
          {row(t('staff.home.kind'), text(t(`staff.kind.${o.kind}` as MessageKey)))}
          {o.agbCode ? row(t('staff.home.agb'), text(o.agbCode)) : ''}
          {address ? row(t('staff.home.address'), text(address)) : ''}
          {o.phone
            ? row(
                t('staff.home.phone'),
                <a class="utrecht-link utrecht-link--telephone" href={`tel:${o.phone.replace(/\s/g, '')}`} safe>
                  {o.phone}
                </a>,
              )
            : ''}
          {o.email
            ? row(
                t('staff.home.email'),
                <a class="utrecht-link" href={`mailto:${o.email}`} safe>
                  {o.email}
                </a>,
              )
            : ''}
          {o.website && /^https:\/\//.test(o.website)
            ? row(
                t('staff.home.website'),
                <a class="utrecht-link" href={o.website} safe>
                  {o.website}
                </a>,
              )
            : ''}
        </dl>
      </section>
      {props.canHandleRequests ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href="/staff/record-requests" safe>
            {t('recordRequests.staff.link')}
          </a>
        </p>
      ) : (
        ''
      )}
      {props.canSetCategories ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href="/staff/organisation/categories" safe>
            {t('orgAdmin.categories.link')}
          </a>
        </p>
      ) : (
        ''
      )}
      {props.canManageApiClients ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href="/staff/admin/api-clients" safe>
            {t('apiClients.home.link')}
          </a>
        </p>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/staff/account" safe>
          {t('staff.home.account')}
        </a>
      </p>
    </Layout>
  );
}

function AccountPage(props: { ctx: PageContext; totpConfirmedAt: Date | null; backHref: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const since = props.totpConfirmedAt ? formatDate(ctx.lang, props.totpConfirmedAt) : '';
  return (
    <Layout ctx={ctx} title={t('staff.account.title')}>
      <h1 class="utrecht-heading-1" safe>
        {t('staff.account.title')}
      </h1>
      <p class="utrecht-paragraph koepel-account-status" safe>
        {props.totpConfirmedAt ? t('staff.account.totpOn', { date: since }) : t('staff.account.totpOff')}
      </p>
      {props.totpConfirmedAt ? (
        <p class="utrecht-paragraph" safe>
          {t('staff.account.reenrolNote')}
        </p>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph">
        <a
          class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--secondary-action koepel-account-action"
          href="/staff/account/totp"
          safe
        >
          {props.totpConfirmedAt ? t('staff.account.reenrol') : t('staff.account.enrol')}
        </a>
      </p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={props.backHref} safe>
          {t('staff.account.back')}
        </a>
      </p>
    </Layout>
  );
}

/** Staff and operators both have an account page; this is who is asking. */
function accountHolder(req: FastifyRequest): { staffId: string; home: string } {
  const p = req.principal;
  if (p.kind === 'staff') return { staffId: p.staffId, home: '/staff' };
  if (p.kind === 'operator') return { staffId: p.staffId, home: '/operator/alerts' };
  throw new HttpError(401, 'loginRequired');
}

const ENROL_STATE = 'totpEnrol';
const codeBody = z.object({ code: z.string().max(20) });

/** The secret on show for (re-)enrolment from the account page: kept sealed in the session until confirmed. */
async function accountEnrolView(
  req: FastifyRequest,
  staffId: string,
  home: string,
): Promise<{ view: EnrolView; secret: Uint8Array } | null> {
  const { keys, sessions } = req.server.koepel;
  const session = req.session;
  if (!session) return null;
  const ctx = pageContext(req);
  const account = await req.withData(({ tx }) => getAccount(tx, staffId));
  if (!account) return null;
  const stored = session.state[ENROL_STATE];
  let secret: Uint8Array;
  if (typeof stored === 'string') {
    secret = openTotpSecret(keys, staffId, Buffer.from(stored, 'base64'), 'pending');
  } else {
    secret = newTotpSecret();
    await sessions.updateState(session, {
      ...session.state,
      [ENROL_STATE]: sealTotpSecret(keys, staffId, secret, 'pending').toString('base64'),
    });
  }
  return {
    secret,
    view: {
      qrDataUrl: await qrDataUrl(otpauthUri(secret, ctx.portal.name, account.email)),
      manualKey: manualKey(secret),
      required: false,
      action: '/staff/account/totp',
      cancel: { href: home, label: ctx.t('staff.account.back') },
    },
  };
}

export function registerStaffHomeRoutes(app: FastifyInstance): void {
  app.get('/staff', async (req, reply) => {
    if (req.principal.kind === 'operator') return reply.redirect('/operator/alerts', 303);
    const p = requireStaff(req);
    const { organisation, account } = await req.withData(async ({ tx }) => ({
      organisation: await tx
        .selectFrom('organisation')
        .select(['name', 'kind', 'agb_code', 'phone', 'email', 'website', 'street', 'postal_code', 'city'])
        .where('id', '=', p.organisationId)
        .executeTakeFirstOrThrow(),
      account: await getAccount(tx, p.staffId),
    }));
    return sendPage(
      reply,
      <StaffHomePage
        ctx={pageContext(req)}
        name={account?.displayName ?? ''}
        role={p.role}
        organisation={{
          name: organisation.name,
          kind: organisation.kind,
          agbCode: organisation.agb_code,
          phone: organisation.phone,
          email: organisation.email,
          website: organisation.website,
          street: organisation.street,
          postalCode: organisation.postal_code,
          city: organisation.city,
        }}
        canSearch={p.permissions.includes(PERMISSIONS.patientsSearch)}
        totpOn={account?.totpConfirmedAt != null}
        canManageApiClients={p.permissions.includes(PERMISSIONS.adminApiClients)}
        canHandleRequests={p.permissions.includes(PERMISSIONS.recordRequests)}
        canSetCategories={p.permissions.includes(PERMISSIONS.adminOrganisation)}
      />,
    );
  });

  app.get('/staff/account', async (req, reply) => {
    const { staffId, home } = accountHolder(req);
    const account = await req.withData(({ tx }) => getAccount(tx, staffId));
    return sendPage(
      reply,
      <AccountPage ctx={pageContext(req)} totpConfirmedAt={account?.totpConfirmedAt ?? null} backHref={home} />,
    );
  });

  app.get('/staff/account/totp', async (req, reply) => {
    const { staffId, home } = accountHolder(req);
    const enrol = await accountEnrolView(req, staffId, home);
    if (!enrol) throw new HttpError(401, 'loginRequired');
    return sendPage(reply, <EnrolPage ctx={pageContext(req)} view={enrol.view} />);
  });

  app.post('/staff/account/totp', async (req, reply) => enrolFromAccount(req, reply));
}

async function enrolFromAccount(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { staffId, home } = accountHolder(req);
  const enrol = await accountEnrolView(req, staffId, home);
  if (!enrol) throw new HttpError(401, 'loginRequired');
  const ctx = pageContext(req);
  const parsed = codeBody.safeParse(req.body);
  const code = parsed.success ? parseCode(parsed.data.code) : null;
  const codeError = (key: 'staff.errors.codeFormat' | 'staff.errors.codeWrong'): FieldError[] => [
    { field: 'code', message: ctx.t(key) },
  ];
  if (!code)
    return sendPage(
      reply,
      <EnrolPage ctx={ctx} view={enrol.view} errors={codeError('staff.errors.codeFormat')} />,
      400,
    );
  const step = stepOf(enrol.secret, code);
  if (step === null)
    return sendPage(reply, <EnrolPage ctx={ctx} view={enrol.view} errors={codeError('staff.errors.codeWrong')} />, 401);
  const { keys, sessions } = req.server.koepel;
  await req.withData(async (scope) => {
    await enrolTotp(scope.tx, keys, staffId, enrol.secret, step);
    await scope.audit({ event: 'staff.totp.enrol', action: 'U', resourceType: 'staff_account', resourceId: staffId });
  });
  const session = req.session;
  if (session) {
    await sessions.updateState(
      session,
      Object.fromEntries(Object.entries(session.state).filter(([k]) => k !== ENROL_STATE)),
    );
  }
  return reply.redirect('/staff/account', 303);
}
