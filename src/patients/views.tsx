// The patient search form (on the staff home and above the results) and the results page.
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

/** dd-mm-yyyy, as birth dates are written in Dutch care. */
export function formatBirthDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return y && m && d ? `${d}-${m}-${y}` : iso;
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
            html: (h) => (
              <time datetime={h.birthDate} safe>
                {formatBirthDate(h.birthDate)}
              </time>
            ),
          },
          { header: t('patients.search.colNumber'), text: (h) => h.patientNumber ?? '—' },
        ]}
      />
    </>
  );
}
