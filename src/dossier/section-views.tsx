// The content of each "Mijn dossier" section, from stored FHIR resources. Every item names the care provider it
// came from. Everything interpolated from a resource is escaped (`safe`): a provider system's text is data.
import Html from '@kitajs/html';
import type { AllergyIntolerance, Appointment, CareTeam, Condition, DocumentReference, Observation } from 'fhir/r4.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import type { AttachmentInfo, StoredResource } from '../record/index.js';
import type { DossierProvider } from './data.js';
import {
  codeLabels,
  conceptText,
  fhirDate,
  firstConceptText,
  firstFhirDate,
  interpretationFlag,
  isAbnormal,
  quantityText,
  rangeText,
  referenceId,
  type DatePrecision,
  type Flag,
} from './fhir-text.js';
import type { MedicationLine, MedicationOverview } from './medication.js';
import { DateCell, dateText, providerName } from './views.js';

type T = PageContext['t'];

export function rangeWords(t: T) {
  return {
    between: t('dossier.range.between'),
    atLeast: t('dossier.range.atLeast'),
    atMost: t('dossier.range.atMost'),
  };
}

export function FlagText(props: { ctx: PageContext; flag: Flag | null }): JSX.Element {
  if (!props.flag) return <span>–</span>;
  const abnormal = isAbnormal(props.flag);
  const marker = props.flag.endsWith('high') ? '▲' : props.flag.endsWith('low') ? '▼' : abnormal ? '!' : '';
  return (
    <span class={`koepel-flag koepel-flag--${abnormal ? 'abnormal' : 'normal'}`}>
      {marker ? (
        <span aria-hidden="true" safe>
          {`${marker} `}
        </span>
      ) : (
        ''
      )}
      <span safe>{props.ctx.t(`dossier.flag.${props.flag}` as MessageKey)}</span>
    </span>
  );
}

// ------------------------------------------------------------------------------------------------------------
// Lab results
// ------------------------------------------------------------------------------------------------------------
export interface LabRow {
  id: string;
  organisationId: string;
  test: string;
  value: string;
  numeric: number | null;
  range: string | null;
  flag: Flag | null;
  at: Date | null;
  performer: string | null;
  note: string | null;
  codes: string[];
}

export function labRow(ctx: PageContext, s: StoredResource): LabRow {
  const o = s.resource as unknown as Observation;
  const numeric = typeof o.valueQuantity?.value === 'number' ? o.valueQuantity.value : null;
  const value =
    quantityText(ctx.lang, o.valueQuantity) ??
    o.valueString ??
    conceptText(o.valueCodeableConcept) ??
    (typeof o.valueInteger === 'number' ? String(o.valueInteger) : null) ??
    (typeof o.valueBoolean === 'boolean' ? String(o.valueBoolean) : null) ??
    '–';
  return {
    id: s.id,
    organisationId: s.organisationId,
    test: conceptText(o.code) ?? '–',
    value,
    numeric,
    range: rangeText(ctx.lang, o.referenceRange, rangeWords(ctx.t)),
    flag: interpretationFlag(o.interpretation, numeric, o.referenceRange),
    at: fhirDate(o.effectiveDateTime) ?? fhirDate(o.effectivePeriod?.start) ?? fhirDate(o.issued) ?? s.effectiveAt,
    performer: o.performer?.map((p) => p.display).find(Boolean) ?? null,
    note:
      o.note
        ?.map((n) => n.text)
        .filter(Boolean)
        .join(' ') || null,
    codes: codeLabels(o.code),
  };
}

export function LabTable(props: {
  ctx: PageContext;
  rows: LabRow[];
  providers: DossierProvider[];
  caption: string;
  link: boolean;
  showProvider?: boolean;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const showProvider = props.showProvider ?? true;
  return (
    <div
      class="utrecht-table-container koepel-table-wrapper"
      role="region"
      tabindex="0"
      aria-label={t('dossier.tableLabel', { caption: props.caption })}
    >
      <table class="utrecht-table utrecht-table--html-table koepel-data-table">
        <caption class="utrecht-table__caption" safe>
          {props.caption}
        </caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            {props.link ? (
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t('dossier.lab.test')}
              </th>
            ) : (
              ''
            )}
            <th class="utrecht-table__header-cell" scope="col" safe>
              {t('dossier.lab.date')}
            </th>
            <th class="utrecht-table__header-cell" scope="col" safe>
              {t('dossier.lab.result')}
            </th>
            <th class="utrecht-table__header-cell" scope="col" safe>
              {t('dossier.lab.range')}
            </th>
            <th class="utrecht-table__header-cell" scope="col" safe>
              {t('dossier.lab.flag')}
            </th>
            {showProvider ? (
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t('dossier.column.provider')}
              </th>
            ) : (
              ''
            )}
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {props.rows.map((r) => (
            <tr class={`utrecht-table__row${isAbnormal(r.flag) ? ' koepel-row--abnormal' : ''}`}>
              {props.link ? (
                <th class="utrecht-table__cell koepel-row-header" scope="row">
                  <a class="utrecht-link" href={`/dossier/lab/${r.id}`} safe>
                    {r.test}
                  </a>
                </th>
              ) : (
                ''
              )}
              <td class="utrecht-table__cell">
                <DateCell ctx={ctx} date={r.at} />
              </td>
              <td class="utrecht-table__cell koepel-value" safe>
                {r.value}
              </td>
              <td class="utrecht-table__cell" safe>
                {r.range ?? '–'}
              </td>
              <td class="utrecht-table__cell">
                <FlagText ctx={ctx} flag={r.flag} />
              </td>
              {showProvider ? (
                <td class="utrecht-table__cell" safe>
                  {providerName(props.providers, r.organisationId)}
                </td>
              ) : (
                ''
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ------------------------------------------------------------------------------------------------------------
// Documents
// ------------------------------------------------------------------------------------------------------------
export interface DocumentRow {
  id: string;
  organisationId: string;
  title: string;
  type: string | null;
  at: Date | null;
  author: string | null;
  files: (AttachmentInfo & { title: string | null })[];
}

export function documentRow(ctx: PageContext, s: StoredResource, attachments: AttachmentInfo[]): DocumentRow {
  const d = s.resource as unknown as DocumentReference;
  const type = conceptText(d.type) ?? firstConceptText(d.category);
  const firstTitle = d.content?.map((c) => c.attachment?.title).find(Boolean);
  return {
    id: s.id,
    organisationId: s.organisationId,
    title: d.description?.trim() || firstTitle || type || ctx.t('dossier.documents.untitled'),
    type,
    at: fhirDate(d.date) ?? fhirDate(d.context?.period?.start) ?? s.effectiveAt,
    author: d.author?.map((a) => a.display).find(Boolean) ?? null,
    files: attachments
      .filter((a) => a.resourceId === s.id)
      .map((a) => ({ ...a, title: d.content?.[a.position]?.attachment?.title ?? null })),
  };
}

export function fileKind(contentType: string): 'pdf' | 'text' | 'image' | 'other' {
  if (contentType === 'application/pdf') return 'pdf';
  if (contentType.startsWith('text/plain')) return 'text';
  if (/^image\/(png|jpeg|gif|webp)$/.test(contentType)) return 'image';
  return 'other';
}

// Intl formatters are costly to build: one per language.
const sizeFormats = new Map<string, Intl.NumberFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

export function sizeText(ctx: PageContext, bytes: number): string {
  let f = sizeFormats.get(ctx.lang);
  if (!f) {
    f = new Intl.NumberFormat(ctx.lang === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: 1 });
    sizeFormats.set(ctx.lang, f);
  }
  const nf = (n: number) => f.format(n);
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${nf(bytes / 1024)} kB`;
  return `${nf(bytes / 1024 / 1024)} MB`;
}

export function fileText(ctx: PageContext, f: { contentType: string; byteSize: number }): string {
  return ctx.t('dossier.documents.fileSize', {
    type: ctx.t(`dossier.file.${fileKind(f.contentType)}` as MessageKey),
    size: sizeText(ctx, f.byteSize),
  });
}

export function DocumentTable(props: {
  ctx: PageContext;
  rows: DocumentRow[];
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <div
      class="utrecht-table-container koepel-table-wrapper"
      role="region"
      tabindex="0"
      aria-label={t('dossier.tableLabel', { caption: t('dossier.documents.caption') })}
    >
      <table class="utrecht-table utrecht-table--html-table koepel-data-table">
        <caption class="utrecht-table__caption" safe>
          {t('dossier.documents.caption')}
        </caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            {(
              [
                'dossier.documents.document',
                'dossier.documents.type',
                'dossier.documents.date',
                'dossier.documents.author',
                'dossier.column.provider',
                'dossier.documents.file',
              ] as const
            ).map((k) => (
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {props.rows.map((r) => (
            <tr class="utrecht-table__row">
              <th class="utrecht-table__cell koepel-row-header" scope="row">
                <a class="utrecht-link" href={`/dossier/documents/${r.id}`} safe>
                  {r.title}
                </a>
              </th>
              <td class="utrecht-table__cell" safe>
                {r.type ?? '–'}
              </td>
              <td class="utrecht-table__cell">
                <DateCell ctx={ctx} date={r.at} />
              </td>
              <td class="utrecht-table__cell" safe>
                {r.author ?? '–'}
              </td>
              <td class="utrecht-table__cell" safe>
                {providerName(props.providers, r.organisationId)}
              </td>
              <td class="utrecht-table__cell" safe>
                {r.files.length > 0 ? r.files.map((f) => fileText(ctx, f)).join(', ') : t('dossier.documents.noFile')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ------------------------------------------------------------------------------------------------------------
// Appointments
// ------------------------------------------------------------------------------------------------------------
export interface AppointmentView {
  id: string;
  organisationId: string;
  title: string;
  service: string | null;
  start: Date | null;
  end: Date | null;
  minutes: number | null;
  status: string;
  with: string[];
  where: string[];
  instruction: string | null;
  leaflets: { id: string; title: string }[];
}

/** Appointment participants that are not the patient: people, then places (Location, or free text). */
function participants(a: Appointment): { people: string[]; places: string[] } {
  const people: string[] = [];
  const places: string[] = [];
  for (const p of a.participant ?? []) {
    const ref = p.actor?.reference ?? '';
    const display = p.actor?.display?.trim();
    if (!display || /(^|\/)Patient\//.test(ref)) continue;
    if (/(^|\/)(Practitioner|PractitionerRole|HealthcareService|Device|RelatedPerson)\//.test(ref))
      people.push(display);
    else if (/(^|\/)Location\//.test(ref)) places.push(display);
    else if (people.length === 0) people.push(display);
    else places.push(display);
  }
  return { people, places };
}

/** Leaflets: supportingInformation references that resolve to a DocumentReference the citizen can see. */
export function appointmentView(ctx: PageContext, s: StoredResource, documents: StoredResource[]): AppointmentView {
  const a = s.resource as unknown as Appointment;
  const { people, places } = participants(a);
  const leaflets: AppointmentView['leaflets'] = [];
  for (const ref of a.supportingInformation ?? []) {
    const logical = referenceId(ref, 'DocumentReference');
    const byIdentifier = ref.identifier?.value ? `${ref.identifier.system ?? ''}|${ref.identifier.value}` : null;
    const doc = documents.find((d) => {
      if (d.organisationId !== s.organisationId) return false;
      const r = d.resource as unknown as DocumentReference;
      if (logical && (r.id === logical || d.id === logical)) return true;
      return (
        byIdentifier !== null && (r.identifier ?? []).some((i) => `${i.system ?? ''}|${i.value ?? ''}` === byIdentifier)
      );
    });
    if (doc) {
      const r = doc.resource as unknown as DocumentReference;
      leaflets.push({
        id: doc.id,
        title: r.description?.trim() || ref.display || conceptText(r.type) || ctx.t('dossier.documents.untitled'),
      });
    }
  }
  const service = firstConceptText(a.serviceType) ?? firstConceptText(a.specialty) ?? conceptText(a.appointmentType);
  return {
    id: s.id,
    organisationId: s.organisationId,
    title: a.description?.trim() || service || ctx.t('dossier.appointments.untitled'),
    service: a.description?.trim() ? service : null,
    start: fhirDate(a.start) ?? s.effectiveAt,
    end: fhirDate(a.end),
    minutes: typeof a.minutesDuration === 'number' ? a.minutesDuration : null,
    status: a.status,
    with: people,
    where: places,
    instruction: a.patientInstruction?.trim() || a.comment?.trim() || null,
    leaflets,
  };
}

function timeRange(ctx: PageContext, a: AppointmentView): string {
  if (!a.start) return ctx.t('dossier.unknownDate');
  const start = dateText(ctx, a.start, true);
  if (!a.end) return start;
  let f = timeFormats.get(ctx.lang);
  if (!f) {
    f = new Intl.DateTimeFormat(ctx.lang === 'nl' ? 'nl-NL' : 'en-GB', {
      timeStyle: 'short',
      timeZone: 'Europe/Amsterdam',
    });
    timeFormats.set(ctx.lang, f);
  }
  const endTime = f.format(a.end);
  return `${start} – ${endTime}`;
}

export function AppointmentCard(props: {
  ctx: PageContext;
  a: AppointmentView;
  providers: DossierProvider[];
  headingLevel?: 2 | 3;
}): JSX.Element {
  const { ctx, a } = props;
  const { t } = ctx;
  const item = (key: MessageKey, value: JSX.Element) => (
    <div class="koepel-facts-item">
      <dt safe>{t(key)}</dt>
      <dd>{value}</dd>
    </div>
  );
  const headingId = `appointment-${a.id}`;
  return (
    <li class="koepel-card koepel-appointment" aria-labelledby={headingId}>
      <h3 id={headingId} class="utrecht-heading-3" safe>
        {a.title}
      </h3>
      <p class="utrecht-paragraph koepel-source" safe>
        {t('dossier.source', { org: providerName(props.providers, a.organisationId) })}
      </p>
      <dl class="koepel-facts">
        {item(
          'dossier.appointments.when',
          a.start ? (
            <time datetime={a.start.toISOString()} safe>
              {timeRange(ctx, a)}
            </time>
          ) : (
            <span safe>{t('dossier.unknownDate')}</span>
          ),
        )}
        {a.service ? item('dossier.appointments.what', <span safe>{a.service}</span>) : ''}
        {a.with.length > 0 ? item('dossier.appointments.with', <span safe>{a.with.join(', ')}</span>) : ''}
        {a.where.length > 0 ? item('dossier.appointments.where', <span safe>{a.where.join(', ')}</span>) : ''}
        {a.status !== 'booked'
          ? item(
              'dossier.appointments.status',
              <span safe>{t(`dossier.appointments.status.${a.status}` as MessageKey) ?? a.status}</span>,
            )
          : ''}
      </dl>
      {a.instruction ? (
        <>
          <h4 class="utrecht-heading-4" safe>
            {t('dossier.appointments.instruction')}
          </h4>
          <p class="utrecht-paragraph" safe>
            {a.instruction}
          </p>
        </>
      ) : (
        ''
      )}
      {a.leaflets.length > 0 ? (
        <>
          <h4 class="utrecht-heading-4" safe>
            {t('dossier.appointments.leaflets')}
          </h4>
          <ul class="utrecht-unordered-list">
            {a.leaflets.map((l) => (
              <li>
                <a class="utrecht-link" href={`/dossier/documents/${l.id}`} safe>
                  {l.title}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
    </li>
  );
}

export function PastAppointments(props: {
  ctx: PageContext;
  rows: AppointmentView[];
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <div
      class="utrecht-table-container koepel-table-wrapper"
      role="region"
      tabindex="0"
      aria-label={t('dossier.tableLabel', { caption: t('dossier.appointments.pastCaption') })}
    >
      <table class="utrecht-table utrecht-table--html-table koepel-data-table">
        <caption class="utrecht-table__caption" safe>
          {t('dossier.appointments.pastCaption')}
        </caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            {(
              [
                'dossier.appointments.what',
                'dossier.appointments.when',
                'dossier.appointments.with',
                'dossier.appointments.status',
                'dossier.column.provider',
              ] as const
            ).map((k) => (
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {props.rows.map((a) => (
            <tr class="utrecht-table__row">
              <th class="utrecht-table__cell koepel-row-header" scope="row">
                <span safe>{a.title}</span>
                {a.leaflets.map((l) => (
                  <>
                    <br />
                    <a class="utrecht-link" href={`/dossier/documents/${l.id}`} safe>
                      {l.title}
                    </a>
                  </>
                ))}
              </th>
              <td class="utrecht-table__cell">
                <DateCell ctx={ctx} date={a.start} withTime />
              </td>
              <td class="utrecht-table__cell" safe>
                {a.with.join(', ') || '–'}
              </td>
              <td class="utrecht-table__cell" safe>
                {t(`dossier.appointments.status.${a.status}` as MessageKey) ?? a.status}
              </td>
              <td class="utrecht-table__cell" safe>
                {providerName(props.providers, a.organisationId)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ------------------------------------------------------------------------------------------------------------
// Medication
// ------------------------------------------------------------------------------------------------------------
function MedicineCell(props: { ctx: PageContext; line: { name: string; codes: string[]; reason?: string | null } }) {
  return (
    <th class="utrecht-table__cell koepel-row-header" scope="row">
      <span safe>{props.line.name}</span>
      {props.line.reason ? (
        <span class="koepel-subtext" safe>
          {props.ctx.t('dossier.medication.reasonFor', { reason: props.line.reason })}
        </span>
      ) : (
        ''
      )}
      {props.line.codes.length > 0 ? (
        <span class="koepel-subtext koepel-codes" safe>
          {props.line.codes.join(' · ')}
        </span>
      ) : (
        ''
      )}
    </th>
  );
}

function repeatText(t: T, l: MedicationLine): string {
  if (l.repeats === null) return l.continuous ? t('dossier.medication.repeatYes') : t('dossier.medication.unknown');
  if (l.repeats > 0) return t('dossier.medication.repeatTimes', { count: l.repeats });
  return l.continuous ? t('dossier.medication.repeatYes') : t('dossier.medication.repeatNo');
}

export function MedicationTables(props: {
  ctx: PageContext;
  overview: MedicationOverview;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx, overview: o } = props;
  const { t } = ctx;
  const heads = (keys: MessageKey[]) => (
    <thead class="utrecht-table__header">
      <tr class="utrecht-table__row">
        {keys.map((k) => (
          <th class="utrecht-table__header-cell" scope="col" safe>
            {t(k)}
          </th>
        ))}
      </tr>
    </thead>
  );
  const org = (id: string) => providerName(props.providers, id);
  return (
    <>
      <section class="koepel-section" aria-labelledby="medication-current">
        <h2 id="medication-current" class="utrecht-heading-2" safe>
          {t('dossier.medication.current')}
        </h2>
        {o.current.length === 0 ? (
          <p class="utrecht-paragraph" safe>
            {t('dossier.medication.noCurrent')}
          </p>
        ) : (
          <div
            class="utrecht-table-container koepel-table-wrapper"
            role="region"
            tabindex="0"
            aria-label={t('dossier.tableLabel', { caption: t('dossier.medication.current') })}
          >
            <table
              class="utrecht-table utrecht-table--html-table koepel-data-table"
              aria-labelledby="medication-current"
            >
              {heads([
                'dossier.medication.medicine',
                'dossier.medication.dosage',
                'dossier.medication.since',
                'dossier.medication.repeat',
                'dossier.medication.prescriber',
                'dossier.column.provider',
              ])}
              <tbody class="utrecht-table__body">
                {o.current.map((l) => (
                  <tr class="utrecht-table__row">
                    <MedicineCell ctx={ctx} line={l} />
                    <td class="utrecht-table__cell">
                      <span safe>{l.dosage ?? '–'}</span>
                      {l.continuous ? (
                        <span class="koepel-subtext" safe>
                          {t('dossier.medication.continuous')}
                        </span>
                      ) : (
                        ''
                      )}
                    </td>
                    <td class="utrecht-table__cell">
                      <DateCell ctx={ctx} date={l.start} />
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {repeatText(t, l)}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {l.prescriber ?? '–'}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {org(l.organisationId)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="koepel-section" aria-labelledby="medication-recent">
        <h2 id="medication-recent" class="utrecht-heading-2" safe>
          {t('dossier.medication.recent')}
        </h2>
        {o.recent.length === 0 ? (
          <p class="utrecht-paragraph" safe>
            {t('dossier.medication.noRecent')}
          </p>
        ) : (
          <div
            class="utrecht-table-container koepel-table-wrapper"
            role="region"
            tabindex="0"
            aria-label={t('dossier.tableLabel', { caption: t('dossier.medication.recent') })}
          >
            <table
              class="utrecht-table utrecht-table--html-table koepel-data-table"
              aria-labelledby="medication-recent"
            >
              {heads([
                'dossier.medication.medicine',
                'dossier.medication.dosage',
                'dossier.medication.period',
                'dossier.medication.stopReason',
                'dossier.column.provider',
              ])}
              <tbody class="utrecht-table__body">
                {o.recent.map((l) => (
                  <tr class="utrecht-table__row">
                    <MedicineCell ctx={ctx} line={l} />
                    <td class="utrecht-table__cell" safe>
                      {l.dosage ?? '–'}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {t('dossier.medication.until', { start: dateText(ctx, l.start), end: dateText(ctx, l.end) })}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {l.stopReason ?? '–'}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {org(l.organisationId)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {o.olderCount > 0 ? (
          <p class="utrecht-paragraph utrecht-paragraph--small" safe>
            {t('dossier.medication.older', { count: o.olderCount })}
          </p>
        ) : (
          ''
        )}
      </section>
      <section class="koepel-section" aria-labelledby="medication-dispenses">
        <h2 id="medication-dispenses" class="utrecht-heading-2" safe>
          {t('dossier.medication.dispenses')}
        </h2>
        {o.dispenses.length === 0 ? (
          <p class="utrecht-paragraph" safe>
            {t('dossier.medication.noDispenses')}
          </p>
        ) : (
          <div
            class="utrecht-table-container koepel-table-wrapper"
            role="region"
            tabindex="0"
            aria-label={t('dossier.tableLabel', { caption: t('dossier.medication.dispenses') })}
          >
            <table
              class="utrecht-table utrecht-table--html-table koepel-data-table"
              aria-labelledby="medication-dispenses"
            >
              {heads([
                'dossier.medication.medicine',
                'dossier.medication.handedOver',
                'dossier.medication.quantity',
                'dossier.medication.dosage',
                'dossier.column.provider',
              ])}
              <tbody class="utrecht-table__body">
                {o.dispenses.map((d) => (
                  <tr class="utrecht-table__row">
                    <MedicineCell ctx={ctx} line={d} />
                    <td class="utrecht-table__cell">
                      <DateCell ctx={ctx} date={d.handedOver} />
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {d.quantity ?? '–'}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {d.dosage ?? '–'}
                    </td>
                    <td class="utrecht-table__cell" safe>
                      {org(d.organisationId)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <p class="utrecht-paragraph koepel-notice" safe>
        {t('dossier.medication.disclaimer')}
      </p>
    </>
  );
}

// ------------------------------------------------------------------------------------------------------------
// Episodes and particulars (Condition), allergies (AllergyIntolerance)
// ------------------------------------------------------------------------------------------------------------
export interface ConditionRow {
  id: string;
  organisationId: string;
  name: string;
  codes: string[];
  start: Date | null;
  startPrecision: DatePrecision;
  status: string;
  ended: Date | null;
  note: string | null;
}

const ACTIVE_STATUS = new Set(['active', 'recurrence', 'relapse']);

export function conditionRow(s: StoredResource): ConditionRow | null {
  const c = s.resource as unknown as Condition;
  const verification = c.verificationStatus?.coding?.find((x) => x.code)?.code;
  if (verification === 'entered-in-error' || verification === 'refuted') return null;
  return {
    id: s.id,
    organisationId: s.organisationId,
    name: conceptText(c.code) ?? '–',
    codes: codeLabels(c.code, ['ICPC', 'SNOMED']),
    ...(() => {
      const onset = firstFhirDate(c.onsetDateTime, c.onsetPeriod?.start, c.recordedDate);
      return { start: onset?.date ?? s.effectiveAt, startPrecision: onset?.precision ?? 'day' };
    })(),
    status: c.clinicalStatus?.coding?.find((x) => x.code)?.code ?? 'unknown',
    ended: fhirDate(c.abatementDateTime) ?? fhirDate(c.abatementPeriod?.end),
    note:
      c.note
        ?.map((n) => n.text)
        .filter(Boolean)
        .join(' ') || null,
  };
}

export function sortConditions(rows: ConditionRow[]): ConditionRow[] {
  return [...rows].sort(
    (a, b) =>
      Number(ACTIVE_STATUS.has(b.status)) - Number(ACTIVE_STATUS.has(a.status)) ||
      (b.start?.getTime() ?? 0) - (a.start?.getTime() ?? 0),
  );
}

function statusText(ctx: PageContext, r: ConditionRow): string {
  const { t } = ctx;
  if (!ACTIVE_STATUS.has(r.status) && r.ended) return t('dossier.status.endedOn', { date: dateText(ctx, r.ended) });
  const known = ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'];
  return t(`dossier.status.${known.includes(r.status) ? r.status : 'unknown'}` as MessageKey);
}

export function ConditionTable(props: {
  ctx: PageContext;
  rows: ConditionRow[];
  providers: DossierProvider[];
  caption: string;
  nameHeader: MessageKey;
  /** The heading right above already says what the table is: keep the caption for screen readers only. */
  captionHidden?: boolean;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <div
      class="utrecht-table-container koepel-table-wrapper"
      role="region"
      tabindex="0"
      aria-label={t('dossier.tableLabel', { caption: props.caption })}
    >
      <table class="utrecht-table utrecht-table--html-table koepel-data-table">
        <caption class={`utrecht-table__caption${props.captionHidden ? ' koepel-visually-hidden' : ''}`} safe>
          {props.caption}
        </caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            {(
              [
                props.nameHeader,
                'dossier.episodes.code',
                'dossier.episodes.start',
                'dossier.episodes.status',
                'dossier.column.provider',
              ] as MessageKey[]
            ).map((k) => (
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {props.rows.map((r) => (
            <tr class="utrecht-table__row">
              <th class="utrecht-table__cell koepel-row-header" scope="row">
                <span safe>{r.name}</span>
                {r.note ? (
                  <span class="koepel-subtext" safe>
                    {r.note}
                  </span>
                ) : (
                  ''
                )}
              </th>
              <td class="utrecht-table__cell koepel-codes" safe>
                {r.codes.join(', ') || '–'}
              </td>
              <td class="utrecht-table__cell">
                <DateCell ctx={ctx} date={r.start} precision={r.startPrecision} />
              </td>
              <td class="utrecht-table__cell" safe>
                {statusText(ctx, r)}
              </td>
              <td class="utrecht-table__cell" safe>
                {providerName(props.providers, r.organisationId)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface AllergyRow {
  id: string;
  organisationId: string;
  substance: string;
  category: string[];
  reactions: string[];
  criticality: string | null;
  severity: string | null;
  since: Date | null;
  sincePrecision: DatePrecision;
  status: string;
  note: string | null;
}

export function allergyRow(s: StoredResource): AllergyRow | null {
  const a = s.resource as unknown as AllergyIntolerance;
  const verification = a.verificationStatus?.coding?.find((x) => x.code)?.code;
  if (verification === 'entered-in-error' || verification === 'refuted') return null;
  return {
    id: s.id,
    organisationId: s.organisationId,
    substance: conceptText(a.code) ?? '–',
    category: a.category ?? [],
    reactions: (a.reaction ?? []).flatMap((r) => r.manifestation.map((m) => conceptText(m) ?? '')).filter(Boolean),
    criticality: a.criticality ?? null,
    severity: a.reaction?.map((r) => r.severity).find(Boolean) ?? null,
    ...(() => {
      const since = firstFhirDate(a.onsetDateTime, a.recordedDate);
      return { since: since?.date ?? s.effectiveAt, sincePrecision: since?.precision ?? 'day' };
    })(),
    status: a.clinicalStatus?.coding?.find((x) => x.code)?.code ?? 'unknown',
    note:
      a.note
        ?.map((n) => n.text)
        .filter(Boolean)
        .join(' ') || null,
  };
}

export function AllergyTable(props: {
  ctx: PageContext;
  rows: AllergyRow[];
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const statusKey = (s: string) =>
    (['active', 'inactive', 'resolved'].includes(s) ? `dossier.status.${s}` : 'dossier.status.unknown') as MessageKey;
  return (
    <div
      class="utrecht-table-container koepel-table-wrapper"
      role="region"
      tabindex="0"
      aria-label={t('dossier.tableLabel', { caption: t('dossier.sensitivities.allergiesCaption') })}
    >
      <table class="utrecht-table utrecht-table--html-table koepel-data-table">
        <caption class="utrecht-table__caption koepel-visually-hidden" safe>
          {t('dossier.sensitivities.allergiesCaption')}
        </caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            {(
              [
                'dossier.sensitivities.substance',
                'dossier.sensitivities.reaction',
                'dossier.sensitivities.risk',
                'dossier.sensitivities.since',
                'dossier.sensitivities.status',
                'dossier.column.provider',
              ] as const
            ).map((k) => (
              <th class="utrecht-table__header-cell" scope="col" safe>
                {t(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {props.rows.map((r) => (
            <tr class="utrecht-table__row">
              <th class="utrecht-table__cell koepel-row-header" scope="row">
                <span safe>{r.substance}</span>
                {r.category.length > 0 ? (
                  <span class="koepel-subtext" safe>
                    {r.category.map((c) => t(`dossier.allergyCategory.${c}` as MessageKey) ?? c).join(', ')}
                  </span>
                ) : (
                  ''
                )}
                {r.note ? (
                  <span class="koepel-subtext" safe>
                    {r.note}
                  </span>
                ) : (
                  ''
                )}
              </th>
              <td class="utrecht-table__cell" safe>
                {[r.reactions.join(', '), r.severity ? `(${t(`dossier.severity.${r.severity}` as MessageKey)})` : '']
                  .filter(Boolean)
                  .join(' ') || '–'}
              </td>
              <td class="utrecht-table__cell">
                {r.criticality ? t(`dossier.criticality.${r.criticality}` as MessageKey) : '–'}
              </td>
              <td class="utrecht-table__cell">
                <DateCell ctx={ctx} date={r.since} precision={r.sincePrecision} />
              </td>
              <td class="utrecht-table__cell" safe>
                {t(statusKey(r.status))}
              </td>
              <td class="utrecht-table__cell" safe>
                {providerName(props.providers, r.organisationId)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ------------------------------------------------------------------------------------------------------------
// Care team
// ------------------------------------------------------------------------------------------------------------
export interface DirectoryEntry {
  organisationId: string;
  resourceType: 'Practitioner' | 'PractitionerRole';
  resource: Record<string, unknown>;
}

interface HumanName {
  text?: string;
  family?: string;
  given?: string[];
  prefix?: string[];
}
interface ContactPoint {
  system?: string;
  value?: string;
}

function nameOf(r: Record<string, unknown>): string | null {
  const names = (r.name as HumanName[] | undefined) ?? [];
  const n = names[0];
  if (!n) return null;
  return n.text?.trim() || [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ') || null;
}

function phoneOf(r: Record<string, unknown> | undefined): string | null {
  const telecom = (r?.telecom as ContactPoint[] | undefined) ?? [];
  return telecom.find((c) => c.system === 'phone' && c.value)?.value ?? null;
}

export interface CareTeamMember {
  name: string;
  role: string | null;
  phone: string | null;
}

export interface CareTeamView {
  id: string;
  organisationId: string;
  name: string;
  since: Date | null;
  members: CareTeamMember[];
}

/** Resolves CareTeam participants against the organisation's directory (Practitioner and PractitionerRole). */
export function careTeamView(ctx: PageContext, s: StoredResource, directory: DirectoryEntry[]): CareTeamView {
  const team = s.resource as unknown as CareTeam;
  const own = directory.filter((d) => d.organisationId === s.organisationId);
  const find = (type: 'Practitioner' | 'PractitionerRole', id: string | null) =>
    id ? own.find((d) => d.resourceType === type && d.resource.id === id)?.resource : undefined;
  const members: CareTeamMember[] = [];
  for (const p of team.participant ?? []) {
    const role = firstConceptText(p.role);
    const practitionerRole = find('PractitionerRole', referenceId(p.member, 'PractitionerRole'));
    const practitionerId =
      referenceId(p.member, 'Practitioner') ??
      referenceId(practitionerRole?.practitioner as { reference?: string } | undefined, 'Practitioner');
    const practitioner = find('Practitioner', practitionerId);
    const roleFromDirectory =
      firstConceptText(practitionerRole?.code as never) ??
      firstConceptText(
        own.find(
          (d) =>
            d.resourceType === 'PractitionerRole' &&
            referenceId(d.resource.practitioner as { reference?: string } | undefined, 'Practitioner') ===
              practitionerId,
        )?.resource.code as never,
      );
    const name = (practitioner ? nameOf(practitioner) : null) ?? p.member?.display?.trim() ?? null;
    if (!name) continue;
    members.push({
      name,
      role: role ?? roleFromDirectory ?? null,
      phone: phoneOf(practitionerRole) ?? phoneOf(practitioner),
    });
  }
  return {
    id: s.id,
    organisationId: s.organisationId,
    name: team.name?.trim() || ctx.t('dossier.careteam.untitled'),
    since: fhirDate(team.period?.start) ?? s.effectiveAt,
    members,
  };
}

export function CareTeamCard(props: {
  ctx: PageContext;
  team: CareTeamView;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx, team } = props;
  const { t } = ctx;
  const headingId = `careteam-${team.id}`;
  return (
    <section class="koepel-card koepel-careteam" aria-labelledby={headingId}>
      <h2 id={headingId} class="utrecht-heading-2" safe>
        {team.name}
      </h2>
      <p class="utrecht-paragraph koepel-source">
        <span safe>{t('dossier.source', { org: providerName(props.providers, team.organisationId) })}</span>
        {team.since ? (
          <>
            {' · '}
            <span safe>{t('dossier.careteam.since', { date: dateText(ctx, team.since) })}</span>
          </>
        ) : (
          ''
        )}
      </p>
      <div
        class="utrecht-table-container koepel-table-wrapper"
        role="region"
        tabindex="0"
        aria-label={t('dossier.tableLabel', { caption: t('dossier.careteam.members', { team: team.name }) })}
      >
        <table class="utrecht-table utrecht-table--html-table koepel-data-table">
          <caption class="utrecht-table__caption koepel-visually-hidden" safe>
            {t('dossier.careteam.members', { team: team.name })}
          </caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              {(['dossier.careteam.name', 'dossier.careteam.role', 'dossier.careteam.phone'] as const).map((k) => (
                <th class="utrecht-table__header-cell" scope="col" safe>
                  {t(k)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {team.members.map((m) => (
              <tr class="utrecht-table__row">
                <th class="utrecht-table__cell koepel-row-header" scope="row" safe>
                  {m.name}
                </th>
                <td class="utrecht-table__cell" safe>
                  {m.role ?? '–'}
                </td>
                <td class="utrecht-table__cell">
                  {m.phone ? (
                    <a class="utrecht-link utrecht-link--telephone" href={`tel:${m.phone.replace(/[^\d+]/g, '')}`} safe>
                      {m.phone}
                    </a>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export { Html };
