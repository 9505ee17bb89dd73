// One kind of vital sign over time (issue 11): the SVG chart of the lab page (blood pressure as two lines, systolic
// and diastolic, of one reading each), its text alternative, and the same measurements as a table with their source.
import Html from '@kitajs/html';
import { formatNumber } from '../platform/fhir/display.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import { Section, Text } from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import { LabChart, type ChartPoint } from './chart.js';
import type { DossierProvider } from './data.js';
import { DetailPage } from './pages.js';
import { VitalTable, type VitalKind, type VitalRow } from './record-sections.js';
import { dateText, providerName } from './views.js';

function Legend(props: { ctx: PageContext; bloodPressure: boolean }): JSX.Element {
  const { t } = props.ctx;
  const entries = props.bloodPressure
    ? [
        ['normal', t('dossier.vitals.chart.legend.systolic')] as const,
        ['second', t('dossier.vitals.chart.legend.diastolic')] as const,
      ]
    : [['normal', t('dossier.vitals.chart.legend.value')] as const];
  return (
    <figcaption class="koepel-chart-legend">
      <span class="koepel-visually-hidden" safe>
        {`${t('dossier.lab.chart.legend')}: `}
      </span>
      <ul class="koepel-inline-list">
        {entries.map(([kind, label]) => (
          <li>
            <span class={`koepel-legend-swatch koepel-legend-swatch--${kind}`} aria-hidden="true"></span>
            <span safe>{label}</span>
          </li>
        ))}
      </ul>
    </figcaption>
  );
}

export function VitalDetailPage(props: {
  ctx: PageContext;
  providers: DossierProvider[];
  kind: VitalKind;
  rows: VitalRow[];
}): JSX.Element {
  const { ctx, kind, rows } = props;
  const { t } = ctx;
  const name = t(`dossier.vitals.kind.${kind}` as MessageKey);
  const bloodPressure = kind === 'bloodPressure';
  const numeric = rows
    .filter((r) => r.numeric !== null && r.at !== null)
    .sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  const unit = numeric.find((r) => r.unit)?.unit ?? '';
  const label = (r: VitalRow) =>
    t('dossier.vitals.chart.point', {
      date: dateText(ctx, r.at, r.precision === 'day'),
      value: `${r.value ?? ''} (${providerName(props.providers, r.organisationId)})`,
    });
  const points: ChartPoint[] = numeric.map((r) => ({
    at: r.at ?? new Date(0),
    value: r.numeric ?? 0,
    abnormal: false,
    label: label(r),
  }));
  const second: ChartPoint[] = bloodPressure
    ? numeric
        .filter((r) => r.diastolic !== null)
        .map((r) => ({ at: r.at ?? new Date(0), value: r.diastolic ?? 0, abnormal: false, label: label(r) }))
    : [];
  const first = numeric[0];
  const last = numeric[numeric.length - 1];
  const values = numeric.map((r) => r.numeric ?? 0);
  const withUnit = (n: number) => `${formatNumber(ctx.lang, n)}${unit ? ` ${unit}` : ''}`;
  const description =
    first && last
      ? bloodPressure
        ? t('dossier.vitals.chart.descBloodPressure', {
            count: numeric.length,
            first: dateText(ctx, first.at),
            last: dateText(ctx, last.at),
            latest: last.value ?? '',
          })
        : t('dossier.vitals.chart.desc', {
            count: numeric.length,
            first: dateText(ctx, first.at),
            last: dateText(ctx, last.at),
            min: withUnit(Math.min(...values)),
            max: withUnit(Math.max(...values)),
            latest: last.value ?? '',
          })
      : '';
  const orgs = [...new Set(rows.map((r) => providerName(props.providers, r.organisationId)))].join(', ');
  return (
    <DetailPage ctx={ctx} section="vitals" title={name} org={orgs}>
      <Text style="intro" text={t('dossier.vitals.detail.intro')} />
      <Section id="vitals-chart-heading" title={t('dossier.lab.chart.heading')}>
        {numeric.length > 0 ? (
          <figure class="koepel-chart-figure">
            {(['wide', 'narrow'] as const).map((variant) => (
              <div class={`koepel-chart-${variant}`}>
                <LabChart
                  lang={ctx.lang}
                  id={`vitals-chart-${variant}`}
                  width={variant === 'wide' ? 640 : 360}
                  title={t('dossier.vitals.chart.title', { kind: name })}
                  description={description}
                  unit={unit}
                  axisValue={unit ? t('dossier.lab.chart.axisValue', { unit }) : t('dossier.lab.chart.axisValueNoUnit')}
                  axisTime={t('dossier.vitals.chart.axisTime')}
                  bandLabel={null}
                  low={null}
                  high={null}
                  points={points}
                  second={second}
                />
              </div>
            ))}
            <Legend ctx={ctx} bloodPressure={bloodPressure} />
          </figure>
        ) : (
          <Text text={t('dossier.lab.chart.nonNumeric')} />
        )}
        <VitalTable
          ctx={ctx}
          rows={rows}
          providers={props.providers}
          caption={t('dossier.vitals.detail.tableCaption', { kind: name })}
        />
      </Section>
      <Text style="small" text={t('dossier.vitals.explain')} />
    </DetailPage>
  );
}

export { Html };
