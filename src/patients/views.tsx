// The patient search form (on the staff home and above the results) and the results page.
import { birthDateIso, type BirthDate } from '../identity/index.js';
import { formatDate } from '../platform/i18n/format.js';
import type { PageContext } from '../platform/web/context.js';
import {
  Button,
  DataTable,
  ErrorSummary,
  Form,
  Link,
  Page,
  Section,
  Text,
  TextField,
  type FieldError,
} from '../platform/web/components/index.js';
import { SEARCH_LIMIT, type SearchResult } from './search.js';

export interface SearchValues {
  name: string;
  born: string;
}

/**
 * A birth date as staff read it: dd-mm-yyyy when the whole date is known (as birth dates are written in Dutch care);
 * otherwise only the part the BRP knows — "maart 1980", "1980" — or "onbekend". Never a made-up day: a partial
 * date's first possible day (what the column keeps for sorting) is not shown.
 */
export function birthDateText(ctx: PageContext, b: BirthDate): string {
  if (b.date === null) return ctx.t('patients.birthDate.unknown');
  switch (b.precision) {
    case 'day': {
      const [y, m, d] = b.date.split('-');
      return y && m && d ? `${d}-${m}-${y}` : b.date;
    }
    case 'month':
      return formatDate(ctx.lang, b.date, 'monthYear');
    case 'year':
      return b.date.slice(0, 4);
    case 'unknown':
      return ctx.t('patients.birthDate.unknown');
  }
}

/** A birth date in a <time> element (datetime yyyy-mm-dd, yyyy-mm or yyyy); an unknown one as plain text. */
export function StaffBirthDate(props: { ctx: PageContext; date: BirthDate }): JSX.Element {
  const text = birthDateText(props.ctx, props.date);
  const iso = birthDateIso(props.date);
  return iso ? (
    <time datetime={iso} safe>
      {text}
    </time>
  ) : (
    <span safe>{text}</span>
  );
}

export function PatientSearchForm(props: {
  ctx: PageContext;
  values?: SearchValues;
  errors?: FieldError[];
  /** On the staff home the search is a section with its own heading; on the search page the h1 says it. */
  heading?: boolean;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  const v = props.values ?? { name: '', born: '' };
  const error = (f: string) => errors.find((e) => e.field === f)?.message;
  const content = (
    <>
      <Text text={t('patients.search.intro')} />
      <ErrorSummary ctx={ctx} errors={errors} />
      {/* POST, never GET: names and birth dates must not end up in URLs, logs or browser history. */}
      <Form ctx={ctx} action="/staff/patients/search" class="koepel-search" novalidate>
        <TextField
          id="search-name"
          name="name"
          label={t('patients.search.name')}
          hint={t('patients.search.nameHint')}
          value={v.name}
          autocomplete="off"
          spellcheck={false}
          maxlength={100}
          error={error('search-name')}
        />
        <TextField
          id="search-born"
          name="born"
          label={t('patients.search.born')}
          hint={t('patients.search.bornHint')}
          type="date"
          value={/^\d{4}-\d{2}-\d{2}$/.test(v.born) ? v.born : ''}
          autocomplete="off"
          error={error('search-born')}
        />
        <div class="koepel-search-submit">
          <Button text={t('patients.search.submit')} />
        </div>
      </Form>
    </>
  );
  return (
    <div class="koepel-patient-search">
      {(props.heading ?? true) ? (
        <Section id="patient-search-title" title={t('patients.search.title')}>
          {content}
        </Section>
      ) : (
        content
      )}
    </div>
  );
}

export function SearchResultsPage(props: {
  ctx: PageContext;
  values: SearchValues;
  result?: SearchResult;
  errors?: FieldError[];
  /** Link each name to the patient's record (the employee has record:read). */
  recordLinks?: boolean;
}): JSX.Element {
  const { ctx, result } = props;
  const { t } = ctx;
  const errors = props.errors ?? [];
  return (
    <Page
      ctx={ctx}
      title={t('patients.search.title')}
      documentTitle={result && errors.length === 0 ? t('patients.search.resultsTitle') : t('patients.search.title')}
      errors={errors}
      back={{ href: '/staff', label: t('patients.search.back') }}
    >
      <PatientSearchForm ctx={ctx} values={props.values} errors={errors} heading={false} />
      {result ? (
        <div class="koepel-search-results">
          <Section id="results-title" title={t('patients.search.resultsTitle')}>
            <SearchResults ctx={ctx} result={result} recordLinks={props.recordLinks ?? false} />
          </Section>
        </div>
      ) : (
        ''
      )}
    </Page>
  );
}

function SearchResults(props: { ctx: PageContext; result: SearchResult; recordLinks: boolean }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const { hits, more } = props.result;
  if (hits.length === 0) return <Text style="status" text={t('patients.search.none')} />;
  return (
    <>
      {more ? <Text style="status" text={t('patients.search.more', { max: SEARCH_LIMIT })} /> : ''}
      <DataTable
        ctx={ctx}
        class="koepel-results"
        caption={t('patients.search.caption', { count: more ? `${hits.length}+` : hits.length })}
        rows={hits}
        columns={[
          {
            header: t('patients.search.colName'),
            rowHeader: true,
            // The link carries the citizen's random Koepel id only: no name or BSN in URLs.
            html: (h) =>
              props.recordLinks ? (
                <Link href={`/staff/patients/${h.citizenId}/record`} text={h.name} />
              ) : (
                <span safe>{h.name}</span>
              ),
          },
          {
            header: t('patients.search.colBorn'),
            html: (h) => <StaffBirthDate ctx={ctx} date={h.birthDate} />,
          },
          { header: t('patients.search.colNumber'), text: (h) => h.patientNumber ?? '—' },
        ]}
      />
    </>
  );
}
