// The zib2020 sections of "Mijn dossier" (issue 11): vital signs (with charts), findings, immunisations, procedures,
// visits, medical aids, treatment directives and advance directives, care plan goals, insurance. Every row names the
// care provider it came from. What is shown is the sender's own text (text, then display); a code is shown only
// when nothing else was sent; generated narrative (text.div) is never rendered. References are resolved within the
// same organisation only: record resources on the page, and the organisation's directory (Practitioner,
// PractitionerRole, Organization, Location, Medication).
import Html from '@kitajs/html';
import type {
  CarePlan,
  CodeableConcept,
  Consent,
  Coverage,
  Device,
  DeviceUseStatement,
  Encounter,
  EpisodeOfCare,
  Goal,
  Immunization,
  ImmunizationRecommendation,
  NutritionOrder,
  Observation,
  ObservationComponent,
  Procedure,
} from 'fhir/r4.js';
import {
  conceptText,
  fhirDate,
  firstConceptText,
  firstFhirDate,
  formatNumber,
  noteText,
  quantityText,
  type DatePrecision,
} from '../platform/fhir/display.js';
import type { MessageKey } from '../platform/i18n/i18n.js';
import { DataTable, EmptyState, Link, providerLang, Section, type Column } from '../platform/web/components/index.js';
import type { PageContext } from '../platform/web/context.js';
import type { StoredResource } from '../record/index.js';
import type { DossierProvider } from './data.js';
import { DateCell, dateText, dossierHref, providerName } from './views.js';

type T = PageContext['t'];
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonBlank = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

// ---------------------------------------------------------------------------------------------------------------
// Words from codes, references, periods
// ---------------------------------------------------------------------------------------------------------------
/** A concept's words (text, else a display); null when it carries only codes. */
export function conceptWords(c: unknown): string | null {
  if (!isObject(c)) return null;
  const display = Array.isArray(c.coding)
    ? c.coding.map((x) => (isObject(x) ? nonBlank(x.display) : null)).find((x) => x !== null)
    : null;
  return nonBlank(c.text) ?? display ?? null;
}

/** The value of an extension by URL (on a resource or an element). */
export function extensionValue(element: unknown, url: string): unknown {
  if (!isObject(element)) return undefined;
  for (const list of [element.extension, element.modifierExtension]) {
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      if (!isObject(e) || e.url !== url) continue;
      const key = Object.keys(e).find((k) => k.startsWith('value'));
      return key ? e[key] : e;
    }
  }
  return undefined;
}

const NICTIZ_EXT = 'http://nictiz.nl/fhir/StructureDefinition/';

/** An organisation's directory entry (Practitioner, PractitionerRole, Organization, Location, Medication). */
export interface DirectoryEntry {
  id?: string;
  /** The id in the sender's id space, which the sender's references use (issue 11). */
  logicalId?: string;
  organisationId: string;
  resourceType: string;
  resource: Record<string, unknown>;
}

/**
 * Resolves references within one organisation: record resources (by Koepel id or the sender's id), the directory,
 * and resources contained in the referring resource ("#id").
 */
export class Resolver {
  constructor(
    private readonly resources: readonly StoredResource[],
    private readonly directory: readonly DirectoryEntry[],
  ) {}

  resolve(organisationId: string, ref: unknown, container?: Json): Json | null {
    if (!isObject(ref)) return null;
    const reference = nonBlank(ref.reference);
    if (!reference) return null;
    if (reference.startsWith('#')) {
      const id = reference.slice(1);
      const contained = Array.isArray(container?.contained) ? container.contained : [];
      return (contained.find((c) => isObject(c) && c.id === id) as Json | undefined) ?? null;
    }
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]*)?$/.exec(reference);
    if (!m) return null;
    const [, type, id] = m;
    const stored = this.resources.find(
      (s) =>
        s.organisationId === organisationId &&
        s.resourceType === type &&
        (s.logicalId === id || s.id === id || s.resource.id === id),
    );
    if (stored) return stored.resource;
    const entry = this.directory.find(
      (d) =>
        d.organisationId === organisationId &&
        d.resourceType === type &&
        (d.logicalId === id || d.id === id || d.resource.id === id),
    );
    return entry?.resource ?? null;
  }

  /** A person's or place's name: from the resource referred to, else the reference's display. */
  name(organisationId: string, ref: unknown, container?: Json): string | null {
    const target = this.resolve(organisationId, ref, container);
    const fromTarget = target ? this.nameOf(organisationId, target) : null;
    return fromTarget ?? (isObject(ref) ? nonBlank(ref.display) : null);
  }

  private nameOf(organisationId: string, r: Json): string | null {
    switch (r.resourceType) {
      case 'Practitioner':
      case 'RelatedPerson':
      case 'Patient':
        return humanName(r.name);
      case 'PractitionerRole': {
        const person = this.resolve(organisationId, r.practitioner);
        const name =
          (person ? humanName(person.name) : null) ??
          (isObject(r.practitioner) ? nonBlank(r.practitioner.display) : null);
        const role = firstConceptText(r.specialty) ?? firstConceptText(r.code);
        if (name) return role ? `${name} (${role})` : name;
        return role ?? this.name(organisationId, r.organization);
      }
      case 'Organization':
        return nonBlank(r.name);
      case 'Location':
        return nonBlank(r.name) ?? this.name(organisationId, r.managingOrganization);
      case 'Device':
        return deviceName(r as unknown as Device);
      default:
        return null;
    }
  }
}

function humanName(v: unknown): string | null {
  const n = Array.isArray(v) ? v.find(isObject) : undefined;
  if (!n) return null;
  const given = Array.isArray(n.given) ? n.given.filter((g): g is string => typeof g === 'string') : [];
  const prefix = Array.isArray(n.prefix) ? n.prefix.filter((g): g is string => typeof g === 'string') : [];
  return nonBlank(n.text) ?? ([...prefix, ...given, nonBlank(n.family)].filter(Boolean).join(' ') || null);
}

function deviceName(d: Device): string | null {
  return (
    nonBlank(d.deviceName?.find((n) => nonBlank(n.name))?.name) ??
    conceptWords(d.type) ??
    nonBlank(d.modelNumber) ??
    noteText(d.note) ??
    conceptText(d.type)
  );
}

/** A status code in words; null for a code Koepel has no words for (never the raw code). */
export function stateText(t: T, code: unknown): string | null {
  const key = `dossier.state.${typeof code === 'string' ? code : ''}`;
  return t.has(key) ? t(key) : null;
}

/** "12 maart 2024 tot en met 3 april 2024", "vanaf …", "tot en met …"; null without dates. */
export function periodText(
  ctx: PageContext,
  start: Date | null,
  end: Date | null,
  precision?: DatePrecision,
): string | null {
  const d = (x: Date) => dateText(ctx, x, false, precision);
  if (start && end) return ctx.t('dossier.period.fromTo', { start: d(start), end: d(end) });
  if (start) return ctx.t('dossier.period.from', { start: d(start) });
  if (end) return ctx.t('dossier.period.until', { end: d(end) });
  return null;
}

/** A date cell; "–" when the resource gives no date (zib examples leave many out), not "datum onbekend". */
function DateOrDash(props: {
  ctx: PageContext;
  date: Date | null;
  withTime?: boolean;
  precision?: DatePrecision;
}): JSX.Element {
  return props.date ? <DateCell {...props} /> : <span>–</span>;
}

/** The care provider column every table ends with. */
function providerColumn<R extends { organisationId: string }>(
  ctx: PageContext,
  providers: DossierProvider[],
): Column<R> {
  return { header: ctx.t('dossier.column.provider'), text: (r) => providerName(providers, r.organisationId) };
}

function WithSubtext(props: {
  text: string;
  sub: (string | null | undefined)[];
  /** The main text's language, for provider text (providerLang). */
  lang?: string | undefined;
}): JSX.Element {
  return (
    <span>
      <span lang={props.lang} safe>
        {props.text}
      </span>
      {props.sub
        .filter((s): s is string => Boolean(s))
        .map((s) => (
          <span class="koepel-subtext" safe>
            {s}
          </span>
        ))}
    </span>
  );
}

interface TableProps<R> {
  ctx: PageContext;
  rows: R[];
  providers: DossierProvider[];
}

const newestFirst = <R extends { at: Date | null }>(a: R, b: R) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0);

// ---------------------------------------------------------------------------------------------------------------
// Observation values: quantity, concept, text, yes/no, components, panel members
// ---------------------------------------------------------------------------------------------------------------
type ValueCarrier = Pick<
  Observation,
  | 'valueQuantity'
  | 'valueCodeableConcept'
  | 'valueString'
  | 'valueBoolean'
  | 'valueInteger'
  | 'valueRange'
  | 'valueRatio'
  | 'valueDateTime'
  | 'valuePeriod'
  | 'valueTime'
>;

/** One value[x] in words; null when there is none. */
export function valueText(ctx: PageContext, v: ValueCarrier): string | null {
  const { t } = ctx;
  if (v.valueQuantity) return quantityText(ctx.lang, v.valueQuantity);
  if (v.valueCodeableConcept) return conceptText(v.valueCodeableConcept);
  if (nonBlank(v.valueString)) return nonBlank(v.valueString);
  if (typeof v.valueBoolean === 'boolean') return v.valueBoolean ? t('dossier.yes') : t('dossier.no');
  if (typeof v.valueInteger === 'number') return formatNumber(ctx.lang, v.valueInteger);
  if (v.valueRange) {
    const low = quantityText(ctx.lang, v.valueRange.low);
    const high = quantityText(ctx.lang, v.valueRange.high);
    if (low && high) return `${low} – ${high}`;
    return low ?? high;
  }
  if (v.valueRatio) {
    const n = quantityText(ctx.lang, v.valueRatio.numerator);
    const d = quantityText(ctx.lang, v.valueRatio.denominator);
    return n && d ? `${n} / ${d}` : (n ?? d);
  }
  if (v.valueDateTime) {
    const d = firstFhirDate(v.valueDateTime);
    return d ? dateText(ctx, d.date, v.valueDateTime.length > 10, d.precision) : null;
  }
  if (v.valuePeriod) return periodText(ctx, fhirDate(v.valuePeriod.start), fhirDate(v.valuePeriod.end));
  if (nonBlank(v.valueTime)) return nonBlank(v.valueTime);
  return null;
}

function componentText(ctx: PageContext, c: ObservationComponent): string | null {
  const value = valueText(ctx, c);
  if (!value) return null;
  const name = conceptText(c.code);
  return name ? `${name}: ${value}` : value;
}

/**
 * The whole outcome of an Observation: its value, its components, and the members of a panel (resolved within the
 * organisation, else the member reference's own display).
 */
export function observationOutcome(
  ctx: PageContext,
  s: StoredResource,
  resolver: Resolver,
  skipComponents: (c: ObservationComponent) => boolean = () => false,
): string[] {
  const o = s.resource as unknown as Observation;
  const parts: string[] = [];
  const main = valueText(ctx, o);
  if (main) parts.push(main);
  for (const c of o.component ?? []) {
    if (skipComponents(c)) continue;
    const text = componentText(ctx, c);
    if (text) parts.push(text);
  }
  for (const m of o.hasMember ?? []) {
    const member = resolver.resolve(s.organisationId, m) as unknown as Observation | null;
    if (member && member.resourceType === 'Observation') {
      const value =
        valueText(ctx, member) ??
        (member.component ?? [])
          .map((c) => componentText(ctx, c))
          .filter(Boolean)
          .join(', ');
      const name = conceptText(member.code);
      if (value) {
        parts.push(name ? `${name}: ${value}` : value);
        continue;
      }
    }
    const display = nonBlank(m.display);
    if (display) parts.push(display);
  }
  if (parts.length === 0 && o.dataAbsentReason) {
    const reason = conceptWords(o.dataAbsentReason);
    if (reason) parts.push(reason);
  }
  return parts;
}

function observationAt(s: StoredResource): { at: Date | null; precision: DatePrecision } {
  const o = s.resource as unknown as Observation;
  const d = firstFhirDate(o.effectiveDateTime, o.effectivePeriod?.start, o.effectiveInstant, o.issued);
  return { at: d?.date ?? s.effectiveAt, precision: d?.precision ?? 'day' };
}

/** The ids of Observations that are members of a panel among these (shown inside the panel, not again). */
export function memberIds(resources: readonly StoredResource[], resolver: Resolver): Set<string> {
  const out = new Set<string>();
  for (const s of resources) {
    const o = s.resource as unknown as Observation;
    for (const m of o.hasMember ?? []) {
      const target = resolver.resolve(s.organisationId, m);
      const stored = target ? resources.find((r) => r.resource === target) : undefined;
      if (stored) out.add(stored.id);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Vital signs
// ---------------------------------------------------------------------------------------------------------------
export const VITAL_KINDS = [
  'bloodPressure',
  'weight',
  'height',
  'bmi',
  'temperature',
  'heartRate',
  'pulse',
  'spo2',
  'respiration',
  'headCircumference',
] as const;
export type VitalKind = (typeof VITAL_KINDS)[number];

export function isVitalKind(v: unknown): v is VitalKind {
  return typeof v === 'string' && (VITAL_KINDS as readonly string[]).includes(v);
}

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const KIND_CODES: [VitalKind, string, string][] = [
  ['bloodPressure', LOINC, '85354-9'],
  ['bloodPressure', LOINC, '55284-4'],
  ['bloodPressure', SNOMED, '75367002'],
  ['weight', LOINC, '29463-7'],
  ['weight', LOINC, '3141-9'],
  ['weight', SNOMED, '27113001'],
  ['height', LOINC, '8302-2'],
  ['height', LOINC, '8306-3'],
  ['height', SNOMED, '50373000'],
  ['bmi', LOINC, '39156-5'],
  ['bmi', SNOMED, '60621009'],
  ['temperature', LOINC, '8310-5'],
  ['temperature', SNOMED, '386725007'],
  ['heartRate', LOINC, '8867-4'],
  ['heartRate', SNOMED, '364075005'],
  ['pulse', SNOMED, '78564009'],
  ['pulse', SNOMED, '366199006'],
  ['spo2', LOINC, '59408-5'],
  ['spo2', LOINC, '2708-6'],
  ['spo2', LOINC, '20564-1'],
  ['spo2', SNOMED, '431314004'],
  ['respiration', LOINC, '9279-1'],
  ['respiration', SNOMED, '86290005'],
  ['headCircumference', LOINC, '9843-4'],
  ['headCircumference', LOINC, '8287-5'],
  ['headCircumference', SNOMED, '363812007'],
];
const SYSTOLIC = new Set([`${LOINC}|8480-6`, `${SNOMED}|271649006`]);
const DIASTOLIC = new Set([`${LOINC}|8462-4`, `${SNOMED}|271650006`]);

const keysOf = (c: CodeableConcept | undefined) => (c?.coding ?? []).map((x) => `${x.system ?? ''}|${x.code ?? ''}`);

export function vitalKind(o: Observation): VitalKind | null {
  const keys = new Set(keysOf(o.code));
  for (const [kind, system, code] of KIND_CODES) if (keys.has(`${system}|${code}`)) return kind;
  if ((o.component ?? []).some((c) => keysOf(c.code).some((k) => SYSTOLIC.has(k)))) return 'bloodPressure';
  return null;
}

export interface VitalRow {
  id: string;
  organisationId: string;
  kind: VitalKind | null;
  what: string;
  value: string | null;
  /** The number a chart plots (blood pressure: the systolic). */
  numeric: number | null;
  diastolic: number | null;
  unit: string;
  at: Date | null;
  precision: DatePrecision;
  details: string[];
  note: string | null;
}

const componentValue = (o: Observation, set: Set<string>) =>
  (o.component ?? []).find((c) => keysOf(c.code).some((k) => set.has(k)))?.valueQuantity;

export function vitalRow(ctx: PageContext, s: StoredResource, resolver: Resolver): VitalRow {
  const { t } = ctx;
  const o = s.resource as unknown as Observation;
  const kind = vitalKind(o);
  const { at, precision } = observationAt(s);
  const base = {
    id: s.id,
    organisationId: s.organisationId,
    kind,
    what: kind
      ? t(`dossier.vitals.kind.${kind}` as MessageKey)
      : (conceptText(o.code) ?? t('dossier.vitals.kind.other')),
    at,
    precision,
    note: noteText(o.note),
  };
  if (kind === 'bloodPressure') {
    const sys = componentValue(o, SYSTOLIC);
    const dia = componentValue(o, DIASTOLIC);
    const isBp = (c: ObservationComponent) => keysOf(c.code).some((k) => SYSTOLIC.has(k) || DIASTOLIC.has(k));
    const details = observationOutcome(ctx, s, resolver, isBp);
    const n = (q: typeof sys) => (typeof q?.value === 'number' ? q.value : null);
    const systolic = n(sys);
    const diastolic = n(dia);
    const value =
      systolic !== null && diastolic !== null
        ? t('dossier.vitals.bloodPressure.value', {
            systolic: formatNumber(ctx.lang, systolic),
            diastolic: formatNumber(ctx.lang, diastolic),
          })
        : systolic !== null
          ? t('dossier.vitals.bloodPressure.systolic', { value: quantityText(ctx.lang, sys) ?? '' })
          : diastolic !== null
            ? t('dossier.vitals.bloodPressure.diastolic', { value: quantityText(ctx.lang, dia) ?? '' })
            : (details.shift() ?? null);
    return { ...base, value, numeric: systolic, diastolic, unit: 'mmHg', details };
  }
  // A panel without a value of its own (the zib pulse) is measured by its member of the same kind.
  const member =
    o.valueQuantity === undefined
      ? (o.hasMember ?? [])
          .map((m) => resolver.resolve(s.organisationId, m) as unknown as Observation | null)
          .find((m) => m?.resourceType === 'Observation' && m.valueQuantity !== undefined)
      : undefined;
  const q = o.valueQuantity ?? member?.valueQuantity;
  const numeric = typeof q?.value === 'number' ? q.value : null;
  let outcome = observationOutcome(ctx, s, resolver);
  let value: string | null;
  if (member) {
    value = quantityText(ctx.lang, q);
    const name = conceptText(member.code);
    const shown = name && value ? `${name}: ${value}` : value;
    outcome = outcome.filter((part) => part !== shown);
  } else value = outcome.shift() ?? null;
  const unitPart = q && value ? value.replace(/^[<>≤≥]=?\s*/, '').replace(/^[-\d.,\s]+/, '') : '';
  return { ...base, value, numeric, diastolic: null, unit: unitPart.trim(), details: outcome };
}

/** The vital-signs section: the latest of each kind with a link to its course, then the other measurements. */
export function VitalsOverview(props: TableProps<VitalRow> & { org?: string | undefined }): JSX.Element {
  const { ctx, rows, providers } = props;
  const { t } = ctx;
  const byKind = VITAL_KINDS.map((kind) => {
    const list = rows.filter((r) => r.kind === kind).sort(newestFirst);
    return { kind, latest: list[0], count: list.length };
  }).filter((k): k is { kind: VitalKind; latest: VitalRow; count: number } => k.latest !== undefined);
  const others = rows.filter((r) => r.kind === null).sort(newestFirst);
  return (
    <>
      {byKind.length > 0 ? (
        <DataTable
          ctx={ctx}
          caption={t('dossier.vitals.caption')}
          columns={[
            {
              header: t('dossier.vitals.measurement'),
              rowHeader: true,
              html: (k) => <Link href={dossierHref(`/dossier/vitals/${k.kind}`, props.org)} text={k.latest.what} />,
            },
            { header: t('dossier.vitals.latest'), text: (k) => k.latest.value, class: 'koepel-value' },
            {
              header: t('dossier.vitals.date'),
              html: (k) => <DateOrDash ctx={ctx} date={k.latest.at} precision={k.latest.precision} />,
            },
            { header: t('dossier.vitals.count'), text: (k) => String(k.count), numeric: true },
            { header: t('dossier.column.provider'), text: (k) => providerName(providers, k.latest.organisationId) },
          ]}
          rows={byKind}
        />
      ) : (
        ''
      )}
      {others.length > 0 ? (
        <Section id="vitals-other" title={t('dossier.vitals.kind.other')}>
          <VitalTable
            ctx={ctx}
            rows={others}
            providers={providers}
            caption={t('dossier.vitals.kind.other')}
            captionHidden
            withWhat
          />
        </Section>
      ) : (
        ''
      )}
    </>
  );
}

export function VitalTable(
  props: TableProps<VitalRow> & { caption: string; withWhat?: boolean; captionHidden?: boolean },
): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const columns: Column<VitalRow>[] = [
    ...(props.withWhat ? [{ header: t('dossier.findings.what'), rowHeader: true, text: (r: VitalRow) => r.what }] : []),
    {
      header: t('dossier.vitals.date'),
      rowHeader: !props.withWhat,
      html: (r) => <DateOrDash ctx={ctx} date={r.at} withTime={r.precision === 'day'} precision={r.precision} />,
    },
    { header: t('dossier.vitals.value'), text: (r) => r.value, class: 'koepel-value' },
    {
      header: t('dossier.vitals.details'),
      text: (r) => [...r.details, ...(r.note ? [r.note] : [])].join('; ') || null,
    },
    providerColumn(ctx, props.providers),
  ];
  return (
    <DataTable
      ctx={ctx}
      caption={props.caption}
      captionHidden={props.captionHidden ?? false}
      columns={columns}
      rows={[...props.rows].sort(newestFirst)}
    />
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Findings (other Observations)
// ---------------------------------------------------------------------------------------------------------------
export interface FindingRow {
  id: string;
  organisationId: string;
  what: string;
  outcome: string | null;
  at: Date | null;
  precision: DatePrecision;
  note: string | null;
}

export function findingRows(ctx: PageContext, resources: StoredResource[], resolver: Resolver): FindingRow[] {
  const observations = resources.filter((r) => r.resourceType === 'Observation');
  const members = memberIds(observations, resolver);
  return observations
    .filter((s) => !members.has(s.id) && (s.resource as unknown as Observation).status !== 'entered-in-error')
    .map((s) => {
      const o = s.resource as unknown as Observation;
      const { at, precision } = observationAt(s);
      return {
        id: s.id,
        organisationId: s.organisationId,
        what: conceptText(o.code) ?? ctx.t('dossier.findings.what'),
        outcome: observationOutcome(ctx, s, resolver).join('; ') || null,
        at,
        precision,
        note: noteText(o.note),
      };
    })
    .sort(newestFirst);
}

export function FindingTable({ ctx, rows, providers }: TableProps<FindingRow>): JSX.Element {
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      caption={t('dossier.findings.caption')}
      columns={[
        {
          header: t('dossier.findings.what'),
          rowHeader: true,
          html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.what} sub={[r.note]} />,
        },
        { header: t('dossier.findings.value'), text: (r) => r.outcome },
        {
          header: t('dossier.findings.date'),
          html: (r) => <DateOrDash ctx={ctx} date={r.at} precision={r.precision} />,
        },
        providerColumn(ctx, providers),
      ]}
      rows={rows}
    />
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Immunisations
// ---------------------------------------------------------------------------------------------------------------
interface ImmunisationRow {
  id: string;
  organisationId: string;
  vaccine: string;
  at: Date | null;
  precision: DatePrecision;
  dose: string | null;
  by: string | null;
  notGiven: boolean;
  note: string | null;
}

interface RecommendationRow {
  id: string;
  organisationId: string;
  vaccine: string;
  due: Date | null;
  advice: string | null;
}

export function ImmunisationsView(props: {
  ctx: PageContext;
  resources: StoredResource[];
  resolver: Resolver;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx, resolver, providers } = props;
  const { t } = ctx;
  const given: ImmunisationRow[] = [];
  const planned: RecommendationRow[] = [];
  for (const s of props.resources) {
    if (s.resourceType === 'Immunization') {
      const i = s.resource as unknown as Immunization;
      if (i.status === 'entered-in-error') continue;
      const d = firstFhirDate(i.occurrenceDateTime, i.recorded);
      given.push({
        id: s.id,
        organisationId: s.organisationId,
        vaccine: conceptText(i.vaccineCode) ?? t('dossier.immunisations.vaccine'),
        at: d?.date ?? s.effectiveAt,
        precision: d?.precision ?? 'day',
        dose: quantityText(ctx.lang, i.doseQuantity),
        by:
          (i.performer ?? [])
            .map((p) => resolver.name(s.organisationId, p.actor, s.resource as Json))
            .filter(Boolean)
            .join(', ') || null,
        notGiven: i.status === 'not-done',
        note: noteText(i.note) ?? nonBlank(i.occurrenceString),
      });
    } else if (s.resourceType === 'ImmunizationRecommendation') {
      const r = s.resource as unknown as ImmunizationRecommendation;
      r.recommendation.forEach((rec, n) => {
        planned.push({
          id: `${s.id}-${n}`,
          organisationId: s.organisationId,
          vaccine:
            firstConceptText(rec.vaccineCode) ?? conceptText(rec.targetDisease) ?? t('dossier.immunisations.vaccine'),
          due: fhirDate(rec.dateCriterion?.find((c) => fhirDate(c.value))?.value),
          advice: nonBlank(rec.description) ?? conceptWords(rec.forecastStatus),
        });
      });
    }
  }
  return (
    <>
      <Section id="immunisations-given" title={t('dossier.immunisations.given')}>
        {given.length === 0 ? (
          <EmptyState text={t('dossier.immunisations.noGiven')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('dossier.immunisations.given')}
            captionHidden
            columns={[
              {
                header: t('dossier.immunisations.vaccine'),
                rowHeader: true,
                html: (r) => (
                  <WithSubtext
                    lang={providerLang(ctx)}
                    text={r.vaccine}
                    sub={[r.notGiven ? t('dossier.immunisations.notGiven') : null, r.note]}
                  />
                ),
              },
              {
                header: t('dossier.immunisations.date'),
                html: (r) => <DateOrDash ctx={ctx} date={r.at} precision={r.precision} />,
              },
              { header: t('dossier.immunisations.dose'), text: (r) => r.dose },
              { header: t('dossier.immunisations.by'), text: (r) => r.by },
              providerColumn(ctx, providers),
            ]}
            rows={given.sort(newestFirst)}
          />
        )}
      </Section>
      {planned.length > 0 ? (
        <Section id="immunisations-planned" title={t('dossier.immunisations.planned')}>
          <DataTable
            ctx={ctx}
            caption={t('dossier.immunisations.planned')}
            captionHidden
            columns={[
              { header: t('dossier.immunisations.vaccine'), rowHeader: true, text: (r) => r.vaccine },
              {
                header: t('dossier.immunisations.due'),
                text: (r) => (r.due ? t('dossier.immunisations.dueFrom', { date: dateText(ctx, r.due) }) : null),
              },
              { header: t('dossier.immunisations.advice'), text: (r) => r.advice },
              providerColumn(ctx, providers),
            ]}
            rows={planned.sort((a, b) => (a.due?.getTime() ?? 0) - (b.due?.getTime() ?? 0))}
          />
        </Section>
      ) : (
        ''
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Procedures
// ---------------------------------------------------------------------------------------------------------------
interface ProcedureRow {
  id: string;
  organisationId: string;
  what: string;
  status: string | null;
  at: Date | null;
  end: Date | null;
  precision: DatePrecision;
  where: string | null;
  by: string | null;
  location: string | null;
  note: string | null;
}

/** A body site with its laterality (zib AnatomicalLocation): "structuur van knieregio (links)". */
function bodySiteText(site: CodeableConcept | undefined): string | null {
  const name = conceptText(site);
  if (!name) return null;
  const side = conceptWords(extensionValue(site, `${NICTIZ_EXT}ext-AnatomicalLocation.Laterality`));
  return side ? `${name} (${side})` : name;
}

export function procedureRows(ctx: PageContext, resources: StoredResource[], resolver: Resolver): ProcedureRow[] {
  return resources
    .filter((s) => s.resourceType === 'Procedure')
    .map((s) => {
      const p = s.resource as unknown as Procedure;
      const d = firstFhirDate(p.performedDateTime, p.performedPeriod?.start);
      return {
        id: s.id,
        organisationId: s.organisationId,
        what: conceptText(p.code) ?? ctx.t('dossier.procedures.what'),
        status: p.status === 'completed' ? null : stateText(ctx.t, p.status),
        at: d?.date ?? s.effectiveAt,
        end: fhirDate(p.performedPeriod?.end),
        precision: d?.precision ?? 'day',
        where: (p.bodySite ?? []).map(bodySiteText).filter(Boolean).join(', ') || null,
        by:
          (p.performer ?? [])
            .map((x) => resolver.name(s.organisationId, x.actor, s.resource as Json))
            .filter(Boolean)
            .join(', ') || null,
        location: resolver.name(s.organisationId, p.location, s.resource),
        note: noteText(p.note),
        entered: p.status === 'entered-in-error',
      };
    })
    .filter((r) => !r.entered)
    .sort(newestFirst);
}

export function ProcedureTable({ ctx, rows, providers }: TableProps<ProcedureRow>): JSX.Element {
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      caption={t('dossier.procedures.caption')}
      columns={[
        {
          header: t('dossier.procedures.what'),
          rowHeader: true,
          html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.what} sub={[r.status, r.note]} />,
        },
        {
          header: t('dossier.procedures.date'),
          html: (r) =>
            r.end && r.at ? (
              <span safe>{periodText(ctx, r.at, r.end) ?? ''}</span>
            ) : (
              <DateOrDash ctx={ctx} date={r.at} precision={r.precision} />
            ),
        },
        { header: t('dossier.procedures.where'), text: (r) => r.where },
        { header: t('dossier.procedures.by'), text: (r) => r.by },
        { header: t('dossier.procedures.location'), text: (r) => r.location },
        providerColumn(ctx, providers),
      ]}
      rows={rows}
    />
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Visits: Encounter and EpisodeOfCare
// ---------------------------------------------------------------------------------------------------------------
interface EncounterRow {
  id: string;
  organisationId: string;
  type: string;
  at: Date | null;
  end: Date | null;
  with: string | null;
  location: string | null;
  reason: string | null;
  status: string | null;
}

interface EpisodeRow {
  id: string;
  organisationId: string;
  name: string;
  at: Date | null;
  end: Date | null;
  status: string | null;
}

export function VisitsView(props: {
  ctx: PageContext;
  resources: StoredResource[];
  resolver: Resolver;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx, resolver, providers } = props;
  const { t } = ctx;
  const encounters: EncounterRow[] = [];
  const episodes: EpisodeRow[] = [];
  for (const s of props.resources) {
    if (s.resourceType === 'Encounter') {
      const e = s.resource as unknown as Encounter;
      if (e.status === 'entered-in-error' || e.status === 'cancelled') continue;
      const classKey = `dossier.visits.class.${e.class?.code ?? ''}`;
      encounters.push({
        id: s.id,
        organisationId: s.organisationId,
        type:
          firstConceptText(e.type) ??
          (t.has(classKey) ? t(classKey) : null) ??
          nonBlank(e.class?.display) ??
          t('dossier.visits.type'),
        at: fhirDate(e.period?.start) ?? s.effectiveAt,
        end: fhirDate(e.period?.end),
        with:
          (e.participant ?? [])
            .map((p) => resolver.name(s.organisationId, p.individual, s.resource as Json))
            .filter(Boolean)
            .join(', ') || null,
        location:
          (e.location ?? [])
            .map((l) => resolver.name(s.organisationId, l.location, s.resource as Json))
            .filter(Boolean)
            .join(', ') || (e.serviceProvider ? resolver.name(s.organisationId, e.serviceProvider) : null),
        reason:
          firstConceptText(e.reasonCode) ??
          (e.diagnosis ?? [])
            .map((d) => conceptWords(resolver.resolve(s.organisationId, d.condition)?.code))
            .find(Boolean) ??
          null,
        status: ['finished', 'unknown'].includes(e.status) ? null : stateText(t, e.status),
      });
    } else if (s.resourceType === 'EpisodeOfCare') {
      const e = s.resource as unknown as EpisodeOfCare;
      if (e.status === 'entered-in-error') continue;
      const condition = (e.diagnosis ?? [])
        .map((d) => conceptText(resolver.resolve(s.organisationId, d.condition)?.code))
        .find(Boolean);
      episodes.push({
        id: s.id,
        organisationId: s.organisationId,
        name:
          nonBlank(extensionValue(e, `${NICTIZ_EXT}ext-EpisodeOfCare.EpisodeOfCareName`)) ??
          firstConceptText(e.type) ??
          condition ??
          t('dossier.visits.episode'),
        at: fhirDate(e.period?.start) ?? s.effectiveAt,
        end: fhirDate(e.period?.end),
        status: stateText(t, e.status),
      });
    }
  }
  return (
    <>
      <Section id="visits-encounters" title={t('dossier.visits.encounters')}>
        {encounters.length === 0 ? (
          <EmptyState text={t('dossier.visits.noEncounters')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('dossier.visits.encounters')}
            captionHidden
            columns={[
              {
                header: t('dossier.visits.type'),
                rowHeader: true,
                html: (r) => <WithSubtext text={r.type} sub={[r.status]} />,
              },
              { header: t('dossier.visits.period'), text: (r) => periodText(ctx, r.at, r.end) },
              { header: t('dossier.visits.with'), text: (r) => r.with },
              { header: t('dossier.visits.location'), text: (r) => r.location },
              { header: t('dossier.visits.reason'), text: (r) => r.reason },
              providerColumn(ctx, providers),
            ]}
            rows={encounters.sort(newestFirst)}
          />
        )}
      </Section>
      {episodes.length > 0 ? (
        <Section id="visits-episodes" title={t('dossier.visits.episodes')}>
          <DataTable
            ctx={ctx}
            caption={t('dossier.visits.episodes')}
            captionHidden
            columns={[
              { header: t('dossier.visits.episode'), rowHeader: true, text: (r) => r.name },
              { header: t('dossier.visits.period'), text: (r) => periodText(ctx, r.at, r.end) },
              { header: t('dossier.visits.status'), text: (r) => r.status },
              providerColumn(ctx, providers),
            ]}
            rows={episodes.sort(newestFirst)}
          />
        </Section>
      ) : (
        ''
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Medical aids: DeviceUseStatement with its Device; a Device no statement refers to stands alone
// ---------------------------------------------------------------------------------------------------------------
interface AidRow {
  id: string;
  organisationId: string;
  device: string;
  detail: string | null;
  at: Date | null;
  end: Date | null;
  precision: DatePrecision;
  where: string | null;
  status: string | null;
  note: string | null;
}

export function aidRows(ctx: PageContext, resources: StoredResource[], resolver: Resolver): AidRow[] {
  const { t } = ctx;
  const used = new Set<Json>();
  const rows: AidRow[] = [];
  for (const s of resources) {
    if (s.resourceType !== 'DeviceUseStatement') continue;
    const u = s.resource as unknown as DeviceUseStatement;
    if (u.status === 'entered-in-error') continue;
    const device = resolver.resolve(s.organisationId, u.device, s.resource) as unknown as Device | null;
    if (device) used.add(device as unknown as Json);
    const name = (device ? deviceName(device) : null) ?? nonBlank(u.device?.display) ?? t('dossier.aids.device');
    const d = firstFhirDate(u.timingPeriod?.start, u.timingDateTime, u.recordedOn);
    const deviceNote = device ? noteText(device.note) : null;
    rows.push({
      id: s.id,
      organisationId: s.organisationId,
      device: name,
      detail: deviceNote && deviceNote !== name ? deviceNote : null,
      at: d?.date ?? null,
      end: fhirDate(u.timingPeriod?.end),
      precision: d?.precision ?? 'day',
      where: bodySiteText(u.bodySite),
      status: u.status === 'active' ? null : stateText(t, u.status),
      note: noteText(u.note),
    });
  }
  for (const s of resources) {
    if (s.resourceType !== 'Device' || used.has(s.resource)) continue;
    const d = s.resource as unknown as Device;
    if (d.status === 'entered-in-error') continue;
    const name = deviceName(d) ?? t('dossier.aids.device');
    const note = noteText(d.note);
    rows.push({
      id: s.id,
      organisationId: s.organisationId,
      device: name,
      detail: note && note !== name ? note : null,
      at: null,
      end: null,
      precision: 'day',
      where: null,
      status: null,
      note: null,
    });
  }
  return rows.sort(newestFirst);
}

export function AidTable({ ctx, rows, providers }: TableProps<AidRow>): JSX.Element {
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      caption={t('dossier.aids.caption')}
      columns={[
        {
          header: t('dossier.aids.device'),
          rowHeader: true,
          html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.device} sub={[r.detail, r.status, r.note]} />,
        },
        { header: t('dossier.aids.since'), html: (r) => <DateOrDash ctx={ctx} date={r.at} precision={r.precision} /> },
        { header: t('dossier.aids.until'), text: (r) => (r.end ? dateText(ctx, r.end) : null) },
        { header: t('dossier.aids.where'), text: (r) => r.where },
        providerColumn(ctx, providers),
      ]}
      rows={rows}
    />
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Directives: treatment directives (Consent, scope treatment) and advance directives (scope adr / category acd)
// ---------------------------------------------------------------------------------------------------------------
interface DirectiveRow {
  id: string;
  organisationId: string;
  what: string;
  decision: string | null;
  at: Date | null;
  precision: DatePrecision;
  validity: string | null;
  people: string | null;
  note: string | null;
}

function isAdvanceDirective(c: Consent): boolean {
  const codes = [...(c.category ?? []).flatMap((x) => x.coding ?? []), ...(c.scope?.coding ?? [])].map((x) => x.code);
  return codes.includes('acd') || codes.includes('adr');
}

function directiveRow(ctx: PageContext, s: StoredResource, resolver: Resolver): DirectiveRow {
  const { t } = ctx;
  const c = s.resource as unknown as Consent;
  const p = c.provision;
  const d = firstFhirDate(c.dateTime);
  const condition = nonBlank(extensionValue(c, `${NICTIZ_EXT}ext-TreatmentDirective2.SpecificationOther`));
  const decision = condition
    ? t('dossier.directives.withCondition', { condition })
    : p?.type === 'permit'
      ? t('dossier.directives.permit')
      : p?.type === 'deny'
        ? t('dossier.directives.deny')
        : null;
  const end = fhirDate(p?.period?.end);
  const start = fhirDate(p?.period?.start);
  const ended = c.status === 'inactive' || (end !== null && end.getTime() < Date.now());
  const validity = ended
    ? end
      ? t('dossier.directives.endedOn', { date: dateText(ctx, end) })
      : t('dossier.directives.inactive')
    : end
      ? t('dossier.directives.until', { date: dateText(ctx, end) })
      : start
        ? t('dossier.directives.from', { date: dateText(ctx, start) })
        : null;
  const endReason = nonBlank(extensionValue(p, `${NICTIZ_EXT}ext-TreatmentDirective2.ReasonForEnding`));
  const comment = nonBlank(extensionValue(c, `${NICTIZ_EXT}ext-Comment`));
  return {
    id: s.id,
    organisationId: s.organisationId,
    what: firstConceptText(p?.code) ?? firstConceptText(c.category) ?? t('dossier.directives.what'),
    decision,
    at: d?.date ?? s.effectiveAt,
    precision: d?.precision ?? 'day',
    validity,
    people:
      (p?.actor ?? [])
        .filter((a) => !/(^|\/)Patient\//.test(a.reference.reference ?? ''))
        .map((a) => resolver.name(s.organisationId, a.reference, s.resource as Json))
        .filter(Boolean)
        .join(', ') || null,
    note:
      [comment, endReason ? t('dossier.directives.endReason', { reason: endReason }) : null]
        .filter(Boolean)
        .join(' ') || null,
  };
}

export function DirectivesView(props: {
  ctx: PageContext;
  resources: StoredResource[];
  resolver: Resolver;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx, resolver, providers } = props;
  const { t } = ctx;
  const consents = props.resources.filter(
    (s) => s.resourceType === 'Consent' && (s.resource as unknown as Consent).status !== 'entered-in-error',
  );
  const advance = consents.filter((s) => isAdvanceDirective(s.resource as unknown as Consent));
  const treatment = consents.filter((s) => !advance.includes(s));
  const dateColumn: Column<DirectiveRow> = {
    header: t('dossier.directives.date'),
    html: (r) => <DateOrDash ctx={ctx} date={r.at} precision={r.precision} />,
  };
  return (
    <>
      <Section id="directives-treatment" title={t('dossier.directives.treatment')}>
        {treatment.length === 0 ? (
          <EmptyState text={t('dossier.directives.noTreatment')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('dossier.directives.treatment')}
            captionHidden
            columns={[
              {
                header: t('dossier.directives.what'),
                rowHeader: true,
                html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.what} sub={[r.note]} />,
              },
              { header: t('dossier.directives.decision'), text: (r) => r.decision },
              dateColumn,
              { header: t('dossier.directives.validity'), text: (r) => r.validity },
              { header: t('dossier.directives.agreedWith'), text: (r) => r.people },
              providerColumn(ctx, providers),
            ]}
            rows={treatment.map((s) => directiveRow(ctx, s, resolver)).sort(newestFirst)}
          />
        )}
      </Section>
      <Section id="directives-advance" title={t('dossier.directives.advance')}>
        {advance.length === 0 ? (
          <EmptyState text={t('dossier.directives.noAdvance')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('dossier.directives.advance')}
            captionHidden
            columns={[
              {
                header: t('dossier.directives.kind'),
                rowHeader: true,
                html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.what} sub={[r.note]} />,
              },
              dateColumn,
              { header: t('dossier.directives.validity'), text: (r) => r.validity },
              { header: t('dossier.directives.representative'), text: (r) => r.people },
              providerColumn(ctx, providers),
            ]}
            rows={advance.map((s) => directiveRow(ctx, s, resolver)).sort(newestFirst)}
          />
        )}
      </Section>
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Care plan: Goal, CarePlan, NutritionOrder
// ---------------------------------------------------------------------------------------------------------------
interface GoalRow {
  id: string;
  organisationId: string;
  goal: string;
  target: string | null;
  due: Date | null;
  at: Date | null;
  status: string | null;
  note: string | null;
}

interface PlanRow {
  id: string;
  organisationId: string;
  plan: string;
  detail: string | null;
  at: Date | null;
  end: Date | null;
  status: string | null;
}

export function CarePlanView(props: {
  ctx: PageContext;
  resources: StoredResource[];
  resolver: Resolver;
  providers: DossierProvider[];
}): JSX.Element {
  const { ctx, providers } = props;
  const { t } = ctx;
  const goals: GoalRow[] = [];
  const plans: PlanRow[] = [];
  const nutrition: PlanRow[] = [];
  for (const s of props.resources) {
    if (s.resourceType === 'Goal') {
      const g = s.resource as unknown as Goal;
      if (g.lifecycleStatus === 'entered-in-error') continue;
      const targets = (g.target ?? [])
        .map((x) => {
          const measure = conceptText(x.measure);
          const detail =
            quantityText(ctx.lang, x.detailQuantity) ??
            conceptText(x.detailCodeableConcept) ??
            nonBlank(x.detailString) ??
            (typeof x.detailBoolean === 'boolean' ? (x.detailBoolean ? t('dossier.yes') : t('dossier.no')) : null) ??
            (typeof x.detailInteger === 'number' ? formatNumber(ctx.lang, x.detailInteger) : null);
          return measure && detail ? `${measure}: ${detail}` : (measure ?? detail);
        })
        .filter(Boolean);
      const achievement = conceptWords(g.achievementStatus);
      goals.push({
        id: s.id,
        organisationId: s.organisationId,
        goal: conceptText(g.description) ?? t('dossier.careplan.goal'),
        target: targets.join('; ') || null,
        due: fhirDate(g.target?.find((x) => x.dueDate)?.dueDate),
        at: fhirDate(g.startDate) ?? s.effectiveAt,
        status: achievement ?? stateText(t, g.lifecycleStatus),
        note: noteText(g.note),
      });
    } else if (s.resourceType === 'CarePlan') {
      const c = s.resource as unknown as CarePlan;
      if (c.status === 'entered-in-error') continue;
      plans.push({
        id: s.id,
        organisationId: s.organisationId,
        plan:
          nonBlank(c.title) ?? nonBlank(c.description) ?? firstConceptText(c.category) ?? t('dossier.careplan.plan'),
        detail: nonBlank(c.title) ? nonBlank(c.description) : null,
        at: fhirDate(c.period?.start) ?? s.effectiveAt,
        end: fhirDate(c.period?.end),
        status: stateText(t, c.status),
      });
    } else if (s.resourceType === 'NutritionOrder') {
      const n = s.resource as unknown as NutritionOrder;
      if (n.status === 'entered-in-error') continue;
      const diet = [
        ...(n.oralDiet?.type ?? []).map((x) => conceptText(x)),
        nonBlank(n.oralDiet?.instruction),
        ...(n.supplement ?? []).map((x) => nonBlank(x.productName) ?? conceptText(x.type)),
        ...(n.enteralFormula
          ? [nonBlank(n.enteralFormula.baseFormulaProductName) ?? conceptText(n.enteralFormula.baseFormulaType)]
          : []),
      ].filter(Boolean);
      const texture = (n.oralDiet?.texture ?? [])
        .map((x) => conceptText(x.modifier) ?? conceptText(x.foodType))
        .filter(Boolean);
      nutrition.push({
        id: s.id,
        organisationId: s.organisationId,
        plan: diet.join('; ') || t('dossier.careplan.diet'),
        detail:
          [texture.length > 0 ? `${t('dossier.careplan.texture')}: ${texture.join(', ')}` : null, noteText(n.note)]
            .filter(Boolean)
            .join(' ') || null,
        at: fhirDate(n.dateTime) ?? s.effectiveAt,
        end: null,
        status: n.status === 'active' ? null : stateText(t, n.status),
      });
    }
  }
  return (
    <>
      <Section id="careplan-goals" title={t('dossier.careplan.goals')}>
        {goals.length === 0 ? (
          <EmptyState text={t('dossier.careplan.noGoals')} />
        ) : (
          <DataTable
            ctx={ctx}
            caption={t('dossier.careplan.goals')}
            captionHidden
            columns={[
              {
                header: t('dossier.careplan.goal'),
                rowHeader: true,
                html: (r) => <WithSubtext text={r.goal} sub={[r.note]} />,
              },
              { header: t('dossier.careplan.target'), text: (r) => r.target },
              { header: t('dossier.careplan.due'), text: (r) => (r.due ? dateText(ctx, r.due) : null) },
              { header: t('dossier.careplan.status'), text: (r) => r.status },
              providerColumn(ctx, providers),
            ]}
            rows={goals.sort(newestFirst)}
          />
        )}
      </Section>
      {plans.length > 0 ? (
        <Section id="careplan-plans" title={t('dossier.careplan.plans')}>
          <DataTable
            ctx={ctx}
            caption={t('dossier.careplan.plans')}
            captionHidden
            columns={[
              {
                header: t('dossier.careplan.plan'),
                rowHeader: true,
                html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.plan} sub={[r.detail]} />,
              },
              { header: t('dossier.careplan.period'), text: (r) => periodText(ctx, r.at, r.end) },
              { header: t('dossier.careplan.status'), text: (r) => r.status },
              providerColumn(ctx, providers),
            ]}
            rows={plans.sort(newestFirst)}
          />
        </Section>
      ) : (
        ''
      )}
      {nutrition.length > 0 ? (
        <Section id="careplan-nutrition" title={t('dossier.careplan.nutrition')}>
          <DataTable
            ctx={ctx}
            caption={t('dossier.careplan.nutrition')}
            captionHidden
            columns={[
              {
                header: t('dossier.careplan.diet'),
                rowHeader: true,
                html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.plan} sub={[r.detail, r.status]} />,
              },
              { header: t('dossier.careplan.since'), html: (r) => <DateOrDash ctx={ctx} date={r.at} /> },
              providerColumn(ctx, providers),
            ]}
            rows={nutrition.sort(newestFirst)}
          />
        </Section>
      ) : (
        ''
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Insurance: Coverage
// ---------------------------------------------------------------------------------------------------------------
interface CoverageRow {
  id: string;
  organisationId: string;
  insurer: string;
  type: string | null;
  number: string | null;
  at: Date | null;
  end: Date | null;
  status: string | null;
}

export function coverageRows(ctx: PageContext, resources: StoredResource[], resolver: Resolver): CoverageRow[] {
  const { t } = ctx;
  return resources
    .filter((s) => s.resourceType === 'Coverage' && (s.resource as unknown as Coverage).status !== 'entered-in-error')
    .map((s) => {
      const c = s.resource as unknown as Coverage;
      const selfPay = (c.type?.coding ?? []).some(
        (x) => x.system === 'http://terminology.hl7.org/CodeSystem/coverage-selfpay' && x.code === 'pay',
      );
      return {
        id: s.id,
        organisationId: s.organisationId,
        insurer:
          (c.payor ?? []).map((p) => resolver.name(s.organisationId, p, s.resource as Json)).find(Boolean) ??
          t('dossier.payer.insurer'),
        type: conceptWords(c.type) ?? (selfPay ? t('dossier.payer.selfPay') : conceptText(c.type)),
        number: nonBlank(c.subscriberId) ?? nonBlank(c.identifier?.find((i) => nonBlank(i.value))?.value),
        at: fhirDate(c.period?.start) ?? s.effectiveAt,
        end: fhirDate(c.period?.end),
        status: c.status === 'active' ? null : stateText(t, c.status),
      };
    })
    .sort(newestFirst);
}

export function CoverageTable({ ctx, rows, providers }: TableProps<CoverageRow>): JSX.Element {
  const { t } = ctx;
  return (
    <DataTable
      ctx={ctx}
      caption={t('dossier.payer.caption')}
      columns={[
        {
          header: t('dossier.payer.insurer'),
          rowHeader: true,
          html: (r) => <WithSubtext lang={providerLang(ctx)} text={r.insurer} sub={[r.status]} />,
        },
        { header: t('dossier.payer.type'), text: (r) => r.type },
        { header: t('dossier.payer.number'), text: (r) => r.number },
        { header: t('dossier.payer.period'), text: (r) => periodText(ctx, r.at, r.end) },
        providerColumn(ctx, providers),
      ]}
      rows={rows}
    />
  );
}

export { Html };
