// The demo: one portal bundling five organisations, test citizens from the fixture BRP with care relationships
// (not everyone with everyone; one relationship ended), and staff with different roles in each organisation.
// Runs once, on an empty database, as the database owner (like a migration).
import type { Kysely } from 'kysely';
import { FIXTURE_PERSONS } from '../identity/index.js';
import { insertCitizen } from '../identity/index.js';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { DB, OrganisationKind, StaffRole } from '../platform/db/schema.js';
import { hashPassword } from '../staff/index.js';
import { ROLE_DEFAULTS } from '../platform/auth/permissions.js';
import { loadDemoRecords } from './records.js';
import { seedDemoMessages } from './seed-messages.js'; // issue 13: secure messages
import { systemTask } from '../platform/db/scope.js'; // Issue 14 (MG-10 sources)

export const DEMO_PASSWORD = 'Koepel-demo-2026!';
export const DEMO_PORTAL_SLUG = 'demo';

interface DemoOrg {
  key: string;
  name: string;
  kind: OrganisationKind;
  agb: string;
  phone: string;
  email: string;
  website: string;
  street: string;
  postalCode: string;
  city: string;
  requiresTotp: boolean;
  functions: string[];
  /** The GP out-of-hours service the booking page names (huisartsenpost). */
  outOfHours?: { name: string; phone: string };
}

export const DEMO_ORGANISATIONS: DemoOrg[] = [
  {
    key: 'gp',
    name: 'Huisartsenpraktijk De Linde',
    kind: 'gp',
    agb: '01012345',
    phone: '030 123 45 67',
    email: 'praktijk@delinde.example',
    website: 'https://delinde.example',
    street: 'Lindeplein 1',
    postalCode: '3521 AA',
    city: 'Utrecht',
    requiresTotp: true,
    functions: ['appointments', 'repeat-medication', 'messages', 'record', 'video-consult'],
    outOfHours: { name: 'Huisartsenpost Utrecht', phone: '088 130 96 70' },
  },
  {
    key: 'pharmacy',
    name: 'Apotheek Centrum',
    kind: 'pharmacy',
    agb: '06012345',
    phone: '030 234 56 78',
    email: 'info@apotheekcentrum.example',
    website: 'https://apotheekcentrum.example',
    street: 'Oudegracht 100',
    postalCode: '3511 AX',
    city: 'Utrecht',
    requiresTotp: true,
    functions: ['repeat-medication', 'medication-overview', 'messages'],
  },
  {
    key: 'hospital',
    name: 'Rivierenland Ziekenhuis',
    kind: 'hospital',
    agb: '06112345',
    phone: '030 345 67 89',
    email: 'patientenservice@rivierenland.example',
    website: 'https://rivierenland.example',
    street: 'Ziekenhuisweg 10',
    postalCode: '3584 CX',
    city: 'Utrecht',
    requiresTotp: true,
    functions: ['appointments', 'record', 'letters', 'video-consult', 'messages'],
  },
  {
    key: 'physio',
    name: 'Fysiotherapie Beweegwijs',
    kind: 'physiotherapy',
    agb: '04012345',
    phone: '030 456 78 90',
    email: 'info@beweegwijs.example',
    website: 'https://beweegwijs.example',
    street: 'Sportlaan 5',
    postalCode: '3582 KL',
    city: 'Utrecht',
    requiresTotp: false,
    functions: ['appointments', 'messages'],
  },
  {
    key: 'team',
    name: 'Buurtteam Oost (gemeente Utrecht)',
    kind: 'neighbourhood_team',
    agb: '',
    phone: '030 567 89 01',
    email: 'oost@buurtteam.example',
    website: 'https://buurtteam.example',
    street: 'Wijkplein 3',
    postalCode: '3581 BB',
    city: 'Utrecht',
    requiresTotp: true,
    functions: ['messages', 'appointments'],
  },
];

/** Who has a care relationship with whom, by BSN. 999990044 has none (to show that page). */
export const DEMO_RELATIONSHIPS: { bsn: string; org: string; patientNumber: string; ended?: boolean }[] = [
  { bsn: '999993653', org: 'gp', patientNumber: 'HA-1001' },
  { bsn: '999993653', org: 'pharmacy', patientNumber: 'AP-2001' },
  { bsn: '999993653', org: 'hospital', patientNumber: 'ZH-3001' },
  { bsn: '999990019', org: 'gp', patientNumber: 'HA-1002' },
  { bsn: '999990019', org: 'pharmacy', patientNumber: 'AP-2002' },
  { bsn: '999990019', org: 'physio', patientNumber: 'FY-4001' },
  { bsn: '999990020', org: 'gp', patientNumber: 'HA-1003' },
  { bsn: '999990020', org: 'team', patientNumber: 'BT-5001' },
  { bsn: '999990032', org: 'hospital', patientNumber: 'ZH-3002' },
  { bsn: '999990032', org: 'pharmacy', patientNumber: 'AP-2003' },
  { bsn: '999990032', org: 'physio', patientNumber: 'FY-4002' },
  { bsn: '999990032', org: 'gp', patientNumber: 'HA-1004', ended: true },
  // The fixture BRP's persons per response variant (issue 16), so that the simulator can log each of them in.
  { bsn: '999991000', org: 'gp', patientNumber: 'HA-1101' },
  { bsn: '999991012', org: 'gp', patientNumber: 'HA-1102' },
  { bsn: '999991024', org: 'gp', patientNumber: 'HA-1103' },
  { bsn: '999991036', org: 'gp', patientNumber: 'HA-1104' },
  { bsn: '999991048', org: 'gp', patientNumber: 'HA-1105' },
  { bsn: '999991061', org: 'gp', patientNumber: 'HA-1106' },
];

export const DEMO_STAFF: {
  email: string;
  name: string;
  org: string | null;
  role: StaffRole | null;
  operator?: boolean;
}[] = [
  { email: 'huisarts@delinde.example', name: 'Dr. A. Huisman', org: 'gp', role: 'doctor' },
  { email: 'assistent@delinde.example', name: 'L. de Boer', org: 'gp', role: 'assistant' },
  { email: 'privacy@delinde.example', name: 'M. Smit', org: 'gp', role: 'privacy_officer' },
  { email: 'apotheker@apotheekcentrum.example', name: 'R. Mulder', org: 'pharmacy', role: 'pharmacist' },
  { email: 'beheer@apotheekcentrum.example', name: 'K. Dekker', org: 'pharmacy', role: 'admin' },
  { email: 'arts@rivierenland.example', name: 'Dr. S. Kaya', org: 'hospital', role: 'doctor' },
  { email: 'fysio@beweegwijs.example', name: 'T. Jacobs', org: 'physio', role: 'therapist' },
  { email: 'wijkteam@buurtteam.example', name: 'Y. Bouzid', org: 'team', role: 'social_worker' },
  { email: 'servicedesk@koepel.example', name: 'Koepel servicedesk', org: null, role: null, operator: true },
];

export async function isEmpty(db: Kysely<DB>): Promise<boolean> {
  const row = await db
    .selectFrom('portal')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n == 0; // count(*) arrives as a number (int8 parser) on both databases
}

/**
 * Loads the demo in one transaction, then the demo record data (src/demo/records.ts; `records: false` leaves it
 * out). Returns false when the database already had a portal (it then completes the demo record data, if missing).
 */
export async function seedDemo(db: Kysely<DB>, keys: KeyStore, opts: { records?: boolean } = {}): Promise<boolean> {
  if (!(await isEmpty(db))) {
    // The record data is written after the seed's transaction, one transaction per organisation: an organisation
    // whose data did not make it last time (a crash, a failed start) gets it now.
    const demo = await db.selectFrom('portal').select('id').where('slug', '=', DEMO_PORTAL_SLUG).executeTakeFirst();
    if (demo && (opts.records ?? true)) {
      const since = new Date();
      await loadDemoRecords(db, keys, new Date(), { onlyMissing: true });
      await dropSeedNotifications(db, keys, since); // Issue 14 (MG-10 sources)
    }
    return false;
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction().execute(async (tx) => {
    const portal = await tx
      .insertInto('portal')
      .values({
        slug: DEMO_PORTAL_SLUG,
        name: 'Gezondheidsportaal Demo',
        theme: JSON.stringify({ '--koepel-brand-color': '#154273' }),
        support_email: 'support@gezondheidsportaal.example',
        support_phone: '088 123 45 67',
        dpo_name: 'Functionaris gegevensbescherming Gezondheidsportaal Demo',
        dpo_email: 'fg@gezondheidsportaal.example',
        privacy_statement_updated_on: '2026-11-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const orgIds = new Map<string, string>();
    for (const o of DEMO_ORGANISATIONS) {
      const row = await tx
        .insertInto('organisation')
        .values({
          name: o.name,
          kind: o.kind,
          agb_code: o.agb || null,
          phone: o.phone,
          email: o.email,
          website: o.website,
          street: o.street,
          postal_code: o.postalCode,
          city: o.city,
          requires_totp: o.requiresTotp,
          functions: o.functions,
          out_of_hours_name: o.outOfHours?.name ?? null,
          out_of_hours_phone: o.outOfHours?.phone ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      orgIds.set(o.key, row.id);
      const key = keys.createKey({ kind: 'organisation', id: row.id });
      await tx
        .insertInto('organisation_key')
        .values({ organisation_id: row.id, version: key.version, wrapped: key.wrapped })
        .execute();
      await tx.insertInto('portal_organisation').values({ portal_id: portal.id, organisation_id: row.id }).execute();
    }

    const citizenIds = new Map<string, string>();
    for (const person of FIXTURE_PERSONS) {
      citizenIds.set(person.burgerservicenummer, await insertCitizen(tx, keys, person));
    }
    for (const r of DEMO_RELATIONSHIPS) {
      await tx
        .insertInto('care_relationship')
        .values({
          organisation_id: orgIds.get(r.org) ?? '',
          citizen_id: citizenIds.get(r.bsn) ?? '',
          patient_number: r.patientNumber,
          started_on: '2020-01-01',
          ended_on: r.ended ? '2025-06-30' : null,
        })
        .execute();
    }

    const staffIds = new Map<string, string>();
    for (const s of DEMO_STAFF) {
      const account = await tx
        .insertInto('staff_account')
        .values({ email: s.email, display_name: s.name, password_hash: passwordHash, is_operator: s.operator ?? false })
        .returning('id')
        .executeTakeFirstOrThrow();
      staffIds.set(s.email, account.id);
      if (s.org && s.role) {
        await tx
          .insertInto('membership')
          .values({
            staff_id: account.id,
            organisation_id: orgIds.get(s.org) ?? '',
            role: s.role,
            permissions: ROLE_DEFAULTS[s.role],
          })
          .execute();
      }
    }
    await seedDemoAgenda(tx, orgIds, staffIds);
    // --- Issue 13: repeat medication (src/medication-orders) ---------------------------------------------------
    // Suzanne's (999993653) chronic medicines at Apotheek Centrum (metformin, enalapril, atorvastatin: MP9
    // agreements with repeats and a continuous course, src/demo/records.ts) are repeatable by the rule of
    // src/medication-orders/repeatable.ts; the pharmacy also delivers, so the demo shows the pickup/delivery choice.
    await tx
      .updateTable('organisation')
      .set({ medication_delivery: true })
      .where('id', '=', orgIds.get('pharmacy') ?? '')
      .execute();
    // --- end issue 13 ----------------------------------------------------------------------------------------------
    // --- issue 13: secure messages (src/demo/seed-messages.ts) ---
    await seedDemoMessages(tx, keys, orgIds, citizenIds, staffIds);
    // --- end issue 13: secure messages ---
  });
  if (opts.records ?? true) {
    const since = new Date();
    await loadDemoRecords(db, keys);
    await dropSeedNotifications(db, keys, since); // Issue 14 (MG-10 sources)
  }
  return true;
}

/**
 * Issue 14 (MG-10 sources): the demo's records arrive as the organisations' systems (their real ingest path), so
 * the database queues the citizens' e-mails for them ("new data", "medicines repeated"): the seed's history is not
 * news, and those jobs are dropped again.
 */
async function dropSeedNotifications(db: Kysely<DB>, keys: KeyStore, since: Date): Promise<void> {
  await systemTask({ db, keys }, 'jobs', ({ tx }) =>
    tx
      .deleteFrom('job')
      .where('kind', '=', 'email.notification')
      .where('state', '=', 'queued')
      .where('created_at', '>=', since)
      .execute(),
  );
}

/** Appointment types and weekly hours, so that the demo's citizens can book (issue 12). */
export const DEMO_AGENDA: {
  org: string;
  types: { name: string; minutes: number; video?: boolean; staff: string[] }[];
  hours: { staff: string; weekdays: number[]; start: string; end: string }[];
}[] = [
  {
    org: 'gp',
    types: [
      { name: 'Consult', minutes: 10, staff: ['huisarts@delinde.example'] },
      { name: 'Dubbel consult', minutes: 20, staff: ['huisarts@delinde.example'] },
      { name: 'Videoconsult', minutes: 10, video: true, staff: ['huisarts@delinde.example'] },
      { name: 'Bloeddruk meten', minutes: 10, staff: ['assistent@delinde.example'] },
    ],
    hours: [
      { staff: 'huisarts@delinde.example', weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '12:00' },
      { staff: 'huisarts@delinde.example', weekdays: [1, 2, 3, 4, 5], start: '13:30', end: '17:00' },
      { staff: 'assistent@delinde.example', weekdays: [1, 2, 4], start: '08:30', end: '12:00' },
    ],
  },
  {
    org: 'hospital',
    types: [
      { name: 'Polikliniek consult', minutes: 15, staff: [] },
      { name: 'Videoconsult', minutes: 15, video: true, staff: [] },
    ],
    hours: [{ staff: 'arts@rivierenland.example', weekdays: [1, 3], start: '09:00', end: '12:00' }],
  },
  {
    org: 'physio',
    types: [{ name: 'Behandeling', minutes: 30, staff: [] }],
    hours: [
      { staff: 'fysio@beweegwijs.example', weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '12:00' },
      { staff: 'fysio@beweegwijs.example', weekdays: [1, 2, 3, 4, 5], start: '13:00', end: '17:00' },
    ],
  },
  {
    org: 'team',
    types: [{ name: 'Gesprek', minutes: 45, staff: [] }],
    hours: [{ staff: 'wijkteam@buurtteam.example', weekdays: [2, 4], start: '09:00', end: '16:00' }],
  },
];

async function seedDemoAgenda(
  tx: Kysely<DB>,
  orgIds: ReadonlyMap<string, string>,
  staffIds: ReadonlyMap<string, string>,
): Promise<void> {
  for (const a of DEMO_AGENDA) {
    const organisationId = orgIds.get(a.org) ?? '';
    for (const t of a.types) {
      await tx
        .insertInto('appointment_type')
        .values({
          organisation_id: organisationId,
          name: t.name,
          duration_minutes: t.minutes,
          video: t.video ?? false,
          staff_ids: t.staff.map((e) => staffIds.get(e) ?? ''),
        })
        .execute();
    }
    for (const h of a.hours) {
      for (const weekday of h.weekdays) {
        await tx
          .insertInto('staff_availability')
          .values({
            organisation_id: organisationId,
            staff_id: staffIds.get(h.staff) ?? '',
            weekday,
            start_time: h.start,
            end_time: h.end,
            valid_from: '2020-01-01',
          })
          .execute();
      }
    }
  }
}
