// GET /home: the citizen's start page after login. "Mijn zorgverleners" lists exactly the organisations of this
// portal with which the citizen has an active care relationship, with what each offers online (PZ-1, MG-1, MG-3);
// "Mijn gegevens" shows the BRP data, read-only (PZ-2). From the combined record it shows the next appointments
// and what is new since the previous login, per care provider (LU-1). The view is audited once, before anything
// is read; the record parts cost two small queries and decrypt only the few appointments shown.
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { activeCareProviders } from '../care-providers/index.js';
import { CareProviderList } from '../care-providers/index.js';
import type { BrpPerson } from '../identity/index.js';
import { displayName, readBrpSnapshot } from '../identity/index.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { formatDate as formatLangDate } from '../platform/i18n/format.js';
import type { CareProvider } from '../care-providers/index.js';
import { newSince, upcomingAppointments, type NewSince, type UpcomingAppointment } from './record-summary.js';
import { requireCitizen } from '../platform/auth/permissions.js';

function formatDate(ctx: PageContext, d: Date | string, withTime = false): string {
  return formatLangDate(ctx.lang, d, withTime ? 'dateTime' : 'date');
}

function addressLines(p: BrpPerson): string[] {
  const a = p.verblijfplaats.verblijfadres;
  const addition = [a.huisletter, a.huisnummertoevoeging].filter(Boolean).join(' ');
  const postcode = /^\d{4}[A-Z]{2}$/.test(a.postcode) ? `${a.postcode.slice(0, 4)} ${a.postcode.slice(4)}` : a.postcode;
  return [`${a.korteStraatnaam} ${a.huisnummer}${addition ? ` ${addition}` : ''}`, `${postcode} ${a.woonplaats}`];
}

function PersonalData(props: { ctx: PageContext; person: BrpPerson; fetchedAt: Date }): JSX.Element {
  const { ctx, person } = props;
  const { t } = ctx;
  const item = (label: MessageKey, value: JSX.Element, multiline = false) => (
    <div class="utrecht-data-list__item">
      <dt class="utrecht-data-list__item-key" safe>
        {t(label)}
      </dt>
      <dd
        class={`utrecht-data-list__item-value utrecht-data-list__item-value--html-dd${multiline ? ' utrecht-data-list__item-value--multiline' : ''}`}
      >
        {value}
      </dd>
    </div>
  );
  const birth = person.geboorte.datum;
  return (
    <section aria-labelledby="personal-title" class="koepel-section">
      <h2 id="personal-title" class="utrecht-heading-2" safe>
        {t('home.personal.title')}
      </h2>
      <p class="utrecht-paragraph koepel-notice" safe>
        {t('home.personal.brpNote')}
      </p>
      <dl class="utrecht-data-list utrecht-data-list--rows koepel-personal-data">
        {item('home.personal.name', <span safe>{person.naam.volledigeNaam}</span>)}
        {item('home.personal.initials', <span safe>{person.naam.voorletters}</span>)}
        {item('home.personal.bsn', <span safe>{person.burgerservicenummer}</span>)}
        {item(
          'home.personal.birthDate',
          <time datetime={birth.datum} safe>
            {formatDate(ctx, birth.datum)}
          </time>,
        )}
        {item('home.personal.gender', <span safe>{t(`home.gender.${person.geslacht.code}` as MessageKey)}</span>)}
        {item(
          'home.personal.address',
          <>
            {addressLines(person).map((line, i) => (
              <>
                {i > 0 ? <br /> : ''}
                <span safe>{line}</span>
              </>
            ))}
          </>,
          true,
        )}
      </dl>
      <p class="utrecht-paragraph utrecht-paragraph--small" safe>
        {t('home.personal.fetched', { date: formatDate(ctx, props.fetchedAt, true) })}
      </p>
    </section>
  );
}

const providerNameOf = (providers: CareProvider[], id: string) => providers.find((p) => p.id === id)?.name ?? '';

function UpcomingAppointments(props: {
  ctx: PageContext;
  appointments: UpcomingAppointment[];
  providers: CareProvider[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="appointments-title" class="koepel-section koepel-home-panel">
      <h2 id="appointments-title" class="utrecht-heading-2" safe>
        {t('home.appointments.title')}
      </h2>
      {props.appointments.length === 0 ? (
        <p class="utrecht-paragraph" safe>
          {t('home.appointments.none')}
        </p>
      ) : (
        <ul class="koepel-plain-list koepel-home-appointments">
          {props.appointments.map((a) => (
            <li class="koepel-home-appointment">
              <p class="koepel-home-appointment-when">
                <time datetime={a.start.toISOString()} safe>
                  {formatDate(ctx, a.start, true)}
                </time>
              </p>
              <p class="koepel-home-appointment-what" safe>
                {a.title}
              </p>
              <p class="koepel-home-appointment-detail" safe>
                {[a.with, a.where].filter(Boolean).join(' · ')}
              </p>
              <p class="koepel-source" safe>
                {t('dossier.source', { org: providerNameOf(props.providers, a.organisationId) })}
              </p>
            </li>
          ))}
        </ul>
      )}
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/dossier/appointments" safe>
          {t('home.appointments.more')}
        </a>
      </p>
    </section>
  );
}

function NewSinceLastVisit(props: {
  ctx: PageContext;
  fresh: NewSince[];
  providers: CareProvider[];
  previous: Date | null;
}): JSX.Element {
  const { ctx, previous } = props;
  const { t } = ctx;
  const plural = (base: string, n: number) => t(`${base}.count` as MessageKey, { count: n });
  // In provider order; providers with nothing new are left out.
  const rows = props.providers
    .map((p) => ({ p, n: props.fresh.find((f) => f.organisationId === p.id) }))
    .filter((x): x is { p: CareProvider; n: NewSince } => x.n !== undefined && x.n.lab + x.n.documents > 0);
  const org = (id: string) => `?org=${encodeURIComponent(id)}`;
  return (
    <section aria-labelledby="new-title" class="koepel-section koepel-home-panel">
      <h2 id="new-title" class="utrecht-heading-2" safe>
        {t('home.new.title')}
      </h2>
      {rows.length === 0 ? (
        <p class="utrecht-paragraph" safe>
          {previous ? t('home.new.none', { date: formatDate(ctx, previous, true) }) : t('home.new.noneFirst')}
        </p>
      ) : (
        <>
          <p class="utrecht-paragraph" safe>
            {previous ? t('home.new.since', { date: formatDate(ctx, previous, true) }) : t('home.new.first')}
          </p>
          <ul class="koepel-plain-list koepel-home-new">
            {rows.map(({ p, n }) => (
              <li>
                <h3 class="utrecht-heading-3 koepel-home-new-provider" safe>
                  {p.name}
                </h3>
                <ul class="koepel-plain-list">
                  {n.lab > 0 ? (
                    <li>
                      <a class="utrecht-link" href={`/dossier/lab${org(p.id)}`} safe>
                        {plural(previous ? 'home.new.lab' : 'home.new.firstLab', n.lab)}
                      </a>
                    </li>
                  ) : (
                    ''
                  )}
                  {n.documents > 0 ? (
                    <li>
                      <a class="utrecht-link" href={`/dossier/documents${org(p.id)}`} safe>
                        {plural(previous ? 'home.new.documents' : 'home.new.firstDocuments', n.documents)}
                      </a>
                    </li>
                  ) : (
                    ''
                  )}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function registerCitizenHome(app: FastifyInstance): void {
  app.get('/home', async (req, reply) => {
    const citizen = requireCitizen(req);
    const data = await req.withData(async (scope) => {
      const { tx, keys } = scope;
      await scope.audit({
        event: 'citizen.home.view',
        action: 'R',
        citizenId: citizen.citizenId,
        resourceType: 'citizen',
        resourceId: citizen.citizenId,
      });
      const row = await tx
        .selectFrom('citizen')
        .select(['given_names', 'name_prefix', 'family_name', 'brp_ciphertext', 'brp_fetched_at', 'previous_login_at'])
        .where('id', '=', citizen.citizenId)
        .executeTakeFirst();
      if (!row) throw new HttpError(401, 'loginRequired');
      const person = await readBrpSnapshot(tx, keys, citizen.citizenId, row.brp_ciphertext);
      const providers = await activeCareProviders(tx, citizen.citizenId, citizen.portalId);
      const appointments = await upcomingAppointments(scope, citizen.citizenId);
      const fresh = await newSince(scope, citizen.citizenId, row.previous_login_at);
      return {
        name: displayName(row),
        person,
        fetchedAt: row.brp_fetched_at,
        providers,
        appointments,
        fresh,
        previousLogin: row.previous_login_at,
      };
    });
    const ctx = pageContext(req);
    const { t } = ctx;
    return sendPage(
      reply,
      <Layout ctx={ctx} title={t('home.title')}>
        <h1 class="utrecht-heading-1" safe>
          {t('home.welcome', { name: data.name })}
        </h1>
        <div class="koepel-home-grid">
          <UpcomingAppointments ctx={ctx} appointments={data.appointments} providers={data.providers} />
          <NewSinceLastVisit ctx={ctx} fresh={data.fresh} providers={data.providers} previous={data.previousLogin} />
        </div>
        <section aria-labelledby="dossier-title" class="koepel-section koepel-notice">
          <h2 id="dossier-title" class="utrecht-heading-2" safe>
            {t('home.dossier.title')}
          </h2>
          <p class="utrecht-paragraph" safe>
            {t('home.dossier.text')}
          </p>
          <ul class="koepel-inline-list">
            <li>
              <a class="utrecht-link" href="/dossier" safe>
                {t('home.dossier.link')}
              </a>
            </li>
            <li>
              <a class="utrecht-link" href="/access-log" safe>
                {t('home.accessLog.link')}
              </a>
            </li>
          </ul>
        </section>
        <section aria-labelledby="providers-title" class="koepel-section">
          <h2 id="providers-title" class="utrecht-heading-2" safe>
            {t('home.providers.title')}
          </h2>
          <p class="utrecht-paragraph" safe>
            {t('home.providers.intro', { portal: ctx.portal.name })}
          </p>
          {data.providers.length > 0 ? (
            <CareProviderList ctx={ctx} providers={data.providers} />
          ) : (
            <p class="utrecht-paragraph" safe>
              {t('home.providers.none')}
            </p>
          )}
        </section>
        <PersonalData ctx={ctx} person={data.person} fetchedAt={data.fetchedAt} />
      </Layout>,
    );
  });
}

export { Html };
