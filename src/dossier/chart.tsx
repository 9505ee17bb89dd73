// A lab test over time as a server-rendered SVG line chart: the reference range as a band, one marker per result
// (results outside the range get a different shape, not only another colour), axes with Dutch dates and numbers.
// It is an image with a title and a description for screen readers; the page shows the same data as a table.
// No script and no inline style (strict CSP): colours come from classes in koepel.css.
import Html from '@kitajs/html';
import type { Lang } from '../platform/i18n/i18n.js';
import { formatNumber } from '../platform/fhir/display.js';

export interface ChartPoint {
  at: Date;
  value: number;
  abnormal: boolean;
  /** Shown as the marker's tooltip, e.g. "12 maart 2026: 48 mmol/mol (hoog)". */
  label: string;
}

export interface ChartProps {
  lang: Lang;
  id: string;
  title: string;
  description: string;
  unit: string;
  axisValue: string;
  axisTime: string;
  bandLabel: string | null;
  low: number | null;
  high: number | null;
  points: ChartPoint[];
  /** A second line on the same axes (blood pressure: the diastolic beside the systolic), drawn with diamonds. */
  second?: ChartPoint[];
  /** Width in user units: a narrow chart keeps its text readable on a phone (the page shows one of two). */
  width?: number;
}

const H = 320;
const M = { left: 72, right: 20, top: 20, bottom: 56 };
const PLOT_H = H - M.top - M.bottom;
const DAY = 86_400_000;

/** 1, 2, 2.5 or 5 times a power of ten: tick steps people read easily. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * power;
}

/** The value axis: covers every result and the reference bounds, rounded outward to nice ticks. */
export function valueScale(
  values: number[],
  low: number | null,
  high: number | null,
): { min: number; max: number; ticks: number[] } {
  const all = [...values, ...(low !== null ? [low] : []), ...(high !== null ? [high] : [])];
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 1, ticks: [0, 1] };
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const pad = (max - min) * 0.08;
  // Do not invent negative values for quantities that cannot be negative.
  const lower = min >= 0 ? Math.max(0, min - pad) : min - pad;
  const step = niceStep(max + pad - lower, 5);
  const start = Math.floor(lower / step) * step;
  const end = Math.ceil((max + pad) / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toFixed(10)));
  return { min: start, max: end, ticks };
}

const tickFormats = new Map<string, Intl.DateTimeFormat>();
/** "mrt 2026" on a long axis; "8 okt" when the results span only a few months. */
function formatTick(lang: Lang, d: Date, short: boolean): string {
  const key = `${lang}:${short}`;
  let f = tickFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
      ...(short ? { day: 'numeric', month: 'short' } : { month: 'short', year: 'numeric' }),
      timeZone: 'Europe/Amsterdam',
    });
    tickFormats.set(key, f);
  }
  return f.format(d);
}

/** Tick labels for the time axis, leaving out a label that repeats the one before it. */
export function timeTicks(lang: Lang, ticks: number[], min: number, max: number): { at: number; label: string }[] {
  const short = max - min < 150 * DAY;
  const out: { at: number; label: string }[] = [];
  for (const at of ticks) {
    const label = formatTick(lang, new Date(at), short);
    if (out[out.length - 1]?.label !== label) out.push({ at, label });
  }
  return out;
}

/** The time axis: from the first to the last result (a month either side when there is only one). */
export function timeScale(points: { at: Date }[], count = 5): { min: number; max: number; ticks: number[] } {
  const times = points.map((p) => p.at.getTime());
  let min = Math.min(...times);
  let max = Math.max(...times);
  if (!Number.isFinite(min)) {
    min = Date.now() - 30 * DAY;
    max = Date.now();
  }
  if (max - min < 14 * DAY) {
    min -= 30 * DAY;
    max += 30 * DAY;
  }
  const pad = (max - min) * 0.04;
  min -= pad;
  max += pad;
  const ticks: number[] = [];
  for (let i = 0; i < count; i++) ticks.push(min + ((max - min) * (i + 0.5)) / count);
  return { min, max, ticks };
}

export function LabChart(props: ChartProps): JSX.Element {
  const W = props.width ?? 640;
  const PLOT_W = W - M.left - M.right;
  const byTime = (a: ChartPoint, b: ChartPoint) => a.at.getTime() - b.at.getTime();
  const points = [...props.points].sort(byTime);
  const second = [...(props.second ?? [])].sort(byTime);
  const ys = valueScale(
    [...points, ...second].map((p) => p.value),
    props.low,
    props.high,
  );
  const xs = timeScale([...points, ...second], W < 500 ? 3 : 5);
  const x = (t: number) => M.left + ((t - xs.min) / (xs.max - xs.min)) * PLOT_W;
  const y = (v: number) => M.top + PLOT_H - ((v - ys.min) / (ys.max - ys.min)) * PLOT_H;
  const clampY = (v: number) => Math.min(M.top + PLOT_H, Math.max(M.top, y(v)));
  const r = (n: number) => n.toFixed(1);
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;

  const band =
    props.low !== null || props.high !== null
      ? {
          top: clampY(props.high ?? ys.max),
          bottom: clampY(props.low ?? ys.min),
        }
      : null;
  const pathOf = (list: ChartPoint[]) => list.map((p) => `${r(x(p.at.getTime()))},${r(y(p.value))}`).join(' ');
  const path = pathOf(points);

  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      class="koepel-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      focusable="false"
    >
      <title id={titleId} safe>
        {props.title}
      </title>
      <desc id={descId} safe>
        {props.description}
      </desc>
      <rect class="koepel-chart-plot" x={M.left} y={M.top} width={PLOT_W} height={PLOT_H} />
      {band ? (
        <rect
          class="koepel-chart-band"
          x={M.left}
          y={r(band.top)}
          width={PLOT_W}
          height={r(Math.max(0, band.bottom - band.top))}
        >
          {props.bandLabel ? <title safe>{props.bandLabel}</title> : ''}
        </rect>
      ) : (
        ''
      )}
      <g class="koepel-chart-grid" aria-hidden="true">
        {ys.ticks.map((v) => (
          <line x1={M.left} x2={M.left + PLOT_W} y1={r(y(v))} y2={r(y(v))} />
        ))}
      </g>
      <g class="koepel-chart-axis" aria-hidden="true">
        <line x1={M.left} x2={M.left} y1={M.top} y2={M.top + PLOT_H} />
        <line x1={M.left} x2={M.left + PLOT_W} y1={M.top + PLOT_H} y2={M.top + PLOT_H} />
        {ys.ticks.map((v) => (
          <text x={M.left - 8} y={r(y(v) + 5)} text-anchor="end" safe>
            {formatNumber(props.lang, v)}
          </text>
        ))}
        {timeTicks(props.lang, xs.ticks, xs.min, xs.max).map((tick) => (
          <>
            <line x1={r(x(tick.at))} x2={r(x(tick.at))} y1={M.top + PLOT_H} y2={M.top + PLOT_H + 6} />
            <text x={r(x(tick.at))} y={M.top + PLOT_H + 22} text-anchor="middle" safe>
              {tick.label}
            </text>
          </>
        ))}
        <text
          class="koepel-chart-axis-label"
          x={-(M.top + PLOT_H / 2)}
          y="18"
          transform="rotate(-90)"
          text-anchor="middle"
          safe
        >
          {props.axisValue}
        </text>
        <text class="koepel-chart-axis-label" x={M.left + PLOT_W / 2} y={H - 8} text-anchor="middle" safe>
          {props.axisTime}
        </text>
      </g>
      {points.length > 1 ? <polyline class="koepel-chart-line" points={path} aria-hidden="true" /> : ''}
      {second.length > 1 ? (
        <polyline class="koepel-chart-line koepel-chart-line--second" points={pathOf(second)} aria-hidden="true" />
      ) : (
        ''
      )}
      {second.length > 0 ? (
        <g class="koepel-chart-points">
          {second.map((p) => {
            const cx = x(p.at.getTime());
            const cy = y(p.value);
            return (
              <polygon
                class="koepel-chart-point koepel-chart-point--second"
                points={`${r(cx)},${r(cy - 7)} ${r(cx + 7)},${r(cy)} ${r(cx)},${r(cy + 7)} ${r(cx - 7)},${r(cy)}`}
              >
                <title safe>{p.label}</title>
              </polygon>
            );
          })}
        </g>
      ) : (
        ''
      )}
      <g class="koepel-chart-points">
        {points.map((p) => {
          const cx = x(p.at.getTime());
          const cy = y(p.value);
          // Out of range: a square (shape, not only colour); in range: a circle.
          return p.abnormal ? (
            <rect
              class="koepel-chart-point koepel-chart-point--abnormal"
              x={r(cx - 6)}
              y={r(cy - 6)}
              width="12"
              height="12"
            >
              <title safe>{p.label}</title>
            </rect>
          ) : (
            <circle class="koepel-chart-point" cx={r(cx)} cy={r(cy)} r="6">
              <title safe>{p.label}</title>
            </circle>
          );
        })}
      </g>
    </svg>
  );
}

export { Html };
