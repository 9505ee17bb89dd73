// The patient search form (on the staff home and above the results) and the results page.
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import { Csrf, ErrorSummary, TextField, type FieldError } from '../platform/web/components/index.js';
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
  const heading = props.heading ?? true;
  return (
    <section aria-labelledby={heading ? 'patient-search-title' : undefined} class="koepel-patient-search">
      {heading ? (
        <h2 id="patient-search-title" class="utrecht-heading-2" safe>
          {t('patients.search.title')}
        </h2>
      ) : (
        ''
      )}
      <p class="utrecht-paragraph" safe>
        {t('patients.search.intro')}
      </p>
      <ErrorSummary ctx={ctx} errors={errors} />
      {/* POST, never GET: names and birth dates must not end up in URLs, logs or browser history. */}
      <form method="post" action="/staff/patients/search" class="koepel-search" novalidate>
        <Csrf ctx={ctx} />
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
          <button type="submit" class="utrecht-button utrecht-button--primary-action" safe>
            {t('patients.search.submit')}
          </button>
        </div>
      </form>
    </section>
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
  const title =
    errors.length > 0
      ? `${t('form.errors.title')}: ${t('patients.search.title')}`
      : result
        ? t('patients.search.resultsTitle')
        : t('patients.search.title');
  return (
    <Layout ctx={ctx} title={title}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/staff" safe>
          {t('patients.search.back')}
        </a>
      </p>
      <h1 class="utrecht-heading-1" safe>
        {t('patients.search.title')}
      </h1>
      <PatientSearchForm ctx={ctx} values={props.values} errors={errors} heading={false} />
      {result ? (
        <section aria-labelledby="results-title" class="koepel-search-results">
          <h2 id="results-title" class="utrecht-heading-2" safe>
            {t('patients.search.resultsTitle')}
          </h2>
          <SearchResults ctx={ctx} result={result} recordLinks={props.recordLinks ?? false} />
        </section>
      ) : (
        ''
      )}
    </Layout>
  );
}

function SearchResults(props: { ctx: PageContext; result: SearchResult; recordLinks: boolean }): JSX.Element {
  const { t } = props.ctx;
  const { hits, more } = props.result;
  if (hits.length === 0) {
    return (
      <p class="utrecht-paragraph koepel-notice" role="status" safe>
        {t('patients.search.none')}
      </p>
    );
  }
  return (
    <>
      {more ? (
        <p class="utrecht-paragraph koepel-notice" role="status" safe>
          {t('patients.search.more', { max: SEARCH_LIMIT })}
        </p>
      ) : (
        ''
      )}
      <div class="utrecht-table-container koepel-table-wrapper">
        <table class="utrecht-table utrecht-table--html-table koepel-results">
          <caption class="utrecht-table__caption" safe>
            {t('patients.search.caption', { count: more ? `${hits.length}+` : hits.length })}
          </caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t('patients.search.colName')}
              </th>
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t('patients.search.colBorn')}
              </th>
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t('patients.search.colNumber')}
              </th>
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {hits.map((h) => (
              <tr class="utrecht-table__row">
                {/* The link carries the citizen's random Koepel id only: no name or BSN in URLs. */}
                {props.recordLinks ? (
                  <th class="utrecht-table__cell koepel-row-header" scope="row">
                    <a class="utrecht-link" href={`/staff/patients/${h.citizenId}/record`} safe>
                      {h.name}
                    </a>
                  </th>
                ) : (
                  <th class="utrecht-table__cell koepel-row-header" scope="row" safe>
                    {h.name}
                  </th>
                )}
                <td class="utrecht-table__cell">
                  <time datetime={h.birthDate} safe>
                    {formatBirthDate(h.birthDate)}
                  </time>
                </td>
                <td class="utrecht-table__cell" safe>
                  {h.patientNumber ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
