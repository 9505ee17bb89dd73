// Property: over random worlds of organisations, portals, citizens, care relationships, API clients, record
// resources, category choices, grants and requests, what every principal can read at the SQL level is exactly
// what the rules say — computed independently from the generated world (an exact oracle, not "a subset").
//
//   - staff and API clients: only rows of their own organisation, and never a citizen whose relationship with it
//     has ended (PZ-4); record data only after an audit record about the citizen in the same transaction (ZL-1,
//     MG-4); staff need record:read for resources and record:requests for the request queue;
//   - a citizen: never another citizen's row; record resources exactly of the organisations in the portal they
//     logged in through, with an active relationship, in the categories offered or granted (MG-1, MG-7);
//   - anonymous and the operator: nothing;
//   - writes: a client writes only for its own organisation and only for citizens with an active relationship;
//     staff and citizens cannot write record resources at all.
//
// The whole property shares one Koepel and database; every run adds a fresh world with its own organisations
// and citizens, so the exact oracle for a fresh principal covers the demo data and earlier runs too (any row of
// theirs that became visible would break equality).
//
// Citizens read some of their own rows without an audit record (relationships, keys, grants, requests, their own
// audit log): the oracle says so. The citizen row and the record itself need one, for every principal.
//
// It can fail: each of these mistakes was applied to a fresh database (drop/create of the policy or function,
// never to the migration files) and made the property fail, most in the first few runs, all within 20:
//   koepel_org_reads without the organisation and relationship conditions (staff see other organisations'
//   records) · koepel_org_reads without the relationship (PZ-4: the record of a former patient) · staff
//   reading records without record:read · record_resource_org WITH CHECK not limited to clients (staff write)
//   · koepel_citizen_visible without the portal · a grant opening a category without a current relationship
//   · record_resource_citizen showing the Patient resource · record_attachment_citizen not tied to a visible
//   resource · koepel_citizen_sees without the portal, ignoring the end date, the start date or grants
//   (directory) · citizen_client_read without the relationship · care_relationship_org showing ended ones ·
//   record_access_request_staff without the relationship or without koepel_audited · record_category_grant_org
//   showing grants of former patients · record_event_client accepting any organisation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { writeAudit, NO_ACCESS_POINT } from '../../src/platform/audit/audit.js';
import { withPrincipal, type Principal, type Tx } from '../../src/platform/db/principal.js';
import type { RecordCategory, RecordResourceType } from '../../src/platform/db/schema.js';
import {
  readAttachment,
  readResources,
  writeResources,
  type FhirJson,
  type ResourceWrite,
} from '../../src/record/store.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import {
  auditRead,
  dayFromToday,
  newCitizen,
  newClient,
  newOrganisation,
  newPortal,
  newStaff,
  relate,
  scopeOf,
  type ClientPrincipal,
  type StaffPrincipal,
} from '../security/record-kit.js';

const CATEGORIES: readonly RecordCategory[] = [
  'appointments',
  'episodes',
  'sensitivities',
  'lab',
  'documents',
  'medication',
  'careteam',
];

/**
 * Holes the property found. Each is a switch: while one is listed in KNOWN_HOLES, the property tolerates exactly
 * that difference (list one again only while a fix is pending, and say so in the commit). All are fixed now.
 *   event-scope:     record_event_citizen shows a citizen every event about them — without an audit record, and
 *                    also of organisations outside their portal, ended relationships and categories the
 *                    organisation does not offer (MG-1: it reveals e.g. that a new lab result exists).
 * Fixed in migration 0008 (event-scope) and 0005 (the others); kept as switches so the oracle documents the rule:
 *   grant-ended:     record_category_grant_org showed grants of citizens whose relationship had ended (PZ-4).
 *   request-audit:   record_access_request_staff did not need an audit record.
 */
type Hole = 'grant-ended' | 'request-audit' | 'event-scope';
const KNOWN_HOLES: ReadonlySet<Hole> = new Set<Hole>();

// ---------------------------------------------------------------------------------------------------------------
// The generated world (indices are taken modulo the number of organisations/citizens when it is built).
// ---------------------------------------------------------------------------------------------------------------
type RelState = 'active' | 'ended' | 'ending' | 'future';

interface ResourceKind {
  type: RecordResourceType;
  /** The category the rules put it in, stated here independently of src/record/categories.ts. */
  category: RecordCategory | 'patient';
  make(marker: string): FhirJson;
  attachment?: boolean;
}

const KINDS: readonly ResourceKind[] = [
  {
    type: 'Patient',
    category: 'patient',
    make: (m) => ({ resourceType: 'Patient', name: [{ family: m }] }),
  },
  {
    type: 'Appointment',
    category: 'appointments',
    make: (m) => ({ resourceType: 'Appointment', status: 'booked', description: m, start: '2026-12-01T09:00:00Z' }),
  },
  {
    type: 'Condition',
    category: 'episodes',
    make: (m) => ({
      resourceType: 'Condition',
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'R74' }], text: m },
      onsetDateTime: '2026-03-02',
    }),
  },
  {
    type: 'Condition',
    category: 'sensitivities', // a "bijzonderheid": diabetes mellitus type 2
    make: (m) => ({
      resourceType: 'Condition',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }], text: m },
    }),
  },
  {
    type: 'AllergyIntolerance',
    category: 'sensitivities',
    make: (m) => ({ resourceType: 'AllergyIntolerance', code: { text: m }, recordedDate: '2025-01-01' }),
  },
  {
    type: 'Observation',
    category: 'lab',
    make: (m) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '718-7' }], text: m },
      valueQuantity: { value: 8.1, unit: 'mmol/L' },
      effectiveDateTime: '2026-10-01T09:00:00Z',
    }),
  },
  {
    type: 'DocumentReference',
    category: 'documents',
    attachment: true,
    make: (m) => ({
      resourceType: 'DocumentReference',
      status: 'current',
      description: m,
      date: '2026-10-02T10:00:00Z',
      content: [{ attachment: { contentType: 'text/plain', title: 'Brief' } }],
    }),
  },
  {
    type: 'MedicationStatement',
    category: 'medication',
    make: (m) => ({ resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept: { text: m } }),
  },
  {
    type: 'MedicationDispense',
    category: 'medication',
    make: (m) => ({ resourceType: 'MedicationDispense', status: 'completed', medicationCodeableConcept: { text: m } }),
  },
  {
    type: 'CareTeam',
    category: 'careteam',
    make: (m) => ({ resourceType: 'CareTeam', name: m, period: { start: '2024-01-01' } }),
  },
];

const specArb = fc.record({
  portals: fc.integer({ min: 1, max: 2 }),
  orgs: fc.array(
    fc.record({
      inPortal: fc.tuple(fc.constantFrom(true, true, true, false), fc.boolean()),
      categories: fc.subarray([...CATEGORIES]),
      clients: fc.integer({ min: 1, max: 2 }),
      recordRead: fc.boolean(),
      recordRequests: fc.boolean(),
      auditRead: fc.boolean(),
    }),
    { minLength: 2, maxLength: 5 },
  ),
  citizens: fc.array(fc.record({ portal: fc.nat({ max: 3 }) }), { minLength: 2, maxLength: 5 }),
  // The relationship of organisation o with citizen c is rels[o * 5 + c]: a dense matrix, so that most worlds have
  // every kind of relationship next to each other.
  rels: fc.array(fc.constantFrom<RelState | 'none'>('none', 'active', 'active', 'ended', 'ending', 'future'), {
    minLength: 25,
    maxLength: 25,
  }),
  resources: fc.array(
    fc.record({ rel: fc.nat({ max: 24 }), kind: fc.nat({ max: KINDS.length - 1 }), client: fc.nat({ max: 3 }) }),
    { minLength: 3, maxLength: 24 },
  ),
  grants: fc.array(fc.record({ org: fc.nat({ max: 9 }), citizen: fc.nat({ max: 9 }), category: fc.nat({ max: 6 }) }), {
    maxLength: 10,
  }),
  requests: fc.array(
    fc.record({
      org: fc.nat({ max: 9 }),
      citizen: fc.nat({ max: 9 }),
      categories: fc.subarray([...CATEGORIES], { minLength: 1 }),
    }),
    {
      maxLength: 4,
    },
  ),
  // Organisations with a practitioner in their directory (most of them: the citizen's view of it is a rule too).
  directory: fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 5 }),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

interface Org {
  id: string;
  portals: Set<string>;
  categories: Set<RecordCategory>;
  staff: StaffPrincipal;
  clients: ClientPrincipal[];
}
interface World {
  run: string;
  portals: string[];
  orgs: Org[];
  citizens: { id: string; portal: string }[];
  rels: { id: string; org: string; citizen: string; state: RelState }[];
  resources: { id: string; org: string; citizen: string; category: RecordCategory | 'patient'; marker: string }[];
  attachments: { resourceId: string; org: string; citizen: string; marker: string }[];
  grants: { org: string; citizen: string; category: RecordCategory }[];
  requests: { id: string; org: string; citizen: string }[];
  directory: { id: string; org: string }[];
  events: { resourceId: string; org: string; citizen: string; category: string }[];
}

const at = <T>(list: readonly T[], i: number): T => {
  const v = list[i % list.length];
  if (v === undefined) throw new Error('empty list');
  return v;
};

describe('record isolation over random worlds', () => {
  let k: TestKoepel;
  let demoCitizens: string[];
  let operator: Principal;
  let runs = 0;

  before(async () => {
    k = await startKoepel();
    demoCitizens = (await k.db.selectFrom('citizen').select('id').execute()).map((r) => r.id);
    const op = await k.db
      .selectFrom('staff_account')
      .select('id')
      .where('is_operator', '=', true)
      .executeTakeFirstOrThrow();
    operator = { kind: 'operator', staffId: op.id };
  });
  after(async () => {
    await k.close();
  });

  async function build(spec: Spec): Promise<World> {
    const run = `${++runs}-${randomBytes(4).toString('hex')}`;
    const portals: string[] = [];
    for (let i = 0; i < spec.portals; i++) portals.push(await newPortal(k.db, `prop-${run}-${i}`));
    const orgs: Org[] = [];
    for (const [i, o] of spec.orgs.entries()) {
      const inPortals = portals.filter((_, p) => o.inPortal[p]);
      const id = await newOrganisation(k.db, k.koepel.keys, `Proef ${run} ${i}`, inPortals, o.categories);
      const perms = [
        'patients:search',
        ...(o.recordRead ? ['record:read'] : []),
        ...(o.recordRequests ? ['record:requests'] : []),
        ...(o.auditRead ? ['audit:read'] : []),
      ];
      const clients: ClientPrincipal[] = [];
      for (let c = 0; c < o.clients; c++) clients.push(await newClient(k.db, id));
      orgs.push({
        id,
        portals: new Set(inPortals),
        categories: new Set(o.categories),
        staff: await newStaff(k.db, id, perms),
        clients,
      });
    }
    const citizens: World['citizens'] = [];
    for (const c of spec.citizens) {
      citizens.push({ id: (await newCitizen(k.db, k.koepel.keys)).id, portal: at(portals, c.portal) });
    }

    // Relationships start active (so that clients can write), and the ended ones end after the writes —
    // a record that was sent while the relationship lasted.
    const rels: World['rels'] = [];
    for (const [oi, { id: org }] of orgs.entries()) {
      for (const [ci, { id: citizen }] of citizens.entries()) {
        const state = spec.rels[oi * 5 + ci] ?? 'none';
        if (state === 'none') continue;
        const id = await relate(k.db, org, citizen, {
          startedOn: state === 'future' ? dayFromToday(30) : '2020-01-01',
          endedOn: state === 'ending' ? dayFromToday(30) : null,
        });
        rels.push({ id, org, citizen, state });
      }
    }

    const resources: World['resources'] = [];
    const attachments: World['attachments'] = [];
    const events: World['events'] = [];
    const byClient = new Map<ClientPrincipal, ResourceWrite[]>();
    if (rels.length > 0) {
      for (const [i, r] of spec.resources.entries()) {
        const rel = at(rels, r.rel);
        const org = orgs.find((o) => o.id === rel.org);
        if (!org) throw new Error('unknown org');
        const client = at(org.clients, r.client);
        const kind = at(KINDS, r.kind);
        const marker = `PROPMARK-${run}-${i}`;
        const write: ResourceWrite = {
          citizenId: rel.citizen,
          resourceType: kind.type,
          sourceKey: `urn:prop:${run}|${i}`,
          resource: kind.make(marker),
          ...(kind.attachment
            ? { attachments: [{ position: 0, contentType: 'text/plain', data: Buffer.from(`bijlage ${marker}`) }] }
            : {}),
        };
        byClient.set(client, [...(byClient.get(client) ?? []), write]);
        resources.push({ id: '', org: rel.org, citizen: rel.citizen, category: kind.category, marker });
      }
    }
    for (const [client, writes] of byClient) {
      const results = await withPrincipal(k.db, client, (tx) =>
        writeResources(scopeOf(tx, client, k.koepel.keys), writes),
      );
      for (const [i, res] of results.entries()) {
        assert.equal(res.outcome, 'created');
        const w = writes[i];
        const marker = w?.sourceKey.split('|')[1];
        const item = resources.find((r) => r.marker === `PROPMARK-${run}-${marker}`);
        assert.ok(item && w);
        item.id = res.id;
        if (w.attachments)
          attachments.push({ resourceId: res.id, org: item.org, citizen: item.citizen, marker: item.marker });
        if (item.category !== 'patient')
          events.push({ resourceId: res.id, org: item.org, citizen: item.citizen, category: item.category });
      }
    }

    // Practitioners of the organisation's directory, written by its client.
    const directory: World['directory'] = [];
    for (const [i, d] of spec.directory.entries()) {
      const org = at(orgs, d);
      const client = at(org.clients, 0);
      const id = await withPrincipal(
        k.db,
        client,
        async (tx) =>
          (
            await tx
              .insertInto('directory_resource')
              .values({
                organisation_id: org.id,
                resource_type: 'Practitioner',
                source_key: `urn:prop:${run}|p${i}`,
                resource: JSON.stringify({ resourceType: 'Practitioner', name: [{ family: 'Jansen' }] }),
              })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id,
      );
      directory.push({ id, org: org.id });
    }

    // Grants and requests for any pair — also pairs without (or with an ended) relationship: a grant must never
    // open anything by itself.
    const grants: World['grants'] = [];
    for (const g of spec.grants) {
      const grant = {
        org: at(orgs, g.org).id,
        citizen: at(citizens, g.citizen).id,
        category: at(CATEGORIES, g.category),
      };
      if (grants.some((x) => x.org === grant.org && x.citizen === grant.citizen && x.category === grant.category))
        continue;
      await k.db
        .insertInto('record_category_grant')
        .values({ organisation_id: grant.org, citizen_id: grant.citizen, category: grant.category })
        .execute();
      grants.push(grant);
    }
    const requests: World['requests'] = [];
    for (const q of spec.requests) {
      const { id: org, staff } = at(orgs, q.org);
      const citizen = at(citizens, q.citizen).id;
      if (requests.some((x) => x.org === org && x.citizen === citizen)) continue; // one open request per pair
      const note = await withPrincipal(k.db, staff, (tx) =>
        k.koepel.keys.encrypt(tx, { kind: 'organisation', id: org }, 'graag ook mijn labuitslagen', 'note'),
      );
      const row = await k.db
        .insertInto('record_access_request')
        .values({ organisation_id: org, citizen_id: citizen, categories: q.categories, note_ciphertext: note })
        .returning('id')
        .executeTakeFirstOrThrow();
      requests.push({ id: row.id, org, citizen });
    }

    // Now end the relationships that ended.
    for (const r of rels) {
      if (r.state === 'ended') {
        await k.db
          .updateTable('care_relationship')
          .set({ ended_on: dayFromToday(-30) })
          .where('id', '=', r.id)
          .execute();
      }
    }
    return { run, portals, orgs, citizens, rels, resources, attachments, grants, requests, directory, events };
  }

  // -------------------------------------------------------------------------------------------------------------
  // The oracle.
  // -------------------------------------------------------------------------------------------------------------
  type Table =
    | 'citizen'
    | 'citizen_key'
    | 'care_relationship'
    | 'record_resource'
    | 'record_attachment'
    | 'directory_resource'
    | 'record_category_grant'
    | 'record_access_request'
    | 'record_event';
  type Expected = Record<Table, string[]>;

  /** Row keys as the queries below produce them. */
  async function visible(tx: Tx): Promise<Expected> {
    const q = async <R>(rows: Promise<R[]>, key: (r: R) => string) => (await rows).map(key).sort();
    return {
      citizen: await q(tx.selectFrom('citizen').select('id').execute(), (r) => r.id),
      citizen_key: await q(tx.selectFrom('citizen_key').select('citizen_id').execute(), (r) => r.citizen_id),
      care_relationship: await q(tx.selectFrom('care_relationship').select('id').execute(), (r) => r.id),
      record_resource: await q(tx.selectFrom('record_resource').select('id').execute(), (r) => r.id),
      record_attachment: await q(
        tx.selectFrom('record_attachment').select('resource_id').execute(),
        (r) => r.resource_id,
      ),
      directory_resource: await q(tx.selectFrom('directory_resource').select('id').execute(), (r) => r.id),
      record_category_grant: await q(
        tx.selectFrom('record_category_grant').select(['organisation_id', 'citizen_id', 'category']).execute(),
        (r) => `${r.organisation_id}|${r.citizen_id}|${r.category}`,
      ),
      record_access_request: await q(tx.selectFrom('record_access_request').select('id').execute(), (r) => r.id),
      record_event: await q(tx.selectFrom('record_event').select('resource_id').execute(), (r) => r.resource_id ?? '-'),
    };
  }

  const ids = <T>(list: readonly T[], keep: (x: T) => boolean, key: (x: T) => string) =>
    list.filter(keep).map(key).sort();

  function orgActive(w: World, org: string, citizen: string): boolean {
    return w.rels.some((r) => r.org === org && r.citizen === citizen && r.state !== 'ended');
  }
  function citizenSees(w: World, org: string, citizen: string, portal: string, category: string): boolean {
    const o = w.orgs.find((x) => x.id === org);
    return (
      o !== undefined &&
      o.portals.has(portal) &&
      w.rels.some((r) => r.org === org && r.citizen === citizen && (r.state === 'active' || r.state === 'ending')) &&
      (o.categories.has(category as RecordCategory) ||
        w.grants.some((g) => g.org === org && g.citizen === citizen && g.category === category))
    );
  }

  function expectedForOrg(
    w: World,
    org: Org,
    p: StaffPrincipal | ClientPrincipal,
    audited: boolean,
    holes: ReadonlySet<Hole>,
  ): Expected {
    const staff = p.kind === 'staff';
    const has = (perm: string) => staff && p.permissions.includes(perm);
    const active = (c: string) => orgActive(w, org.id, c);
    const readsRecord = audited && (!staff || has('record:read'));
    return {
      citizen: audited
        ? ids(
            w.citizens,
            (c) => active(c.id),
            (c) => c.id,
          )
        : [],
      citizen_key:
        audited && staff
          ? ids(
              w.citizens,
              (c) => active(c.id),
              (c) => c.id,
            )
          : [],
      care_relationship: ids(
        w.rels,
        (r) => r.org === org.id && r.state !== 'ended',
        (r) => r.id,
      ),
      record_resource: readsRecord
        ? ids(
            w.resources,
            (r) => r.org === org.id && active(r.citizen),
            (r) => r.id,
          )
        : [],
      record_attachment: readsRecord
        ? ids(
            w.attachments,
            (a) => a.org === org.id && active(a.citizen),
            (a) => a.resourceId,
          )
        : [],
      directory_resource: ids(
        w.directory,
        (d) => d.org === org.id,
        (d) => d.id,
      ),
      record_category_grant: audited
        ? ids(
            w.grants,
            (g) => g.org === org.id && (holes.has('grant-ended') || active(g.citizen)),
            (g) => `${g.org}|${g.citizen}|${g.category}`,
          )
        : [],
      record_access_request:
        has('record:requests') && (audited || holes.has('request-audit'))
          ? ids(
              w.requests,
              (q) => q.org === org.id && active(q.citizen),
              (q) => q.id,
            )
          : [],
      record_event: [], // insert only: the notifications job reads them, not the organisation
    };
  }

  function expectedForCitizen(
    w: World,
    citizen: string,
    portal: string,
    audited: boolean,
    holes: ReadonlySet<Hole>,
  ): Expected {
    const sees = (org: string, category: string) => citizenSees(w, org, citizen, portal, category);
    const shownResource = (r: World['resources'][number]) =>
      r.citizen === citizen && r.category !== 'patient' && sees(r.org, r.category);
    return {
      citizen: audited ? [citizen] : [],
      citizen_key: [citizen],
      care_relationship: ids(
        w.rels,
        (r) => r.citizen === citizen,
        (r) => r.id,
      ),
      record_resource: audited ? ids(w.resources, shownResource, (r) => r.id) : [],
      record_attachment: audited
        ? ids(
            w.attachments,
            (a) => w.resources.some((r) => r.id === a.resourceId && shownResource(r)),
            (a) => a.resourceId,
          )
        : [],
      directory_resource: ids(
        w.directory,
        (d) => sees(d.org, 'careteam'),
        (d) => d.id,
      ),
      record_category_grant: ids(
        w.grants,
        (g) => g.citizen === citizen,
        (g) => `${g.org}|${g.citizen}|${g.category}`,
      ),
      record_access_request: ids(
        w.requests,
        (q) => q.citizen === citizen,
        (q) => q.id,
      ),
      record_event: holes.has('event-scope')
        ? ids(
            w.events,
            (e) => e.citizen === citizen,
            (e) => e.resourceId,
          )
        : audited
          ? ids(
              w.events,
              (e) => e.citizen === citizen && sees(e.org, e.category),
              (e) => e.resourceId,
            )
          : [],
    };
  }

  const NOTHING: Expected = {
    citizen: [],
    citizen_key: [],
    care_relationship: [],
    record_resource: [],
    record_attachment: [],
    directory_resource: [],
    record_category_grant: [],
    record_access_request: [],
    record_event: [],
  };

  /** Differences between what a principal sees and what it should, as readable lines. */
  function diff(who: string, seen: Expected, expected: Expected): string[] {
    const out: string[] = [];
    for (const t of Object.keys(expected) as Table[]) {
      const s = new Set(seen[t]);
      const e = new Set(expected[t]);
      const extra = [...s].filter((x) => !e.has(x));
      const missing = [...e].filter((x) => !s.has(x));
      if (extra.length)
        out.push(`${who}: ${t} shows ${extra.length} row(s) it must not (${extra.slice(0, 2).join(', ')})`);
      if (missing.length) out.push(`${who}: ${t} hides ${missing.length} row(s) it should show`);
    }
    return out;
  }

  /**
   * One transaction per principal: read everything without an audit record, then audit every citizen of the
   * world (and the demo citizens, who have no relationship with these organisations), then read again.
   */
  async function check(w: World, holes: ReadonlySet<Hole>): Promise<string[]> {
    const problems: string[] = [];
    const everyone = [...w.citizens.map((c) => c.id), ...demoCitizens];

    const auditLog = async (tx: Tx) =>
      tx.selectFrom('audit_log').select(['id', 'citizen_id', 'actor_organisation_id']).execute();

    for (const [oi, org] of w.orgs.entries()) {
      for (const p of [org.staff, ...org.clients]) {
        const who = `${p.kind} of org#${oi}`;
        const committed = new Set(
          (await k.db.selectFrom('audit_log').select('id').where('actor_organisation_id', '=', org.id).execute()).map(
            (r) => String(r.id),
          ),
        );
        await withPrincipal(k.db, p, async (tx) => {
          problems.push(...diff(`${who} (no audit)`, await visible(tx), expectedForOrg(w, org, p, false, holes)));
          await auditRead(tx, p, everyone);
          problems.push(...diff(`${who} (audited)`, await visible(tx), expectedForOrg(w, org, p, true, holes)));
          // The audit log: an organisation's privacy officer sees its own organisation's records, all of them.
          const log = await auditLog(tx);
          if (p.kind === 'staff' && p.permissions.includes('audit:read')) {
            if (log.some((l) => l.actor_organisation_id !== org.id))
              problems.push(`${who}: audit_log of another organisation`);
            const seen = new Set(log.map((l) => String(l.id)));
            if ([...committed].some((id) => !seen.has(id))) problems.push(`${who}: audit_log incomplete`);
          } else if (log.length > 0) problems.push(`${who}: audit_log shows ${log.length} rows without audit:read`);
        });
      }
    }

    for (const [ci, c] of w.citizens.entries()) {
      const p: Principal = { kind: 'citizen', citizenId: c.id, portalId: c.portal };
      const who = `citizen#${ci}`;
      const committed = new Set(
        (await k.db.selectFrom('audit_log').select('id').where('citizen_id', '=', c.id).execute()).map((r) =>
          String(r.id),
        ),
      );
      await withPrincipal(k.db, p, async (tx) => {
        problems.push(
          ...diff(`${who} (no audit)`, await visible(tx), expectedForCitizen(w, c.id, c.portal, false, holes)),
        );
        // Auditing other citizens' ids must not open their rows for a citizen.
        await auditRead(tx, p, everyone);
        const expected = expectedForCitizen(w, c.id, c.portal, true, holes);
        problems.push(...diff(`${who} (audited)`, await visible(tx), expected));
        const log = await auditLog(tx);
        if (log.some((l) => l.citizen_id !== c.id)) problems.push(`${who}: audit_log of another citizen`);
        const seen = new Set(log.map((l) => String(l.id)));
        if ([...committed].some((id) => !seen.has(id))) problems.push(`${who}: own audit_log incomplete`);
        // Through the store: the same resources, decrypted, each with its own marker; attachments too.
        const read = await readResources({ tx, keys: k.koepel.keys }, { citizenId: c.id });
        const readIds = read.map((r) => r.id).sort();
        if (JSON.stringify(readIds) !== JSON.stringify(expected.record_resource))
          problems.push(`${who}: readResources differs`);
        for (const r of read) {
          const item = w.resources.find((x) => x.id === r.id);
          if (!item || !JSON.stringify(r.resource).includes(item.marker))
            problems.push(`${who}: resource content mismatch`);
        }
        for (const a of w.attachments) {
          const got = await readAttachment({ tx, keys: k.koepel.keys }, a.resourceId, 0);
          const shouldSee = expected.record_attachment.includes(a.resourceId);
          if (shouldSee !== (got !== null))
            problems.push(`${who}: readAttachment ${shouldSee ? 'hid' : 'showed'} an attachment`);
          if (got && !got.data.toString('utf8').includes(a.marker))
            problems.push(`${who}: attachment content mismatch`);
        }
      });
    }

    for (const [who, p] of [
      ['anonymous', { kind: 'anonymous' }],
      ['operator', operator],
    ] as const) {
      await withPrincipal(k.db, p, async (tx) => {
        problems.push(...diff(who, await visible(tx), NOTHING));
        const log = await auditLog(tx);
        if (log.length > 0) problems.push(`${who}: audit_log shows ${log.length} rows`);
        // Even an audit record naming the citizens opens nothing for them.
        if (p.kind === 'operator') {
          await writeAudit(
            tx,
            p,
            NO_ACCESS_POINT,
            everyone.map((citizenId) => ({ event: 'test.read', action: 'R' as const, citizenId })),
          );
          problems.push(...diff(`${who} (audited)`, await visible(tx), NOTHING));
        }
      });
    }
    return problems;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Writes that must be refused.
  // -------------------------------------------------------------------------------------------------------------
  const RLS = /row-level security/;

  async function refused(
    what: string,
    p: Principal,
    audited: readonly string[],
    fn: (tx: Tx) => Promise<unknown>,
  ): Promise<string[]> {
    try {
      await withPrincipal(k.db, p, async (tx) => {
        await auditRead(tx, p, audited);
        await fn(tx);
      });
      return [`${what}: was accepted`];
    } catch (err) {
      return RLS.test((err as Error).message) ? [] : [`${what}: failed otherwise: ${(err as Error).message}`];
    }
  }

  const rawResource = (org: string, citizen: string, key: string) => ({
    organisation_id: org,
    citizen_id: citizen,
    resource_type: 'Observation' as const,
    category: 'lab' as const,
    source_key: key,
    content_mac: Buffer.alloc(32),
    ciphertext: Buffer.alloc(48),
  });

  async function checkWrites(w: World): Promise<string[]> {
    const problems: string[] = [];
    const key = `urn:prop-refused:${w.run}`;
    for (const [oi, org] of w.orgs.entries()) {
      const other = at(w.orgs, oi + 1);
      const client = at(org.clients, 0);
      const otherPatient = w.citizens.find((c) => orgActive(w, other.id, c.id));
      const ownPatient = w.citizens.find((c) => orgActive(w, org.id, c.id));
      const notOwn = w.citizens.find((c) => !orgActive(w, org.id, c.id));
      if (otherPatient) {
        const c = otherPatient.id;
        problems.push(
          ...(await refused(`client of org#${oi}: record_resource for another organisation`, client, [c], (tx) =>
            tx
              .insertInto('record_resource')
              .values(rawResource(other.id, c, `${key}|a${oi}`))
              .execute(),
          )),
          ...(await refused(`client of org#${oi}: record_event for another organisation`, client, [c], (tx) =>
            tx
              .insertInto('record_event')
              .values({ organisation_id: other.id, citizen_id: c, category: 'lab', kind: 'result.new' })
              .execute(),
          )),
          ...(await refused(`client of org#${oi}: directory_resource for another organisation`, client, [], (tx) =>
            tx
              .insertInto('directory_resource')
              .values({
                organisation_id: other.id,
                resource_type: 'Practitioner',
                source_key: `${key}|d${oi}`,
                resource: '{}',
              })
              .execute(),
          )),
        );
      }
      if (notOwn) {
        // Ended or no relationship: the store itself refuses, through the database.
        problems.push(
          ...(await refused(
            `client of org#${oi}: writeResources for a citizen without an active relationship`,
            client,
            [],
            (tx) =>
              writeResources(scopeOf(tx, client, k.koepel.keys), [
                {
                  citizenId: notOwn.id,
                  resourceType: 'Observation',
                  sourceKey: `${key}|n${oi}`,
                  resource: at(KINDS, 5).make('x'),
                },
              ]),
          )),
          ...(await refused(`client of org#${oi}: care_relationship`, client, [notOwn.id], (tx) =>
            tx.insertInto('care_relationship').values({ organisation_id: org.id, citizen_id: notOwn.id }).execute(),
          )),
        );
      }
      if (ownPatient) {
        const c = ownPatient.id;
        problems.push(
          ...(await refused(`staff of org#${oi}: record_resource`, org.staff, [c], (tx) =>
            tx
              .insertInto('record_resource')
              .values(rawResource(org.id, c, `${key}|s${oi}`))
              .execute(),
          )),
          ...(await refused(
            `citizen: record_resource`,
            { kind: 'citizen', citizenId: c, portalId: at(w.portals, 0) },
            [c],
            (tx) =>
              tx
                .insertInto('record_resource')
                .values(rawResource(org.id, c, `${key}|c${oi}`))
                .execute(),
          )),
        );
      }
    }
    const written = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('source_key', 'like', `${key}|%`)
      .execute();
    if (written.length > 0) problems.push(`${written.length} refused resource(s) were stored anyway`);
    return problems;
  }

  const property = (holes: ReadonlySet<Hole>) =>
    fc.asyncProperty(specArb, async (spec) => {
      const w = await build(spec);
      const problems = [...(await check(w, holes)), ...(await checkWrites(w))];
      assert.deepEqual(problems, [], problems.slice(0, 12).join('\n'));
    });

  test('[MG-4] [PZ-4] [ZL-1] every principal reads exactly what the rules allow, and writes only its own', async () => {
    await fc.assert(property(KNOWN_HOLES), {
      numRuns: Number(process.env.PROPERTY_RUNS ?? 20),
      includeErrorInReport: true,
    });
  });
});
