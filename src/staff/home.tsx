// The staff home (/staff): the employee's organisation with its contact details, the patient search (for those
// with the right), and an offer to set up two-step verification when it is not on yet. /staff/account lets an
// employee set up or replace their authenticator app.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MessageKey } from '../platform/i18n/i18n.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import { HttpError } from '../platform/http/errors.js';
import type { PageContext } from '../platform/web/context.js';
import type { OrganisationKind, StaffRole } from '../platform/db/schema.js';
import { PatientSearchForm } from '../patients/index.js';
import { getAccount } from './accounts.js';
import { EnrolPage, LinkLine, type EnrolView } from './login-views.js';
import {
  Alert,
  ButtonLink,
  Card,
  CardList,
  Link,
  Page,
  Section,
  SummaryList,
  Text,
  type FieldError,
  type SummaryItem,
} from '../platform/web/components/index.js';
import { PERMISSIONS, requireStaff } from '../platform/auth/permissions.js';
import { formatDate } from '../platform/i18n/format.js';
import { codeOfForm, enrolmentCodes, enrolmentSecret, enrolTotp, stepOf } from './totp.js';

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
  const details: SummaryItem[] = [{ label: t('staff.home.kind'), text: t(`staff.kind.${o.kind}` as MessageKey) }];
  if (o.agbCode) details.push({ label: t('staff.home.agb'), text: o.agbCode });
  if (address) details.push({ label: t('staff.home.address'), text: address });
  if (o.phone)
    details.push({
      label: t('staff.home.phone'),
      html: <Link href={`tel:${o.phone.replace(/\s/g, '')}`} text={o.phone} />,
    });
  if (o.email) details.push({ label: t('staff.home.email'), html: <Link href={`mailto:${o.email}`} text={o.email} /> });
  if (o.website && /^https:\/\//.test(o.website))
    details.push({ label: t('staff.home.website'), html: <Link href={o.website} text={o.website} /> });
  const links: { show: boolean | undefined; href: string; text: string }[] = [
    { show: props.canHandleRequests, href: '/staff/record-requests', text: t('recordRequests.staff.link') },
    { show: props.canSetCategories, href: '/staff/organisation/categories', text: t('orgAdmin.categories.link') },
    { show: props.canManageApiClients, href: '/staff/admin/api-clients', text: t('apiClients.home.link') },
    { show: true, href: '/staff/account', text: t('staff.home.account') },
  ];
  return (
    <Page ctx={ctx} title={t('staff.home.welcome', { name: props.name })} documentTitle={t('staff.home.title')}>
      <Text text={t('staff.home.role', { role: t(`staff.role.${props.role}` as MessageKey), organisation: o.name })} />
      <WaitingForYou ctx={ctx} />
      {props.totpOn ? (
        ''
      ) : (
        <Alert kind="info" class="koepel-notice" text={t('staff.home.totpOffer')}>
          <LinkLine href="/staff/account/totp" text={t('staff.home.totpOfferLink')} />
        </Alert>
      )}
      {props.canSearch ? (
        <PatientSearchForm ctx={ctx} />
      ) : (
        <Section id="patient-search-title" title={t('patients.search.title')}>
          <Text text={t('staff.home.noSearch')} />
        </Section>
      )}
      <div class="koepel-organisation">
        <Section id="organisation-title" card title={`${t('staff.home.organisation')}: ${o.name}`}>
          <SummaryList items={details} />
        </Section>
      </div>
      {links
        .filter((l) => l.show)
        .map((l) => (
          <LinkLine href={l.href} text={l.text} />
        ))}
    </Page>
  );
}

/**
 * The dashboard's "Wat op u wacht": every menu link of the workplace that counts something (open record requests,
 * …), with its count. The counts are the menu's own (one count per page view), so nothing is counted twice.
 */
async function WaitingForYou(props: { ctx: PageContext }): Promise<string> {
  const { ctx } = props;
  const { t } = ctx;
  const counted = ctx.navigation.filter((l) => l.badge && l.badgeLabel);
  if (counted.length === 0) return '';
  const counts = await Promise.all(counted.map((l) => ctx.badge(l)));
  return (
    <Section id="waiting-title" title={t('staff.home.waiting')}>
      <CardList>
        {counted.map((l, i) => {
          const count = counts[i];
          const label = l.badgeLabel;
          if (count === null || count === undefined || !label) return '';
          return (
            <Card id={`waiting-${i}`} level={3} title={t(l.label)} href={l.href}>
              <p class="koepel-dashboard-count" aria-hidden="true" safe>
                {String(count)}
              </p>
              <Text text={t(label, { count })} />
            </Card>
          );
        })}
      </CardList>
    </Section>
  );
}

function AccountPage(props: { ctx: PageContext; totpConfirmedAt: Date | null; backHref: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const since = props.totpConfirmedAt ? formatDate(ctx.lang, props.totpConfirmedAt) : '';
  return (
    <Page ctx={ctx} title={t('staff.account.title')}>
      <Text text={props.totpConfirmedAt ? t('staff.account.totpOn', { date: since }) : t('staff.account.totpOff')} />
      {props.totpConfirmedAt ? <Text text={t('staff.account.reenrolNote')} /> : ''}
      <div class="koepel-account-action">
        <ButtonLink
          href="/staff/account/totp"
          style="secondary"
          text={props.totpConfirmedAt ? t('staff.account.reenrol') : t('staff.account.enrol')}
        />
      </div>
      <LinkLine href={props.backHref} text={t('staff.account.back')} />
    </Page>
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
  const secret = await enrolmentSecret(keys, staffId, typeof stored === 'string' ? stored : undefined, (sealed) =>
    sessions.updateState(session, { ...session.state, [ENROL_STATE]: sealed }),
  );
  return {
    secret,
    view: {
      ...(await enrolmentCodes(secret, ctx.portal.name, account.email)),
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
  const code = codeOfForm(req.body);
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
