// The staff record view: one page per patient, one section (heading + table with caption) per category, in the
// order a GP reads a record. Only the organisation's own data reaches this page (see record.ts).
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import {
  DataTable,
  Heading,
  Link,
  List,
  Page,
  ProviderMessage,
  ProviderText,
  providerLang,
  Section,
  SummaryList,
  Text,
} from '../platform/web/components/index.js';
import type { RecordCategory } from '../platform/db/schema.js';
import { RECORD_CATEGORIES, type AttachmentInfo, type StoredResource } from '../record/index.js';
import type { PatientRecord } from './record.js';
import {
  careTeamParticipants,
  conceptCode,
  conceptText,
  documentAttachments,
  dosageText,
  firstCode,
  interpretationCode,
  medicationText,
  observationOutcome,
  observationValue,
  periodOf,
  referenceRangeText,
  text,
} from './record-summary.js';
import { StaffBirthDate } from './views.js';

type Json = Record<string, unknown>;

const SECTIONS: readonly RecordCategory[] = RECORD_CATEGORIES;

/** A translated code when the catalogue knows it, else the code itself. */
function coded(ctx: PageContext, prefix: string, code: string | null): string {
  if (!code) return '';
  const key = `${prefix}.${code}`;
  return ctx.t.has(key) ? ctx.t(key) : code;
}

/** A FHIR date or dateTime as a <time> element; partial dates (2020, 2020-05) as written. */
function When(props: { ctx: PageContext; value: string | null }): JSX.Element {
  const v = props.value;
  if (!v) return '';
  let shown = v;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) shown = formatDate(props.ctx.lang, v);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)))
    shown = formatDate(props.ctx.lang, new Date(v), 'dateTime');
  return (
    <time datetime={v} safe>
      {shown}
    </time>
  );
}

function byteSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  return `${(n / (1024 * 1024)).toFixed(1).replace('.', ',')} MB`;
}

/** A column of the record tables: the last part of its message key `patientRecord.col.*`. */
type Column =
  | 'description'
  | 'code'
  | 'status'
  | 'start'
  | 'end'
  | 'kind'
  | 'criticality'
  | 'since'
  | 'test'
  | 'result'
  | 'range'
  | 'interpretation'
  | 'date'
  | 'medicine'
  | 'dosage'
  | 'title'
  | 'file'
  | 'when'
  | 'team'
  | 'members';

/** One category of the record: its heading, then a table (the first column says what a row is about). */
function CategorySection(props: {
  ctx: PageContext;
  category: RecordCategory;
  columns: Column[];
  rows: JSX.Element[][];
}): JSX.Element {
  const { ctx, category, rows } = props;
  const { t } = ctx;
  const title = t(`patientRecord.section.${category}` as MessageKey);
  const count = t(`patientRecord.count.${category}` as MessageKey, { count: rows.length });
  return (
    <div class="koepel-record-section">
      <Section id={`section-${category}`} title={title}>
        {rows.length === 0 ? (
          <Text text={t('patientRecord.none')} />
        ) : (
          <DataTable
            ctx={ctx}
            class="koepel-record-table"
            caption={`${title} (${count})`}
            captionHidden
            rows={rows}
            columns={props.columns.map((c, i) => ({
              header: t(`patientRecord.col.${c}`),
              rowHeader: i === 0,
              html: (cells: JSX.Element[]) => cells[i] ?? '',
            }))}
          />
        )}
      </Section>
    </div>
  );
}

const txt = (v: string) => <span safe>{v}</span>;
/** Provider text (a FHIR display, a dosage, a title): lang="nl" on a page in another language (ProviderText). */
const pv = (ctx: PageContext, v: string) => (v ? <ProviderText ctx={ctx} text={v} /> : txt(v));

/** The table of a category: its columns, and the cells of a resource's row. */
interface CategoryTable {
  columns: Column[];
  row: (r: StoredResource, resource: Json) => JSX.Element[];
}

function tableFor(
  ctx: PageContext,
  category: RecordCategory,
  attachments: AttachmentInfo[],
  citizenId: string,
): CategoryTable {
  const { t } = ctx;
  switch (category) {
    case 'episodes':
      return {
        columns: ['description', 'code', 'status', 'start'],
        row: (r, c) => {
          return [
            pv(ctx, conceptText(c.code)),
            txt(conceptCode(c.code)),
            txt(coded(ctx, 'patientRecord.status', firstCode(c.clinicalStatus))),
            <When ctx={ctx} value={text(c.onsetDateTime) ?? periodOf(c.onsetPeriod).start ?? text(c.recordedDate)} />,
          ];
        },
      };
    case 'sensitivities':
      return {
        columns: ['description', 'kind', 'criticality', 'since'],
        row: (r, c) => {
          const allergy = r.resourceType === 'AllergyIntolerance';
          return [
            pv(ctx, conceptText(c.code)),
            txt(t(allergy ? 'patientRecord.kind.allergy' : 'patientRecord.kind.particular')),
            txt(coded(ctx, 'patientRecord.criticality', text(c.criticality))),
            <When ctx={ctx} value={text(c.onsetDateTime) ?? text(c.recordedDate)} />,
          ];
        },
      };
    case 'lab':
      return {
        columns: ['test', 'result', 'range', 'interpretation', 'date'],
        row: (r, o) => {
          return [
            pv(ctx, conceptText(o.code)),
            // A quantity is a number and a unit; a text or a coded value is the lab's own words.
            o.valueQuantity ? txt(observationValue(o)) : pv(ctx, observationValue(o)),
            txt(referenceRangeText(o)),
            txt(coded(ctx, 'patientRecord.interpretation', interpretationCode(o))),
            <When ctx={ctx} value={text(o.effectiveDateTime) ?? periodOf(o.effectivePeriod).start ?? text(o.issued)} />,
          ];
        },
      };
    case 'medication':
      return {
        columns: ['medicine', 'kind', 'dosage', 'start', 'end', 'status'],
        row: (r, m) => {
          const period = periodOf(m.effectivePeriod);
          const start =
            period.start ??
            text(m.effectiveDateTime) ??
            text(m.authoredOn) ??
            text(m.whenHandedOver) ??
            text(m.whenPrepared);
          return [
            pv(ctx, medicationText(m)),
            txt(t(`patientRecord.kind.${r.resourceType}` as MessageKey)),
            pv(ctx, dosageText(m)),
            <When ctx={ctx} value={start} />,
            <When ctx={ctx} value={period.end} />,
            txt(coded(ctx, 'patientRecord.status', text(m.status))),
          ];
        },
      };
    case 'documents':
      return {
        columns: ['title', 'kind', 'date', 'file'],
        row: (r, d) => {
          const files = documentAttachments(d);
          const stored = attachments.filter((a) => a.resourceId === r.id);
          const title = text(d.description) ?? files[0]?.title ?? conceptText(d.type);
          return [
            title ? pv(ctx, title) : txt(t('patientRecord.untitled')),
            pv(ctx, conceptText(d.type)),
            <When ctx={ctx} value={text(d.date)} />,
            <List plain>
              {stored.map((a) => {
                const label = files.find((f) => f.position === a.position)?.title || title;
                return (
                  <li>
                    <Link href={`/staff/patients/${citizenId}/record/documents/${r.id}/${a.position}`}>
                      <ProviderMessage
                        ctx={ctx}
                        text={(nl) =>
                          t('patientRecord.download', {
                            title: label ? nl(label) : t('patientRecord.untitled'),
                            type: a.contentType === 'application/pdf' ? 'PDF' : a.contentType,
                            size: byteSize(a.byteSize),
                          })
                        }
                      />
                    </Link>
                  </li>
                );
              })}
            </List>,
          ];
        },
      };
    case 'appointments':
      return {
        columns: ['when', 'description', 'status'],
        row: (r, a) => {
          return [
            <When ctx={ctx} value={text(a.start)} />,
            pv(ctx, text(a.description) ?? conceptText((a.serviceType as unknown[] | undefined)?.[0])),
            txt(coded(ctx, 'patientRecord.status', text(a.status))),
          ];
        },
      };
    case 'careteam':
      return {
        columns: ['team', 'members', 'start'],
        row: (r, c) => {
          return [
            pv(ctx, text(c.name) ?? ''),
            <List plain>
              {careTeamParticipants(c).map((p) => (
                <li lang={providerLang(ctx)} safe>
                  {[p.name, p.role].filter(Boolean).join(' — ')}
                </li>
              ))}
            </List>,
            <When ctx={ctx} value={periodOf(c.period).start} />,
          ];
        },
      };
    case 'vitals':
    case 'findings':
      // Vital signs and zib observations: the value with its components (blood pressure) and panel members.
      return {
        columns: ['when', 'test', 'result'],
        row: (r, o) => [
          <When ctx={ctx} value={r.effectiveAt?.toISOString() ?? null} />,
          conceptText(o.code) ? pv(ctx, conceptText(o.code)) : txt(r.resourceType),
          pv(ctx, observationOutcome(o)),
        ],
      };
    default:
      // The categories of issue 11 (vital signs, immunisations, procedures …): what, when and its status.
      return {
        columns: ['when', 'description', 'status'],
        row: (r, a) => [
          <When ctx={ctx} value={r.effectiveAt?.toISOString() ?? null} />,
          pv(ctx, conceptText(mainConcept(a))),
          txt(text(a.status) ?? ''),
        ],
      };
  }
}

/** The concept that says what a resource is about, in the element each type uses for it. */
function mainConcept(a: Json): unknown {
  for (const key of ['code', 'vaccineCode', 'type', 'category', 'description']) {
    const v = a[key];
    const first = Array.isArray(v) ? (v as unknown[])[0] : v;
    if (first && typeof first === 'object') return first;
  }
  return undefined;
}

export function PatientRecordPage(props: { ctx: PageContext; record: PatientRecord }): JSX.Element {
  const { ctx, record } = props;
  const { t } = ctx;
  return (
    <Page
      ctx={ctx}
      title={t('patientRecord.title', { name: record.name })}
      back={{ href: '/staff', label: t('patientRecord.back') }}
    >
      <SummaryList
        class="koepel-record-person"
        items={[
          {
            label: t('patientRecord.born'),
            html: <StaffBirthDate ctx={ctx} date={record.birthDate} />,
          },
          { label: t('patientRecord.number'), text: record.patientNumber ?? '—' },
        ]}
      />
      <Text style="notice" text={t('patientRecord.scope', { organisation: record.organisationName })} />
      <nav aria-labelledby="record-contents" class="koepel-record-contents">
        <Heading level={2} id="record-contents" text={t('patientRecord.contents')} />
        <List>
          {SECTIONS.map((c) => (
            <li>
              <Link
                href={`#section-${c}`}
                text={`${t(`patientRecord.section.${c}` as MessageKey)} (${record.resources.filter((r) => r.category === c).length})`}
              />
            </li>
          ))}
        </List>
      </nav>
      {SECTIONS.map((category) => {
        const { columns, row } = tableFor(ctx, category, record.attachments, record.citizenId);
        const rows = record.resources.filter((r) => r.category === category).map((r) => row(r, r.resource as Json));
        return <CategorySection ctx={ctx} category={category} columns={columns} rows={rows} />;
      })}
    </Page>
  );
}
