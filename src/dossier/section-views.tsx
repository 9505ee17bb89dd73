// The content of each "Mijn dossier" section, from stored FHIR resources. Every item names the care provider it
// came from. Everything taken from a resource is text the components escape: a provider system's text is data.
import Html from '@kitajs/html';
import type { AllergyIntolerance, Appointment, CareTeam, Condition, DocumentReference, Observation } from 'fhir/r4.js';
import {
  codeLabels,
  conceptText,
  fhirDate,
  firstConceptText,
  firstFhirDate,
  interpretationFlag,
  isAbnormal,
  noteText,
  quantityText,
  rangeText,
  referenceId,
  type DatePrecision,
  type Flag,
  type RangeWords,
} from '../platform/fhir/display.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import {
  Card,
  DataTable,
  EmptyState,
  Heading,
  Link,
  List,
  ProviderMessage,
  providerLang,
  render,
  Section,
  SummaryList,
  Text,
  type Column,
  type SummaryItem,
} from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import type { AttachmentInfo, StoredResource } from '../record/index.js';
import type { DossierProvider } from './data.js';
import type { MedicationLine, MedicationOverview } from './medication.js';
import { periodText } from './record-sections.js';
import { DateCell, dateText, providerName, Source } from './views.js';

type T = PageContext['t'];

/** "7,5 – 10", "vanaf 60", "tot 10": a reference range in the visitor's language. */
export function rangeWords(t: T): RangeWords {
  return {
    between: (low, high) => t('dossier.range.between', { low, high }),
    atLeast: (low) => t('dossier.range.atLeast', { low }),
    atMost: (high) => t('dossier.range.atMost', { high }),
  };
}

/** What every table of record items is given: the rows and the providers they came from. */
interface TableProps<R> {
  ctx: PageContext;
  rows: R[];
  providers: DossierProvider[];
}

/** The column every table ends with: the care provider the row came from. */
function providerColumn<R extends { organisationId: string }>(
  ctx: PageContext,
  providers: DossierProvider[],
): Column<R> {
  return { header: ctx.t('dossier.column.provider'), text: (r) => providerName(providers, r.organisationId) };
}

/** A cell's text with lines of smaller text under it (a note, codes, a category), as one piece of markup. */
function WithSubtext(props: {
  text: string;
  /** Lines of text (escaped here), or markup (`{ html }`, escaped where it was built, e.g. a ProviderMessage). */
  sub: (string | { html: JSX.Element } | null | undefined)[];
  class?: string;
  /** The main text's language, for provider text (providerLang). */
  lang?: string | undefined;
}): JSX.Element {
  return (
    <span>
      <span lang={props.lang} safe>
        {props.text}
      </span>
      {props.sub.map((s) =>
        !s ? (
          ''
        ) : typeof s === 'string' ? (
          <span class="koepel-subtext" safe>
            {s}
          </span>
        ) : (
          <span class="koepel-subtext">{render(s.html)}</span>
        ),
      )}
    </span>
  );
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
    note: noteText(o.note),
    codes: codeLabels(o.code),
  };
}

export function LabTable(
  props: TableProps<LabRow> & { caption: string; link: boolean; showProvider?: boolean },
): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const columns: Column<LabRow>[] = [
    ...(props.link
      ? [
          {
            header: t('dossier.lab.test'),
            rowHeader: true,
            provider: true,
            html: (r: LabRow) => <Link href={`/dossier/lab/${r.id}`} text={r.test} />,
          },
        ]
      : []),
    { header: t('dossier.lab.date'), rowHeader: !props.link, html: (r) => <DateCell ctx={ctx} date={r.at} /> },
    { header: t('dossier.lab.result'), text: (r) => r.value, class: 'koepel-value' },
    { header: t('dossier.lab.range'), text: (r) => r.range },
    { header: t('dossier.lab.flag'), html: (r) => <FlagText ctx={ctx} flag={r.flag} /> },
    ...(props.showProvider === false ? [] : [providerColumn<LabRow>(ctx, props.providers)]),
  ];
  return (
    <DataTable
      ctx={ctx}
      caption={props.caption}
      columns={columns}
      rows={props.rows}
      rowClass={(r) => (isAbnormal(r.flag) ? 'koepel-row--abnormal' : undefined)}
    />
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
  // A no-break space: the unit stays with its number when a narrow column wraps.
  if (bytes < 1024) return `${bytes}\u00a0B`;
  if (bytes < 1024 * 1024) return `${nf(bytes / 1024)}\u00a0kB`;
  return `${nf(bytes / 1024 / 1024)}\u00a0MB`;
}

export function fileText(ctx: PageContext, f: { contentType: string; byteSize: number }): string {
  return ctx.t('dossier.documents.fileSize', {
    type: ctx.t(`dossier.file.${fileKind(f.contentType)}` as MessageKey),
    size: sizeText(ctx, f.byteSize),
  });
}

export function DocumentTable({ ctx, rows, providers }: TableProps<DocumentRow>): JSX.Element {
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      caption={t('dossier.documents.caption')}
      columns={[
        {
          header: t('dossier.documents.document'),
          rowHeader: true,
          provider: true,
          html: (r) => <Link href={`/dossier/documents/${r.id}`} text={r.title} />,
        },
        { header: t('dossier.documents.type'), provider: true, text: (r) => r.type },
        { header: t('dossier.documents.date'), html: (r) => <DateCell ctx={ctx} date={r.at} /> },
        { header: t('dossier.documents.author'), text: (r) => r.author },
        providerColumn(ctx, providers),
        {
          header: t('dossier.documents.file'),
          text: (r) =>
            r.files.length > 0 ? r.files.map((f) => fileText(ctx, f)).join(', ') : t('dossier.documents.noFile'),
        },
      ]}
      rows={rows}
    />
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
}): JSX.Element {
  const { ctx, a } = props;
  const { t } = ctx;
  const items: SummaryItem[] = [
    {
      label: t('dossier.appointments.when'),
      html: a.start ? (
        <time datetime={a.start.toISOString()} safe>
          {timeRange(ctx, a)}
        </time>
      ) : (
        <span safe>{t('dossier.unknownDate')}</span>
      ),
    },
    ...(a.service ? [{ label: t('dossier.appointments.what'), text: a.service }] : []),
    ...(a.with.length > 0 ? [{ label: t('dossier.appointments.with'), text: a.with.join(', ') }] : []),
    ...(a.where.length > 0 ? [{ label: t('dossier.appointments.where'), text: a.where.join(', ') }] : []),
    ...(a.status !== 'booked' ? [{ label: t('dossier.appointments.status'), text: appointmentStatus(t, a) }] : []),
  ];
  return (
    <Card id={`appointment-${a.id}`} title={a.title} level={3} class="koepel-appointment">
      <Source ctx={ctx} name={providerName(props.providers, a.organisationId)} />
      <SummaryList items={items} class="koepel-facts" />
      {a.instruction ? (
        <>
          <Heading level={4} text={t('dossier.appointments.instruction')} />
          <Text text={a.instruction} />
        </>
      ) : (
        ''
      )}
      {a.leaflets.length > 0 ? (
        <>
          <Heading level={4} text={t('dossier.appointments.leaflets')} />
          <List>
            {a.leaflets.map((l) => (
              <li>
                <Link href={`/dossier/documents/${l.id}`} text={l.title} />
              </li>
            ))}
          </List>
        </>
      ) : (
        ''
      )}
    </Card>
  );
}

function appointmentStatus(t: T, a: AppointmentView): string {
  const key = `dossier.appointments.status.${a.status}`;
  return t.has(key) ? t(key) : a.status;
}

export function PastAppointments({ ctx, rows, providers }: TableProps<AppointmentView>): JSX.Element {
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      caption={t('dossier.appointments.pastCaption')}
      columns={[
        {
          header: t('dossier.appointments.what'),
          rowHeader: true,
          provider: true,
          html: (a) => (
            <span>
              <span safe>{a.title}</span>
              {a.leaflets.map((l) => (
                <>
                  <br />
                  <Link href={`/dossier/documents/${l.id}`} text={l.title} />
                </>
              ))}
            </span>
          ),
        },
        { header: t('dossier.appointments.when'), html: (a) => <DateCell ctx={ctx} date={a.start} withTime /> },
        { header: t('dossier.appointments.with'), text: (a) => a.with.join(', ') || null },
        { header: t('dossier.appointments.status'), text: (a) => appointmentStatus(t, a) },
        providerColumn(ctx, providers),
      ]}
      rows={rows}
    />
  );
}

// ------------------------------------------------------------------------------------------------------------
// Medication
// ------------------------------------------------------------------------------------------------------------
/** The medicine: its name, what it is for, and its codes (PRK, ATC …) under it. */
function medicineColumn<R extends { name: string; codes: string[]; reason?: string | null }>(
  ctx: PageContext,
): Column<R> {
  const { t } = ctx;
  return {
    header: t('dossier.medication.medicine'),
    rowHeader: true,
    html: (l) => (
      <WithSubtext
        lang={providerLang(ctx)}
        text={l.name}
        sub={[
          l.reason
            ? {
                html: (
                  <ProviderMessage
                    ctx={ctx}
                    text={(nl) => t('dossier.medication.reasonFor', { reason: nl(l.reason ?? '') })}
                  />
                ),
              }
            : null,
          l.codes.length > 0 ? l.codes.join(' · ') : null,
        ]}
      />
    ),
  };
}

function repeatText(t: T, l: MedicationLine): string | null {
  // Not said (an MP9 agreement carries no repeats: the dispense request does): no word for it, not "unknown".
  if (l.repeats === null) return l.continuous ? t('dossier.medication.repeatYes') : null;
  if (l.repeats > 0) return t('dossier.medication.repeatTimes', { count: l.repeats });
  return l.continuous ? t('dossier.medication.repeatYes') : t('dossier.medication.repeatNo');
}

/** One part of the medication overview: its heading, then its table or the sentence that it is empty. */
function MedicationPart<R extends { organisationId: string }>(props: {
  ctx: PageContext;
  id: string;
  title: string;
  empty: string;
  rows: R[];
  columns: Column<R>[];
  providers: DossierProvider[];
  children?: JSX.Element;
}): JSX.Element {
  const { ctx } = props;
  return (
    <Section id={props.id} title={props.title}>
      {props.rows.length === 0 ? (
        <EmptyState text={props.empty} />
      ) : (
        <DataTable
          ctx={ctx}
          caption={props.title}
          captionHidden
          columns={[...props.columns, providerColumn<R>(ctx, props.providers)]}
          rows={props.rows}
        />
      )}
      {render(props.children)}
    </Section>
  );
}

export function MedicationTables(props: {
  ctx: PageContext;
  overview: MedicationOverview;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx, overview: o, providers } = props;
  const { t } = ctx;
  return (
    <>
      <MedicationPart
        ctx={ctx}
        id="medication-current"
        title={t('dossier.medication.current')}
        empty={t('dossier.medication.noCurrent')}
        rows={o.current}
        providers={providers}
        columns={[
          medicineColumn(ctx),
          {
            header: t('dossier.medication.dosage'),
            html: (l) => (
              <WithSubtext
                lang={providerLang(ctx)}
                text={l.dosage ?? '–'}
                sub={[l.continuous ? t('dossier.medication.continuous') : null]}
              />
            ),
          },
          { header: t('dossier.medication.since'), html: (l) => <DateCell ctx={ctx} date={l.start} /> },
          { header: t('dossier.medication.repeat'), text: (l) => repeatText(t, l) },
          { header: t('dossier.medication.prescriber'), provider: true, text: (l) => l.prescriber },
        ]}
      />
      <MedicationPart
        ctx={ctx}
        id="medication-recent"
        title={t('dossier.medication.recent')}
        empty={t('dossier.medication.noRecent')}
        rows={o.recent}
        providers={providers}
        columns={[
          medicineColumn(ctx),
          { header: t('dossier.medication.dosage'), provider: true, text: (l) => l.dosage },
          {
            header: t('dossier.medication.period'),
            text: (l) =>
              l.start && l.end
                ? t('dossier.medication.until', { start: dateText(ctx, l.start), end: dateText(ctx, l.end) })
                : periodText(ctx, l.start, l.end),
          },
          {
            header: t('dossier.medication.stopReason'),
            // The stop text and reason are the prescriber's (Dutch); a stop type without text is Koepel's translation.
            html: (l) => (
              <ProviderMessage
                ctx={ctx}
                text={(nl) =>
                  [
                    l.stopText
                      ? nl(l.stopText)
                      : l.stopType
                        ? t(`dossier.medication.stopType.${l.stopType}` as MessageKey)
                        : null,
                    l.stopReason ? nl(l.stopReason) : null,
                  ]
                    .filter(Boolean)
                    .join(': ') || '–'
                }
              />
            ),
          },
        ]}
      >
        {o.olderCount > 0 ? (
          <Text style="small" text={t('dossier.medication.older', { count: o.olderCount })} />
        ) : (
          <></>
        )}
      </MedicationPart>
      <MedicationPart
        ctx={ctx}
        id="medication-dispenses"
        title={t('dossier.medication.dispenses')}
        empty={t('dossier.medication.noDispenses')}
        rows={o.dispenses}
        providers={providers}
        columns={[
          medicineColumn(ctx),
          { header: t('dossier.medication.handedOver'), html: (d) => <DateCell ctx={ctx} date={d.handedOver} /> },
          { header: t('dossier.medication.quantity'), provider: true, text: (d) => d.quantity },
          { header: t('dossier.medication.dosage'), provider: true, text: (d) => d.dosage },
        ]}
      />
      <Text style="notice" text={t('dossier.medication.disclaimer')} />
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
    note: noteText(c.note),
  };
}

/** The Conditions among these resources as rows, active ones first, newest first (refuted ones left out). */
export function conditionRows(resources: StoredResource[]): ConditionRow[] {
  const rows = resources
    .filter((r) => r.resourceType === 'Condition')
    .map(conditionRow)
    .filter((r): r is ConditionRow => r !== null);
  return rows.sort(
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

export function ConditionTable(
  props: TableProps<ConditionRow> & {
    caption: string;
    nameHeader: MessageKey;
    /** The heading right above already says what the table is: keep the caption for screen readers only. */
    captionHidden?: boolean;
  },
): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      caption={props.caption}
      captionHidden={props.captionHidden ?? false}
      columns={[
        {
          header: t(props.nameHeader),
          rowHeader: true,
          provider: true,
          html: (r) => <WithSubtext text={r.name} sub={[r.note]} />,
        },
        { header: t('dossier.episodes.code'), text: (r) => r.codes.join(', ') || null, class: 'koepel-codes' },
        {
          header: t('dossier.episodes.start'),
          html: (r) => <DateCell ctx={ctx} date={r.start} precision={r.startPrecision} />,
        },
        { header: t('dossier.episodes.status'), text: (r) => statusText(ctx, r) },
        providerColumn(ctx, props.providers),
      ]}
      rows={props.rows}
    />
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
    note: noteText(a.note),
  };
}

export function AllergyTable({ ctx, rows, providers }: TableProps<AllergyRow>): JSX.Element {
  const { t } = ctx;
  const known = (prefix: string, code: string | null) => {
    const key = `${prefix}.${code ?? ''}`;
    return code && t.has(key) ? t(key) : code;
  };
  const statusKey = (s: string) =>
    (['active', 'inactive', 'resolved'].includes(s) ? `dossier.status.${s}` : 'dossier.status.unknown') as MessageKey;
  return (
    <DataTable
      ctx={ctx}
      caption={t('dossier.sensitivities.allergiesCaption')}
      captionHidden
      columns={[
        {
          header: t('dossier.sensitivities.substance'),
          rowHeader: true,
          html: (r) => (
            <WithSubtext
              lang={providerLang(ctx)}
              text={r.substance}
              sub={[r.category.map((c) => known('dossier.allergyCategory', c)).join(', '), r.note]}
            />
          ),
        },
        {
          header: t('dossier.sensitivities.reaction'),
          // The reactions are the organisation's (Dutch); the severity is Koepel's translation.
          html: (r) => (
            <ProviderMessage
              ctx={ctx}
              text={(nl) =>
                [
                  r.reactions.length > 0 ? nl(r.reactions.join(', ')) : '',
                  r.severity ? `(${known('dossier.severity', r.severity) ?? ''})` : '',
                ]
                  .filter(Boolean)
                  .join(' ') || '–'
              }
            />
          ),
        },
        { header: t('dossier.sensitivities.risk'), text: (r) => known('dossier.criticality', r.criticality) },
        {
          header: t('dossier.sensitivities.since'),
          html: (r) => <DateCell ctx={ctx} date={r.since} precision={r.sincePrecision} />,
        },
        { header: t('dossier.sensitivities.status'), text: (r) => t(statusKey(r.status)) },
        providerColumn(ctx, providers),
      ]}
      rows={rows}
    />
  );
}

// ------------------------------------------------------------------------------------------------------------
// Care team
// ------------------------------------------------------------------------------------------------------------
export interface DirectoryEntry {
  organisationId: string;
  resourceType: string;
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
      firstConceptText(practitionerRole?.code) ??
      firstConceptText(
        own.find(
          (d) =>
            d.resourceType === 'PractitionerRole' &&
            referenceId(d.resource.practitioner as { reference?: string } | undefined, 'Practitioner') ===
              practitionerId,
        )?.resource.code,
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
  return (
    <Section id={`careteam-${team.id}`} title={team.name} card class="koepel-careteam">
      <Source
        ctx={ctx}
        name={providerName(props.providers, team.organisationId)}
        detail={team.since ? t('dossier.careteam.since', { date: dateText(ctx, team.since) }) : null}
      />
      <DataTable
        ctx={ctx}
        caption={t('dossier.careteam.members', { team: team.name })}
        captionHidden
        columns={[
          { header: t('dossier.careteam.name'), rowHeader: true, text: (m) => m.name },
          { header: t('dossier.careteam.role'), provider: true, text: (m) => m.role },
          {
            header: t('dossier.careteam.phone'),
            html: (m) =>
              m.phone ? <Link href={`tel:${m.phone.replace(/[^\d+]/g, '')}`} text={m.phone} /> : <span>–</span>,
          },
        ]}
        rows={team.members}
      />
    </Section>
  );
}

export { Html };
