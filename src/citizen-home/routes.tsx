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
import { greetingName, mayDiscloseBrpData, readBrpSnapshot, residence } from '../identity/index.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, sendPage } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Alert, Heading, Link, Page, Paragraph, Section, SummaryList, Text } from '../platform/web/components/index.js';
import { sql } from 'kysely';
import { formatDate as formatLangDate } from '../platform/i18n/format.js';
import type { CareProvider } from '../care-providers/index.js';
import { newSince, upcomingAppointments, type NewSince, type UpcomingAppointment } from './record-summary.js';
import { requireCitizen } from '../platform/auth/permissions.js';
import { compiledOnce } from '../platform/db/compiled.js';

/** Compiled once (src/platform/db/compiled.ts): it runs on every home page. */
const citizenRow = compiledOnce((db, citizenId: string) =>
  db
    .selectFrom('citizen')
    .select(['brp_ciphertext', 'brp_fetched_at', 'previous_login_at'])
    .where('id', '=', citizenId),
);

function formatDate(ctx: PageContext, d: Date | string, withTime = false): string {
  return formatLangDate(ctx.lang, d, withTime ? 'dateTime' : 'date');
}

function BirthDate(props: { ctx: PageContext; person: BrpPerson }): JSX.Element {
  const { ctx } = props;
  const d = props.person.geboorte.datum;
  const pad = (n: number) => String(n).padStart(2, '0');
  switch (d.type) {
    case 'Datum':
      return (
        <time datetime={d.datum} safe>
          {formatDate(ctx, d.datum)}
        </time>
      );
    case 'JaarMaandDatum': {
      // Only year and month are known: shown as such ("mei 1968"), never as a made-up day.
      const text = new Intl.DateTimeFormat(ctx.lang === 'nl' ? 'nl-NL' : 'en-GB', {
        year: 'numeric',
        month: 'long',
        timeZone: 'UTC',
      }).format(new Date(Date.UTC(d.jaar, d.maand - 1, 15)));
      return (
        <time datetime={`${String(d.jaar).padStart(4, '0')}-${pad(d.maand)}`} safe>
          {ctx.t('home.personal.birthDatePartial', { date: text })}
        </time>
      );
    }
    case 'JaarDatum':
      return (
        <time datetime={String(d.jaar).padStart(4, '0')} safe>
          {ctx.t('home.personal.birthDateYear', { date: String(d.jaar) })}
        </time>
      );
    case 'DatumOnbekend':
      return <span safe>{ctx.t('home.personal.birthDateUnknown')}</span>;
  }
}

function Lines(props: { lines: string[] }): JSX.Element {
  return (
    <>
      {props.lines.map((line, i) => (
        <>
          {i > 0 ? <br /> : ''}
          <span safe>{line}</span>
        </>
      ))}
    </>
  );
}

function Residence(props: { ctx: PageContext; person: BrpPerson }): JSX.Element {
  const { t } = props.ctx;
  const r = residence(props.person);
  switch (r.kind) {
    case 'address':
      return <Lines lines={r.lines} />;
    case 'abroad':
      return (
        <Lines
          lines={[
            r.country ? t('home.personal.abroadIn', { country: r.country }) : t('home.personal.abroad'),
            ...r.lines,
          ]}
        />
      );
    case 'location':
      return <Lines lines={[t('home.personal.location'), ...r.lines]} />;
    case 'unknown':
      return <span safe>{t('home.personal.addressUnknown')}</span>;
  }
}

function PersonalData(props: { ctx: PageContext; person: BrpPerson; fetchedAt: Date }): JSX.Element {
  const { ctx, person } = props;
  const { t } = ctx;
  const aanschrijfwijze = person.adressering.aanschrijfwijze;
  const secret = !mayDiscloseBrpData(person);
  return (
    <Section id="personal-title" title={t('home.personal.title')}>
      <Text style="notice" text={t('home.personal.brpNote')} />
      <SummaryList
        class="koepel-personal-data"
        items={[
          { label: t('home.personal.name'), text: person.naam.volledigeNaam },
          ...(person.naam.voorletters ? [{ label: t('home.personal.initials'), text: person.naam.voorletters }] : []),
          ...(aanschrijfwijze
            ? [
                {
                  label: t('home.personal.addressedAs'),
                  html: <Lines lines={[aanschrijfwijze.aanspreekvorm ?? '', aanschrijfwijze.naam].filter(Boolean)} />,
                },
              ]
            : []),
          { label: t('home.personal.bsn'), text: person.burgerservicenummer },
          { label: t('home.personal.birthDate'), html: <BirthDate ctx={ctx} person={person} /> },
          { label: t('home.personal.gender'), text: t(`home.gender.${person.geslacht.code}` as MessageKey) },
          { label: t('home.personal.address'), html: <Residence ctx={ctx} person={person} /> },
          {
            label: t('home.personal.secrecy'),
            text: secret ? t('home.personal.secrecyYes') : t('home.personal.secrecyNo'),
          },
        ]}
      />
      <Text style="small" text={t('home.personal.fetched', { date: formatDate(ctx, props.fetchedAt, true) })} />
    </Section>
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
    <Section id="appointments-title" class="koepel-home-panel" title={t('home.appointments.title')}>
      {props.appointments.length === 0 ? (
        <Text text={t('home.appointments.none')} />
      ) : (
        <ul class="koepel-plain-list koepel-home-appointments">
          {props.appointments.map((a) => (
            <li class="koepel-home-appointment">
              <p class="koepel-home-appointment-when">
                <time datetime={a.start.toISOString()} safe>
                  {formatDate(ctx, a.start, true)}
                </time>
              </p>
              {a.booked ? (
                <p class="koepel-home-appointment-what">
                  <Link href={a.booked.href} text={a.title} />
                  {a.booked.requested ? <span safe>{` (${t('home.appointments.requested')})`}</span> : ''}
                </p>
              ) : (
                <p class="koepel-home-appointment-what" safe>
                  {a.title}
                </p>
              )}
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
      <Paragraph>
        <Link href="/dossier/appointments" text={t('home.appointments.more')} />
      </Paragraph>
    </Section>
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
  const since = previous ? formatDate(ctx, previous, true) : '';
  return (
    <Section id="new-title" class="koepel-home-panel" title={t('home.new.title')}>
      {rows.length === 0 ? (
        <Text text={previous ? t('home.new.none', { date: since }) : t('home.new.noneFirst')} />
      ) : (
        <>
          <Text text={previous ? t('home.new.since', { date: since }) : t('home.new.first')} />
          <ul class="koepel-plain-list koepel-home-new">
            {rows.map(({ p, n }) => (
              <li>
                <Heading level={3} class="koepel-home-new-provider" text={p.name} />
                <ul class="koepel-plain-list">
                  {n.lab > 0 ? (
                    <li>
                      <Link
                        href={`/dossier/lab${org(p.id)}`}
                        text={plural(previous ? 'home.new.lab' : 'home.new.firstLab', n.lab)}
                      />
                    </li>
                  ) : (
                    ''
                  )}
                  {n.documents > 0 ? (
                    <li>
                      <Link
                        href={`/dossier/documents${org(p.id)}`}
                        text={plural(previous ? 'home.new.documents' : 'home.new.firstDocuments', n.documents)}
                      />
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
    </Section>
  );
}

function HomePage(props: {
  ctx: PageContext;
  name: string;
  person: BrpPerson;
  fetchedAt: Date;
  providers: CareProvider[];
  appointments: UpcomingAppointment[];
  fresh: NewSince[];
  previousLogin: Date | null;
  privacyNotice: { id: string; date: string } | null;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Page ctx={ctx} title={t('home.welcome', { name: props.name })} documentTitle={t('home.title')}>
      {/* Issue 14 (LU-10): a new privacy statement, announced until the citizen opened its notice. */}
      {props.privacyNotice ? (
        <Alert kind="info" id="privacy-changed" title={t('home.privacyChanged.title')}>
          <Paragraph>
            <span safe>
              {t('home.privacyChanged.text', {
                portal: ctx.portal.name,
                date: formatLangDate(ctx.lang, props.privacyNotice.date),
              })}
            </span>{' '}
            <Link href={`/messages/system/${props.privacyNotice.id}`} text={t('home.privacyChanged.link')} />
          </Paragraph>
        </Alert>
      ) : (
        ''
      )}
      <div class="koepel-home-grid">
        <UpcomingAppointments ctx={ctx} appointments={props.appointments} providers={props.providers} />
        <NewSinceLastVisit ctx={ctx} fresh={props.fresh} providers={props.providers} previous={props.previousLogin} />
      </div>
      <Section id="dossier-title" class="koepel-notice" title={t('home.dossier.title')}>
        <Text text={t('home.dossier.text')} />
        <ul class="koepel-inline-list">
          <li>
            <Link href="/dossier" text={t('home.dossier.link')} />
          </li>
          <li>
            <Link href="/record-requests" text={t('home.recordRequests.link')} />
          </li>
          <li>
            <Link href="/access-log" text={t('home.accessLog.link')} />
          </li>
        </ul>
      </Section>
      <Section id="providers-title" title={t('home.providers.title')}>
        <Text text={t('home.providers.intro', { portal: ctx.portal.name })} />
        {props.providers.length > 0 ? (
          <CareProviderList ctx={ctx} providers={props.providers} />
        ) : (
          <Text text={t('home.providers.none')} />
        )}
      </Section>
      <PersonalData ctx={ctx} person={props.person} fetchedAt={props.fetchedAt} />
    </Page>
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
      const [row] = await citizenRow(tx, citizen.citizenId);
      if (!row) throw new HttpError(401, 'loginRequired');
      const person = await readBrpSnapshot(tx, keys, citizen.citizenId, row.brp_ciphertext);
      const providers = await activeCareProviders(tx, citizen.citizenId, citizen.portalId);
      const appointments = await upcomingAppointments(scope, citizen.citizenId);
      const fresh = await newSince(scope, citizen.citizenId, row.previous_login_at);
      // Issue 14 (LU-10): the latest privacy statement notice of their portal they have not opened (migration 0032).
      const { rows: notices } = await sql<{ id: string; date: string }>`
        select p.id, p.params ->> 'date' as date from portal_notice p
        where p.portal_id = ${citizen.portalId}::uuid and p.kind = 'privacy-statement-change'
          and p.created_at >= (select c.created_at from citizen c where c.id = ${citizen.citizenId}::uuid)
          and not exists (select 1 from portal_notice_read r
                          where r.citizen_id = ${citizen.citizenId}::uuid and r.notice_id = p.id)
        order by p.created_at desc limit 1`.execute(tx);
      return {
        privacyNotice: notices[0] ?? null,
        // Greeted as the BRP itself says to refer to the person (adressering.gebruikInLopendeTekst).
        name: greetingName(person),
        person,
        fetchedAt: row.brp_fetched_at,
        providers,
        appointments,
        fresh,
        previousLogin: row.previous_login_at,
      };
    });
    return sendPage(reply, <HomePage ctx={pageContext(req)} {...data} />);
  });
}

export { Html };
