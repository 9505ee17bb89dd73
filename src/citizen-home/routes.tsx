// GET /home: the citizen's start page after login. "Mijn zorgverleners" lists exactly the organisations of this
// portal with which the citizen has an active care relationship, with what each offers online (PZ-1, MG-1, MG-3);
// "Mijn gegevens" shows the BRP data, read-only (PZ-2). The view is audited before anything is read.
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { activeCareProviders } from '../care-providers/care-providers.js';
import { CareProviderList } from '../care-providers/views.js';
import type { BrpPerson } from '../identity/brp/fixture-persons.js';
import { displayName, readBrpSnapshot } from '../identity/citizens.js';
import { HttpError } from '../platform/http/errors.js';
import { pageContext, requireCitizen, sendPage } from '../platform/http/request-context.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { formatDate as formatLangDate } from '../platform/i18n/format.js';

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
        .select(['given_names', 'name_prefix', 'family_name', 'brp_ciphertext', 'brp_fetched_at'])
        .where('id', '=', citizen.citizenId)
        .executeTakeFirst();
      if (!row) throw new HttpError(401, 'loginRequired');
      const person = await readBrpSnapshot(tx, keys, citizen.citizenId, row.brp_ciphertext);
      const providers = await activeCareProviders(tx, citizen.citizenId, citizen.portalId);
      return { name: displayName(row), person, fetchedAt: row.brp_fetched_at, providers };
    });
    const ctx = pageContext(req);
    const { t } = ctx;
    return sendPage(
      reply,
      <Layout ctx={ctx} title={t('home.title')}>
        <h1 class="utrecht-heading-1" safe>
          {t('home.welcome', { name: data.name })}
        </h1>
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
