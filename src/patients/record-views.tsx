// The staff record view: one page per patient, one section (heading + table with caption) per category, in the
// order a GP reads a record. Only the organisation's own data reaches this page (see record.ts).
import { formatDate } from '../platform/i18n/format.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import type { PageContext } from '../platform/web/context.js';
import { Layout } from '../platform/web/layout.js';
import type { RecordCategory } from '../platform/db/schema.js';
import type { AttachmentInfo, StoredResource } from '../record/index.js';
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
  observationValue,
  periodOf,
  referenceRangeText,
  text,
} from './record-summary.js';
import { formatBirthDate } from './views.js';

type Json = Record<string, unknown>;

const SECTIONS: readonly RecordCategory[] = [
  'episodes',
  'sensitivities',
  'lab',
  'medication',
  'documents',
  'appointments',
  'careteam',
];

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

interface Column {
  label: MessageKey;
}

function Section(props: {
  ctx: PageContext;
  category: RecordCategory;
  columns: Column[];
  rows: JSX.Element[][];
}): JSX.Element {
  const { ctx, category, rows } = props;
  const { t } = ctx;
  const title = t(`patientRecord.section.${category}` as MessageKey);
  return (
    <section aria-labelledby={`section-${category}`} class="koepel-section koepel-record-section">
      <h2 id={`section-${category}`} class="utrecht-heading-2" safe>
        {title}
      </h2>
      {rows.length === 0 ? (
        <p class="utrecht-paragraph" safe>
          {t('patientRecord.none')}
        </p>
      ) : (
        <div class="utrecht-table-container koepel-table-wrapper">
          <table class="utrecht-table utrecht-table--html-table koepel-record-table">
            <caption class="utrecht-table__caption" safe>
              {`${title} (${t('patientRecord.count', { count: rows.length })})`}
            </caption>
            <thead class="utrecht-table__header">
              <tr class="utrecht-table__row">
                {props.columns.map((c) => (
                  <th class="utrecht-table__header-cell" scope="col" safe>
                    {t(c.label)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody class="utrecht-table__body">
              {rows.map((cells) => (
                <tr class="utrecht-table__row">
                  {cells.map((cell, i) =>
                    i === 0 ? (
                      <th class="utrecht-table__cell koepel-row-header" scope="row">
                        {cell}
                      </th>
                    ) : (
                      <td class="utrecht-table__cell">{cell}</td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const txt = (v: string) => <span safe>{v}</span>;

function rowsFor(
  ctx: PageContext,
  category: RecordCategory,
  resources: StoredResource[],
  attachments: AttachmentInfo[],
  citizenId: string,
): { columns: Column[]; rows: JSX.Element[][] } {
  const { t } = ctx;
  const of = resources.filter((r) => r.category === category);
  const res = (r: StoredResource) => r.resource as Json;
  switch (category) {
    case 'episodes':
      return {
        columns: [
          { label: 'patientRecord.col.description' },
          { label: 'patientRecord.col.code' },
          { label: 'patientRecord.col.status' },
          { label: 'patientRecord.col.start' },
        ],
        rows: of.map((r) => {
          const c = res(r);
          return [
            txt(conceptText(c.code)),
            txt(conceptCode(c.code)),
            txt(coded(ctx, 'patientRecord.status', firstCode(c.clinicalStatus))),
            <When ctx={ctx} value={text(c.onsetDateTime) ?? periodOf(c.onsetPeriod).start ?? text(c.recordedDate)} />,
          ];
        }),
      };
    case 'sensitivities':
      return {
        columns: [
          { label: 'patientRecord.col.description' },
          { label: 'patientRecord.col.kind' },
          { label: 'patientRecord.col.criticality' },
          { label: 'patientRecord.col.since' },
        ],
        rows: of.map((r) => {
          const c = res(r);
          const allergy = r.resourceType === 'AllergyIntolerance';
          return [
            txt(conceptText(c.code)),
            txt(t(allergy ? 'patientRecord.kind.allergy' : 'patientRecord.kind.particular')),
            txt(coded(ctx, 'patientRecord.criticality', text(c.criticality))),
            <When ctx={ctx} value={text(c.onsetDateTime) ?? text(c.recordedDate)} />,
          ];
        }),
      };
    case 'lab':
      return {
        columns: [
          { label: 'patientRecord.col.test' },
          { label: 'patientRecord.col.result' },
          { label: 'patientRecord.col.range' },
          { label: 'patientRecord.col.interpretation' },
          { label: 'patientRecord.col.date' },
        ],
        rows: of.map((r) => {
          const o = res(r);
          return [
            txt(conceptText(o.code)),
            txt(observationValue(o)),
            txt(referenceRangeText(o)),
            txt(coded(ctx, 'patientRecord.interpretation', interpretationCode(o))),
            <When ctx={ctx} value={text(o.effectiveDateTime) ?? periodOf(o.effectivePeriod).start ?? text(o.issued)} />,
          ];
        }),
      };
    case 'medication':
      return {
        columns: [
          { label: 'patientRecord.col.medicine' },
          { label: 'patientRecord.col.kind' },
          { label: 'patientRecord.col.dosage' },
          { label: 'patientRecord.col.start' },
          { label: 'patientRecord.col.end' },
          { label: 'patientRecord.col.status' },
        ],
        rows: of.map((r) => {
          const m = res(r);
          const period = periodOf(m.effectivePeriod);
          const start =
            period.start ??
            text(m.effectiveDateTime) ??
            text(m.authoredOn) ??
            text(m.whenHandedOver) ??
            text(m.whenPrepared);
          return [
            txt(medicationText(m)),
            txt(t(`patientRecord.kind.${r.resourceType}` as MessageKey)),
            txt(dosageText(m)),
            <When ctx={ctx} value={start} />,
            <When ctx={ctx} value={period.end} />,
            txt(coded(ctx, 'patientRecord.status', text(m.status))),
          ];
        }),
      };
    case 'documents':
      return {
        columns: [
          { label: 'patientRecord.col.title' },
          { label: 'patientRecord.col.kind' },
          { label: 'patientRecord.col.date' },
          { label: 'patientRecord.col.file' },
        ],
        rows: of.map((r) => {
          const d = res(r);
          const files = documentAttachments(d);
          const stored = attachments.filter((a) => a.resourceId === r.id);
          const title = text(d.description) ?? files[0]?.title ?? conceptText(d.type);
          return [
            txt(title || t('patientRecord.untitled')),
            txt(conceptText(d.type)),
            <When ctx={ctx} value={text(d.date)} />,
            <ul class="utrecht-unordered-list koepel-plain-list">
              {stored.map((a) => {
                const label =
                  files.find((f) => f.position === a.position)?.title || title || t('patientRecord.untitled');
                return (
                  <li>
                    <a
                      class="utrecht-link"
                      href={`/staff/patients/${citizenId}/record/documents/${r.id}/${a.position}`}
                      safe
                    >
                      {t('patientRecord.download', {
                        title: label,
                        type: a.contentType === 'application/pdf' ? 'PDF' : a.contentType,
                        size: byteSize(a.byteSize),
                      })}
                    </a>
                  </li>
                );
              })}
            </ul>,
          ];
        }),
      };
    case 'appointments':
      return {
        columns: [
          { label: 'patientRecord.col.when' },
          { label: 'patientRecord.col.description' },
          { label: 'patientRecord.col.status' },
        ],
        rows: of.map((r) => {
          const a = res(r);
          return [
            <When ctx={ctx} value={text(a.start)} />,
            txt(text(a.description) ?? conceptText((a.serviceType as unknown[] | undefined)?.[0])),
            txt(coded(ctx, 'patientRecord.status', text(a.status))),
          ];
        }),
      };
    case 'careteam':
      return {
        columns: [
          { label: 'patientRecord.col.team' },
          { label: 'patientRecord.col.members' },
          { label: 'patientRecord.col.start' },
        ],
        rows: of.map((r) => {
          const c = res(r);
          return [
            txt(text(c.name) ?? ''),
            <ul class="utrecht-unordered-list koepel-plain-list">
              {careTeamParticipants(c).map((p) => (
                <li safe>{[p.name, p.role].filter(Boolean).join(' — ')}</li>
              ))}
            </ul>,
            <When ctx={ctx} value={periodOf(c.period).start} />,
          ];
        }),
      };
  }
}

export function PatientRecordPage(props: { ctx: PageContext; record: PatientRecord }): JSX.Element {
  const { ctx, record } = props;
  const { t } = ctx;
  const title = t('patientRecord.title', { name: record.name });
  return (
    <Layout ctx={ctx} title={title}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/staff" safe>
          {t('patientRecord.back')}
        </a>
      </p>
      <h1 class="utrecht-heading-1" safe>
        {title}
      </h1>
      <dl class="utrecht-data-list utrecht-data-list--rows koepel-record-person">
        <div class="utrecht-data-list__item">
          <dt class="utrecht-data-list__item-key" safe>
            {t('patientRecord.born')}
          </dt>
          <dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">
            <time datetime={record.birthDate} safe>
              {formatBirthDate(record.birthDate)}
            </time>
          </dd>
        </div>
        <div class="utrecht-data-list__item">
          <dt class="utrecht-data-list__item-key" safe>
            {t('patientRecord.number')}
          </dt>
          <dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd" safe>
            {record.patientNumber ?? '—'}
          </dd>
        </div>
      </dl>
      <p class="utrecht-paragraph koepel-notice" safe>
        {t('patientRecord.scope', { organisation: record.organisationName })}
      </p>
      <nav aria-labelledby="record-contents" class="koepel-record-contents">
        <h2 id="record-contents" class="utrecht-heading-2" safe>
          {t('patientRecord.contents')}
        </h2>
        <ul class="utrecht-unordered-list">
          {SECTIONS.map((c) => (
            <li>
              <a class="utrecht-link" href={`#section-${c}`} safe>
                {`${t(`patientRecord.section.${c}` as MessageKey)} (${record.resources.filter((r) => r.category === c).length})`}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <>
        {SECTIONS.map((category) => {
          const { columns, rows } = rowsFor(ctx, category, record.resources, record.attachments, record.citizenId);
          return <Section ctx={ctx} category={category} columns={columns} rows={rows} />;
        })}
      </>
    </Layout>
  );
}
