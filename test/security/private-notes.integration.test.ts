// LU-3: a citizen's private notes are theirs alone. A citizen writes two notes through the pages (one about an
// appointment, one about a lab result); then
//   1. HTTP: every registered route (read from Fastify's route tree, so a route added later is tried too), with every
//      method, is called by every staff role of the organisations that treat her (admin and privacy officer
//      included), the operator, two provider systems (FHIR: search, read, _history, Patient/$everything), an app
//      she authorised (the citizen read API) and another citizen — with the note's id, her id, the appointment's
//      and the result's id put into the URL's parameters. No answer holds the text of either note.
//   2. SQL: every database principal — staff of each role with every permission, the operator, the provider
//      systems, every system purpose, an app acting for her, another citizen, anonymous and koepel_app without any
//      setting — reads zero rows of private_note and citizen_notes_key (or is refused), even after an audit record
//      naming her; only she reads them. No security-definer function touches the tables.
//   3. The raw tables (as the owner) hold no plaintext of the notes; a sealed note does not open under another note's
//      id; shredding deletes the notes and the key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { tokenFor, createApiClient } from '../../src/fhir/ingest.testkit.js';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { PERMISSIONS } from '../../src/platform/auth/permissions.js';
import { sha256 } from '../../src/platform/crypto/secrets.js';
import { withPrincipal, type Principal, type SystemPurpose, type Tx } from '../../src/platform/db/principal.js';
import { runInScope } from '../../src/platform/db/scope.js';
import { shredNotes } from '../../src/private-notes/index.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { newAppClientId } from '../../src/citizen-apps/registry.js';
import { insertAppointment, staffId } from '../../src/video-consult/video.testkit.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { csrfFrom, HttpClient } from '../support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../support/principals.js';
import { allRoutes } from '../support/routes.js';

const STAFF = [
  'huisarts@delinde.example', // doctor
  'assistent@delinde.example', // assistant
  'privacy@delinde.example', // privacy officer (audit view, audit export)
  'apotheker@apotheekcentrum.example', // pharmacist
  'beheer@apotheekcentrum.example', // organisation admin
  'arts@rivierenland.example', // hospital doctor
  'fysio@beweegwijs.example', // therapist
  'wijkteam@buurtteam.example', // social worker
];
const OPERATOR = 'servicedesk@koepel.example';

/** Every system purpose there is: the type must list no purpose this record leaves out. */
const PURPOSES = {
  'citizen-login': true,
  'staff-login': true,
  session: true,
  'audit-verify': true,
  'audit-checkpoint': true,
  maintenance: true,
  'api-auth': true,
  notifications: true,
  'system-messages': true,
  jobs: true,
  email: true,
  deliveries: true,
} satisfies Record<SystemPurpose, true>;

const MARK_A = `NOTITIE-OKAPI-${randomBytes(4).toString('hex')}`;
const MARK_B = `NOTITIE-IBIS-${randomBytes(4).toString('hex')}`;

describe('[LU-3] private notes are read by their citizen only', () => {
  let k: TestKoepel;
  let suzanne: string;
  let pieter: string;
  let portalId: string;
  let appointment: string;
  let lab: string;
  let noteA: string;
  let noteB: string;
  let s: HttpClient;

  before(async () => {
    k = await startKoepel();
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    portalId = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const gp = await orgId(k.db, DEMO.gp);
    const start = new Date(Date.now() + 3 * 86_400_000);
    appointment = await insertAppointment(k.db, {
      organisationId: gp,
      citizenId: suzanne,
      staffId: await staffId(k.db, STAFF[0] ?? ''),
      start,
      end: new Date(start.getTime() + 600_000),
      video: false,
    });
    lab = (
      await k.db
        .selectFrom('record_resource')
        .select('id')
        .where('citizen_id', '=', suzanne)
        .where('organisation_id', '=', gp)
        .where('category', '=', 'lab')
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).id;
    s = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    const write = async (query: string, text: string) => {
      const page = await s.get(`/notes/new${query}`);
      assert.equal(page.status, 200);
      const key = /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] ?? '';
      const link = /name="(appointment|record)" value="([0-9a-f-]{36})"/.exec(page.text);
      const form: Record<string, string> = { _csrf: csrfFrom(page.text), key, text };
      if (link?.[1] && link[2]) form[link[1]] = link[2];
      const res = await s.post('/notes', form);
      assert.equal(res.status, 303);
      return /\/notes\/([0-9a-f-]{36})/.exec(res.location ?? '')?.[1] ?? '';
    };
    noteA = await write(`?appointment=${appointment}`, `Mijn vraag over de afspraak: ${MARK_A}`);
    noteB = await write(`?record=${lab}`, `Over de uitslag, alleen voor mij: ${MARK_B}`);
    // She herself reads both (the control: the search below would find them).
    assert.match((await s.get('/notes')).text, new RegExp(`${MARK_A}[\\s\\S]*${MARK_B}|${MARK_B}[\\s\\S]*${MARK_A}`));
    assert.match((await s.get(`/appointments/${appointment}`)).text, new RegExp(MARK_A));
    assert.match((await s.get(`/dossier/lab/${lab}`)).text, new RegExp(MARK_B));
  });
  after(async () => {
    await k.close();
  });

  const leaks = (text: string) => text.includes(MARK_A) || text.includes(MARK_B);

  test('[LU-3] HTTP: no staff, operator, privacy-officer, admin, provider-system, app or other-citizen request returns a note', async () => {
    const routes = allRoutes(k.koepel.app.printRoutes({ commonPrefix: false }));
    for (const known of ['/notes/:id', '/staff/audit', '/fhir/:type/:id', '/access-log', '/operator/alerts']) {
      assert.ok(
        routes.some(([path]) => path === known),
        `${known} in ${routes.map(([p]) => p).join(' ')}`,
      );
    }
    assert.ok(routes.length > 60, `only ${routes.length} routes read`);

    // Who tries: sessions (cookies) and bearer tokens.
    type Actor = { name: string; client: HttpClient; headers: Record<string, string>; csrf: () => Promise<string> };
    const actors: Actor[] = [];
    const sessionActor = (name: string, client: HttpClient, home: string): Actor => ({
      name,
      client,
      headers: {},
      csrf: async () => {
        const page = await client.get(home);
        return /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      },
    });
    for (const email of [...STAFF, OPERATOR]) {
      const { client } = await loginStaff(k.url, email);
      actors.push(sessionActor(email, client, email === OPERATOR ? '/operator/alerts' : '/staff'));
    }
    const p = new HttpClient(k.url);
    assert.equal((await loginWithDigid(p, DEMO.pieter)).status, 303);
    actors.push(sessionActor('another citizen', p, '/home'));
    for (const org of [DEMO.gp, DEMO.pharmacy]) {
      const c = await createApiClient(k.db, await orgId(k.db, org));
      const token = await tokenFor(k.url, c);
      actors.push({
        name: `provider system of ${org}`,
        client: new HttpClient(k.url),
        headers: { authorization: `Bearer ${token}` },
        csrf: () => Promise.resolve(''),
      });
    }
    // An app Suzanne authorised: her own principal on the citizen read API, with the app named.
    const app = await k.db
      .insertInto('citizen_app')
      .values({
        name: 'Test-PGO',
        vendor: 'Leverancier',
        client_id: newAppClientId(),
        confidential: false,
        redirect_uris: ['https://pgo.example/cb'],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const grant = await k.db
      .insertInto('citizen_app_grant')
      .values({ citizen_id: suzanne, app_id: app.id, portal_id: portalId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const appToken = randomBytes(32).toString('base64url');
    await k.db
      .insertInto('citizen_app_token')
      .values({
        token_hash: sha256(appToken),
        grant_id: grant.id,
        code_hash: randomBytes(32),
        scope: 'patient/*.read',
        expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    actors.push({
      name: 'an app of the citizen',
      client: new HttpClient(k.url),
      headers: { authorization: `Bearer ${appToken}` },
      csrf: () => Promise.resolve(''),
    });
    // The app's token works (so its failures below are not a broken token).
    const own = await actors[actors.length - 1]?.client.get(`/fhir/Patient/${suzanne}/$everything`, {
      authorization: `Bearer ${appToken}`,
    });
    assert.equal(own?.status, 200, own?.text.slice(0, 300));

    // What goes into the URL's parameters: the notes' own ids, her id, the appointment's and the result's.
    const variants: { id: string; type: string }[] = [
      { id: noteA, type: 'Patient' },
      { id: suzanne, type: 'Patient' },
      { id: appointment, type: 'Appointment' },
      { id: lab, type: 'Observation' },
    ];
    const query = new URLSearchParams({
      citizen: suzanne,
      patient: suzanne,
      _id: noteA,
      id: noteA,
      q: 'De Vries',
      _content: MARK_A,
      format: 'csv',
    }).toString();
    // Logging out or in ends the session the sweep runs with.
    const skip = (path: string) => /log(in|out)|\/totp|\/organisation-choice|\/login\//.test(path);
    let tried = 0;
    const failures: string[] = [];
    const sweep = async (actor: Actor) => {
      const csrf = await actor.csrf();
      for (const [pattern, methods] of routes) {
        if (skip(pattern)) continue;
        const hasParams = /[:*]/.test(pattern);
        for (const method of methods) {
          if (method === 'HEAD' || method === 'OPTIONS') continue;
          // Reads with every id; writes with the note's id and hers (a write answers with what it wrote).
          const vs = method === 'GET' ? variants : variants.slice(0, 2);
          const paths = hasParams
            ? vs.map((v) =>
                pattern.replace(/:[A-Za-z_]+/g, (param) => (/type/i.test(param) ? v.type : v.id)).replace(/\*$/, v.id),
              )
            : method === 'GET'
              ? [pattern, `${pattern}?${query}`]
              : [pattern];
          for (const path of paths) {
            const body =
              method === 'GET'
                ? undefined
                : new URLSearchParams({
                    _csrf: csrf,
                    id: noteA,
                    note: noteA,
                    citizen: suzanne,
                    patient: suzanne,
                    appointment,
                    record: lab,
                    q: 'De Vries',
                    text: 'zoek',
                  }).toString();
            const res = await fetch(k.url + path, {
              method,
              redirect: 'manual',
              signal: AbortSignal.timeout(15_000),
              headers: {
                ...actor.headers,
                ...(actor.client.cookies.size > 0
                  ? { cookie: [...actor.client.cookies].map(([n, v]) => `${n}=${v}`).join('; ') }
                  : {}),
                ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
              },
              body,
            });
            const text = await res.text();
            tried++;
            if (leaks(text) || leaks([...res.headers.values()].join(' '))) {
              failures.push(`${actor.name}: ${method} ${path} → ${res.status}`);
            }
            // The notes' own pages answer nobody but her (another citizen has a list and a form of his own).
            if (pattern.startsWith('/notes') && res.status < 300 && (hasParams || actor.name !== 'another citizen')) {
              failures.push(`${actor.name}: ${method} ${path} → ${res.status} on a notes route`);
            }
          }
        }
      }
    };
    // A few actors at a time: the requests wait on the database more than on the processor.
    const queue = [...actors];
    await Promise.all(
      [1, 2, 3, 4].map(async () => {
        for (let a = queue.shift(); a; a = queue.shift()) await sweep(a);
      }),
    );
    assert.deepEqual(failures, []);
    assert.ok(tried > actors.length * routes.length, `tried ${tried}`);
    // The sessions were alive to the end (a sweep of 401s would prove nothing).
    for (const actor of actors.slice(0, STAFF.length + 2)) {
      assert.notEqual(await actor.csrf(), '', `${actor.name}: still logged in`);
    }
    // And the notes are still there, unchanged.
    assert.match((await s.get(`/notes/${noteA}`)).text, new RegExp(MARK_A));
    assert.match((await s.get(`/notes/${noteB}`)).text, new RegExp(MARK_B));
  });

  test('[LU-3] SQL: every database principal but the citizen herself reads no note and no notes key', async () => {
    const tables = ['private_note', 'citizen_notes_key'] as const;
    /** Rows of each table the principal sees after an audit record naming Suzanne; or an error message. */
    const seen = async (p: Principal): Promise<Record<string, number | string>> => {
      const out: Record<string, number | string> = {};
      for (const table of tables) {
        try {
          out[table] = await withPrincipal(k.db, p, async (tx: Tx) => {
            // As though the code had audited her: koepel_audited() is true for her in this transaction.
            await sql`select set_config('koepel.audited_citizens', ${`${suzanne},`}, true)`.execute(tx);
            const rows = await sql`select * from ${sql.table(table)}`.execute(tx);
            return rows.rows.length;
          });
        } catch (err) {
          out[table] = (err as Error).message;
        }
      }
      return out;
    };
    const principals: [string, Principal][] = [];
    const all = Object.values(PERMISSIONS);
    for (const email of STAFF) principals.push([email, await staffPrincipal(k.db, email, all)]);
    principals.push(['operator', { kind: 'operator', staffId: await staffId(k.db, OPERATOR) }]);
    for (const org of [DEMO.gp, DEMO.pharmacy, DEMO.hospital]) {
      const c = await createApiClient(k.db, await orgId(k.db, org));
      principals.push([`provider system of ${org}`, c.principal]);
    }
    for (const purpose of Object.keys(PURPOSES) as SystemPurpose[]) {
      principals.push([`system ${purpose}`, { kind: 'system', purpose }]);
    }
    principals.push(['an app for her', { kind: 'citizen', citizenId: suzanne, portalId, app: crypto.randomUUID() }]);
    principals.push(['another citizen', { kind: 'citizen', citizenId: pieter, portalId }]);
    principals.push(['anonymous', { kind: 'anonymous' }]);

    const failures: string[] = [];
    for (const [name, p] of principals) {
      const r = await seen(p);
      for (const table of tables) {
        const v = r[table];
        if (v !== 0 && !(typeof v === 'string' && /permission denied|row-level security/.test(v))) {
          failures.push(`${name}: ${table} → ${String(v)}`);
        }
      }
    }
    assert.deepEqual(failures, []);

    // koepel_app without any principal setting (what a bare connection as the app role would be).
    for (const table of tables) {
      const rows = await k.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        try {
          await sql`set local role koepel_app`.execute(conn);
          return (await sql`select * from ${sql.table(table)}`.execute(conn)).rows.length;
        } finally {
          await sql`rollback`.execute(conn);
        }
      });
      assert.equal(rows, 0, `koepel_app without settings: ${table}`);
    }

    // The control: she reads both notes and her key (so the zeros above are the policies', not an empty table).
    const hers = await seen({ kind: 'citizen', citizenId: suzanne, portalId });
    assert.equal(hers.private_note, 2);
    assert.equal(hers.citizen_notes_key, 1);

    // Staff cannot write one in her name either (and so cannot plant a key or a note to read later).
    const doctor = await staffPrincipal(k.db, STAFF[0] ?? '', all);
    await assert.rejects(
      withPrincipal(k.db, doctor, async (tx) => {
        await sql`select set_config('koepel.audited_citizens', ${`${suzanne},`}, true)`.execute(tx);
        await tx
          .insertInto('citizen_notes_key')
          .values({ citizen_id: suzanne, version: 1, wrapped: Buffer.alloc(40) })
          .execute();
      }),
      /row-level security|duplicate key/,
    );

    // No security-definer function reads or returns the notes or the key; nothing but koepel_app has a grant.
    const definers = await sql<{ proname: string }>`
      select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef
        and (p.prosrc ilike '%private_note%' or p.prosrc ilike '%notes_key%')`.execute(k.db);
    assert.deepEqual(definers.rows, []);
    const grants = await sql<{ grantee: string; table_name: string; privilege_type: string }>`
      select grantee, table_name, privilege_type from information_schema.role_table_grants
      where table_name in ('private_note', 'citizen_notes_key') and grantee not in ('koepel_app', current_user)
        and grantee not in (select rolname from pg_roles where rolsuper)`.execute(k.db);
    assert.deepEqual(grants.rows, []);
    const rls = await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>`
      select relname, relrowsecurity, relforcerowsecurity from pg_class
      where relname in ('private_note', 'citizen_notes_key') order by relname`.execute(k.db);
    assert.deepEqual(
      rls.rows.map((r) => [r.relname, r.relrowsecurity, r.relforcerowsecurity]),
      [
        ['citizen_notes_key', true, true],
        ['private_note', true, true],
      ],
    );
  });

  test('[LU-3] the raw tables hold no plaintext; a sealed note opens only as itself; shredding removes notes and key', async () => {
    // Every row of every table, as text (bytea as hex) and every bytea decoded: no note text anywhere.
    const tableNames = (
      await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(k.db)
    ).rows.map((r) => r.tablename);
    for (const t of tableNames) {
      const rows = (await sql<{ r: string }>`select t::text as r from ${sql.table(t)} t`.execute(k.db)).rows;
      for (const { r } of rows) {
        const decoded = (r.match(/\\\\x([0-9a-f]+)/g) ?? []).map((hex) => Buffer.from(hex.slice(3), 'hex'));
        const texts = [r, ...decoded.flatMap((b) => [b.toString('utf8'), b.toString('latin1')])];
        assert.ok(!texts.some(leaks), `plaintext of a note in table ${t}`);
      }
    }
    const rows = await k.db.selectFrom('private_note').selectAll().where('citizen_id', '=', suzanne).execute();
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const raw = Buffer.from(row.body_ciphertext);
      assert.ok(!leaks(raw.toString('utf8')) && !leaks(raw.toString('latin1')) && !leaks(raw.toString('base64')));
    }

    // The AAD binds a ciphertext to its note and citizen: moved onto the other note, it does not open.
    const a = rows.find((r) => r.id === noteA);
    assert.ok(a);
    await k.db
      .updateTable('private_note')
      .set({ body_ciphertext: a.body_ciphertext })
      .where('id', '=', noteB)
      .execute();
    const moved = await s.get(`/notes/${noteB}`);
    assert.equal(moved.status, 500);
    assert.ok(!leaks(moved.text));

    // Shredding (account deletion calls it as the citizen): the notes and the key are gone.
    const n = await runInScope(
      { db: k.db, keys: k.koepel.keys },
      { kind: 'citizen', citizenId: suzanne, portalId },
      (scope) => shredNotes(scope),
    );
    assert.equal(n, 2);
    assert.equal(
      (await k.db.selectFrom('private_note').select('id').where('citizen_id', '=', suzanne).execute()).length,
      0,
    );
    assert.equal(
      (await k.db.selectFrom('citizen_notes_key').select('version').where('citizen_id', '=', suzanne).execute()).length,
      0,
    );
    assert.equal((await s.get(`/notes/${noteA}`)).status, 404);
    // She can start again: a new key is made with her next note.
    const page = await s.get('/notes/new');
    const key = /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] ?? '';
    const res = await s.post('/notes', { _csrf: csrfFrom(page.text), key, text: 'Opnieuw begonnen' });
    assert.equal(res.status, 303);
  });
});
