// The two printed documents as blocks for the PDF layout (pdf.ts).
//
// The medication passport is bilingual on one document, Dutch label above English, like a real passport: it is
// shown to care providers at home and abroad, and whoever reads it should not depend on the language the citizen
// happened to use the portal in (nor should the citizen have to print two). What the care providers wrote —
// medicine names, dosage instructions, reactions — stays as they wrote it, in Dutch.
//
// The current medication overview (actueel medicatieoverzicht, AMO) is the pharmacy's working document, printed in
// the form Dutch pharmacies use, in the visitor's language: the pharmacy's letterhead, the patient, the date, a
// table per part (current, recently stopped), and the pharmacy's recorded sensitivities and contraindications.
import type { CareProvider } from '../care-providers/index.js';
import type { AllergyRow, MedicationLine } from '../dossier/index.js';
import type { BirthDate } from '../identity/index.js';
import type { MessageKey, Translate } from '../platform/i18n/i18n.js';
import type { OverviewData, PassportData, Particular } from './data.js';
import type { Block, DocumentSpec, Label } from './pdf.js';

const ZONE = 'Europe/Amsterdam';
const DAY_FORMAT = new Intl.DateTimeFormat('nl-NL', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  timeZone: ZONE,
});

/** dd-mm-yyyy, as dates are written in Dutch care, readable in both languages. */
export function day(d: Date | null): string {
  return d ? DAY_FORMAT.format(d) : '';
}

function birthDate(b: BirthDate, unknown: string): string {
  if (b.date === null) return unknown;
  const [y, m, d] = b.date.split('-');
  switch (b.precision) {
    case 'day':
      return `${d}-${m}-${y}`;
    case 'month':
      return `${m}-${y}`;
    case 'year':
      return y ?? unknown;
    case 'unknown':
      return unknown;
  }
}

type Both = { nl: Translate; en: Translate };

const both = (t: Both, key: MessageKey, params?: Record<string, string | number>): Label => [
  t.nl(key, params),
  t.en(key, params),
];
const inline = (t: Both, key: MessageKey, params?: Record<string, string | number>) =>
  `${t.nl(key, params)} / ${t.en(key, params)}`;

function address(p: CareProvider): string {
  return [p.street, [p.postalCode, p.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

function sourceOf(providers: readonly CareProvider[], organisationId: string): string {
  return providers.find((p) => p.id === organisationId)?.name ?? '';
}

function allergyText(t: Translate, a: AllergyRow): { reaction: string; criticality: string } {
  const criticality = a.criticality ? `medicationPassport.pdf.criticality.${a.criticality}` : null;
  return {
    reaction: [a.reactions.join(', '), a.note].filter(Boolean).join('. '),
    criticality: criticality && t.has(criticality) ? t(criticality) : '',
  };
}

export function passportDocument(
  data: PassportData,
  ctx: { nl: Translate; en: Translate; portal: string },
  printed: Date,
): DocumentSpec {
  const t = { nl: ctx.nl, en: ctx.en };
  const providerNames = data.providers;
  const medicineSource = (l: MedicationLine) =>
    [l.prescriber, sourceOf(providerNames, l.organisationId)].filter(Boolean).join(', ');
  const kindLabel = (p: Particular) => inline(t, `medicationPassport.pdf.kind.${p.kind}`);
  const blocks: Block[] = [
    { kind: 'title', text: both(t, 'medicationPassport.pdf.title') },
    {
      kind: 'notice',
      lines: [t.nl('medicationPassport.pdf.notTravel'), t.en('medicationPassport.pdf.notTravel')],
      detail: [t.nl('medicationPassport.pdf.notTravelDetail'), t.en('medicationPassport.pdf.notTravelDetail')],
    },
    {
      kind: 'facts',
      rows: [
        [both(t, 'medicationPassport.pdf.name'), data.person.name],
        [
          both(t, 'medicationPassport.pdf.birthDate'),
          birthDate(data.person.birthDate, inline(t, 'medicationPassport.pdf.unknown')),
        ],
        [both(t, 'medicationPassport.pdf.printed'), day(printed)],
      ],
    },
    { kind: 'section', title: both(t, 'medicationPassport.pdf.medicines') },
    {
      kind: 'table',
      columns: [
        { header: both(t, 'medicationPassport.pdf.medicine'), width: 3 },
        { header: both(t, 'medicationPassport.pdf.dosage'), width: 3.2 },
        { header: both(t, 'medicationPassport.pdf.since'), width: 1.3 },
        { header: both(t, 'medicationPassport.pdf.source'), width: 2.6 },
      ],
      rows: data.medicines.map((l) => [l.name, l.dosage ?? '', day(l.start), medicineSource(l)]),
      empty: both(t, 'medicationPassport.pdf.noMedicines'),
    },
    { kind: 'section', title: both(t, 'medicationPassport.pdf.allergies') },
    {
      kind: 'table',
      columns: [
        { header: both(t, 'medicationPassport.pdf.substance'), width: 2.6 },
        { header: both(t, 'medicationPassport.pdf.reaction'), width: 3.4 },
        { header: both(t, 'medicationPassport.pdf.criticality'), width: 1.6 },
        { header: both(t, 'medicationPassport.pdf.source'), width: 2.5 },
      ],
      rows: data.allergies.map((a) => {
        const nl = allergyText(t.nl, a);
        const en = allergyText(t.en, a);
        return [
          a.substance,
          nl.reaction,
          nl.criticality ? `${nl.criticality} / ${en.criticality}` : '',
          sourceOf(providerNames, a.organisationId),
        ];
      }),
      empty: both(t, 'medicationPassport.pdf.noAllergies'),
    },
    { kind: 'section', title: both(t, 'medicationPassport.pdf.particulars') },
    {
      kind: 'table',
      columns: [
        { header: both(t, 'medicationPassport.pdf.particular'), width: 3.6 },
        { header: both(t, 'medicationPassport.pdf.kind'), width: 2.4 },
        { header: both(t, 'medicationPassport.pdf.since'), width: 1.4 },
        { header: both(t, 'medicationPassport.pdf.source'), width: 2.7 },
      ],
      rows: data.particulars.map((p) => [
        p.text,
        kindLabel(p),
        day(p.since),
        sourceOf(providerNames, p.organisationId),
      ]),
      empty: both(t, 'medicationPassport.pdf.noParticulars'),
    },
    { kind: 'section', title: both(t, 'medicationPassport.pdf.providers') },
    {
      kind: 'table',
      columns: [
        { header: both(t, 'medicationPassport.pdf.provider'), width: 3 },
        { header: both(t, 'medicationPassport.pdf.kind'), width: 2.2 },
        { header: both(t, 'medicationPassport.pdf.address'), width: 3 },
        { header: both(t, 'medicationPassport.pdf.phone'), width: 1.9 },
      ],
      rows: data.providers.map((p) => [
        p.name,
        inline(t, `careProviders.kind.${p.kind}` as MessageKey),
        address(p),
        p.phone ?? '',
      ]),
      empty: both(t, 'medicationPassport.pdf.noProviders'),
    },
  ];
  return {
    title: inline(t, 'medicationPassport.pdf.title'),
    lang: 'nl-NL',
    headerLeft: `${t.nl('medicationPassport.pdf.title')} · ${t.en('medicationPassport.pdf.title')}`,
    headerRight: `${data.person.name} · ${birthDate(data.person.birthDate, '')}`.replace(/ · $/, ''),
    footer: [
      `${t.nl('medicationPassport.pdf.notTravel')} · ${t.en('medicationPassport.pdf.notTravel')}`,
      t.nl('medicationPassport.pdf.madeBy', { portal: ctx.portal }),
      t.en('medicationPassport.pdf.madeBy', { portal: ctx.portal }),
    ],
    pageLabel: (page, pages) =>
      `${t.nl('medicationPassport.pdf.page', { page, pages })} · ${t.en('medicationPassport.pdf.page', { page, pages })}`,
    continued: both(t, 'medicationPassport.pdf.continued'),
    blocks,
  };
}

export function overviewDocument(
  data: OverviewData,
  ctx: { t: Translate; lang: 'nl' | 'en'; portal: string },
  printed: Date,
): DocumentSpec {
  const { t } = ctx;
  const p = data.pharmacy;
  const one = (key: MessageKey): Label => [t(key)];
  const reasonOf = (l: MedicationLine) => l.reason ?? '';
  const letterhead = [
    p.name,
    p.street ?? '',
    [p.postalCode, p.city].filter(Boolean).join(' '),
    p.phone ? t('medicationPassport.amo.phone', { phone: p.phone }) : '',
  ].filter(Boolean);
  const sensitivities = [
    ...data.allergies.map((a) => [a.substance, allergyText(t, a).reaction, allergyText(t, a).criticality]),
    ...data.particulars
      .filter((x) => x.kind !== 'condition')
      .map((x) => [x.text, t(`medicationPassport.pdf.kind.${x.kind}`), '']),
  ];
  return {
    title: `${t('medicationPassport.amo.title')} — ${p.name}`,
    lang: ctx.lang === 'nl' ? 'nl-NL' : 'en-GB',
    headerLeft: `${t('medicationPassport.amo.title')} · ${p.name}`,
    headerRight: `${data.person.name} · ${birthDate(data.person.birthDate, '')}`.replace(/ · $/, ''),
    footer: [t('medicationPassport.amo.footer', { organisation: p.name, date: day(printed), portal: ctx.portal })],
    pageLabel: (page, pages) => t('medicationPassport.pdf.page', { page, pages }),
    continued: [t('medicationPassport.pdf.continued')],
    blocks: [
      { kind: 'letterhead', lines: letterhead },
      { kind: 'title', text: one('medicationPassport.amo.title') },
      {
        kind: 'facts',
        rows: [
          [one('medicationPassport.amo.patient'), data.person.name],
          [
            one('medicationPassport.pdf.birthDate'),
            birthDate(data.person.birthDate, t('medicationPassport.pdf.unknown')),
          ],
          [one('medicationPassport.amo.date'), day(printed)],
        ],
      },
      { kind: 'section', title: one('medicationPassport.amo.allergies') },
      {
        kind: 'table',
        columns: [
          { header: one('medicationPassport.pdf.substance'), width: 3 },
          { header: one('medicationPassport.pdf.reaction'), width: 4 },
          { header: one('medicationPassport.pdf.criticality'), width: 2 },
        ],
        rows: sensitivities,
        empty: one('medicationPassport.amo.noAllergies'),
      },
      { kind: 'section', title: one('medicationPassport.amo.current') },
      {
        kind: 'table',
        columns: [
          { header: one('medicationPassport.amo.medicine'), width: 2.8 },
          { header: one('medicationPassport.amo.dosage'), width: 3 },
          { header: one('medicationPassport.amo.start'), width: 1.4 },
          { header: one('medicationPassport.amo.prescriber'), width: 2 },
          { header: one('medicationPassport.amo.reason'), width: 1.9 },
        ],
        rows: data.overview.current.map((l) => [l.name, l.dosage ?? '', day(l.start), l.prescriber ?? '', reasonOf(l)]),
        empty: one('medicationPassport.amo.noCurrent'),
      },
      { kind: 'section', title: one('medicationPassport.amo.recent') },
      {
        kind: 'table',
        columns: [
          { header: one('medicationPassport.amo.medicine'), width: 2.6 },
          { header: one('medicationPassport.amo.dosage'), width: 2.5 },
          { header: one('medicationPassport.amo.start'), width: 1.3 },
          { header: one('medicationPassport.amo.stop'), width: 1.3 },
          { header: one('medicationPassport.amo.prescriber'), width: 1.8 },
          { header: one('medicationPassport.amo.stopReason'), width: 1.9 },
        ],
        rows: data.overview.recent.map((l) => [
          l.name,
          l.dosage ?? '',
          day(l.start),
          day(l.end),
          l.prescriber ?? '',
          [l.stopText, l.stopReason].filter(Boolean).join(': '),
        ]),
        empty: one('medicationPassport.amo.noRecent'),
      },
    ],
  };
}
