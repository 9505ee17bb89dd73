// The server under test for the record benchmark (bench/record.ts), in a process of its own. It boots Koepel with
// the demo, then arranges with the owner connection what the benchmark needs: one API client per organisation
// with a known secret, bench citizens with a care relationship with all five organisations, and a citizen session
// for the two citizens whose record the benchmark reads. On request it adds many more citizens (the scale test).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { boot } from '../src/boot.js';
import { demo } from '../src/demo/index.js';
import { DEMO_PORTAL_SLUG } from '../src/demo/seed.js';
import { FIXTURE_PERSONS, type BrpPerson } from '../src/identity/brp/fixture-persons.js';
import { aad, bsnIndex, normaliseName } from '../src/identity/citizens.js';
import { parseBsn } from '../src/identity/bsn.js';
import { loadConfig } from '../src/platform/config.js';
import { generateMasterKey } from '../src/platform/crypto/envelope.js';
import { freePort } from '../test/support/harness.js';
import { countQueries } from './query-counter.js';
import { benchBsns } from './record-data.js';

export interface RecordBenchReady {
  type: 'ready';
  port: number;
  database: 'pglite' | 'postgres';
  clients: { organisation: string; clientId: string; secret: string }[];
  /** BSNs of the ingest citizens (relationship with every organisation). */
  bsns: string[];
  /** The citizen with a large record (home and dossier) and the one with 5,000 resources ($everything). */
  big: { bsn: string; citizenId: string; session: string };
  everything: { bsn: string; citizenId: string; session: string; appToken: string };
}

export type RecordBenchFromServer =
  | RecordBenchReady
  | { type: 'cpu'; id: number; micros: number; citizens: number }
  | { type: 'added'; id: number; citizens: number }
  | { type: 'trace'; id: number; statements: string[]; queries: number }
  | { type: 'error'; message: string };
export type RecordBenchToServer =
  | { type: 'cpu'; id: number }
  | { type: 'addCitizens'; id: number; count: number }
  | { type: 'trace'; id: number; on: boolean }
  | { type: 'stop' };

function send(m: RecordBenchFromServer): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/record-server.ts is started by bench/record.ts');
  const ingestCitizens = Number(process.env.BENCH_RECORD_CITIZENS ?? '1000');
  const counter = countQueries();
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    KOEPEL_MASTER_KEY: generateMasterKey(),
    ...(process.env.DATABASE_URL
      ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10' }
      : {}),
  });
  if (config.database.kind === 'pglite') config.database = { kind: 'pglite', dataDir: null };
  const koepel = await boot(config, false, [demo]);
  await koepel.app.listen({ port, host: '127.0.0.1' });
  const db = koepel.database.db;
  const keys = koepel.keys;

  const portal = await db
    .selectFrom('portal')
    .select('id')
    .where('slug', '=', DEMO_PORTAL_SLUG)
    .executeTakeFirstOrThrow();
  const orgs = await db
    .selectFrom('portal_organisation as po')
    .innerJoin('organisation as o', 'o.id', 'po.organisation_id')
    .select(['o.id', 'o.name'])
    .where('po.portal_id', '=', portal.id)
    .orderBy('o.name')
    .execute();

  // One API client per organisation, with a secret the load generator knows.
  const clients: RecordBenchReady['clients'] = [];
  for (const o of orgs) {
    const secret = randomBytes(32).toString('base64url');
    const clientId = `kc_bench_${randomBytes(8).toString('hex')}`;
    await db
      .insertInto('api_client')
      .values({
        organisation_id: o.id,
        name: 'Benchmark',
        client_id: clientId,
        secret_hash: createHash('sha256').update(secret, 'utf8').digest(),
      })
      .execute();
    clients.push({ organisation: o.name, clientId, secret });
  }

  const first = FIXTURE_PERSONS[0];
  if (!first) throw new Error('no fixture person');
  const template: BrpPerson = first;
  let created = 0;
  // Citizens in bulk: their rows and keys as insertCitizen makes them, inserted 1,000 at a time.
  async function addCitizens(bsns: string[], relationships: boolean): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < bsns.length; start += 1000) {
      const citizenRows = [];
      const keyRows = [];
      const relationRows = [];
      for (const raw of bsns.slice(start, start + 1000)) {
        const bsn = parseBsn(raw);
        if (!bsn) throw new Error('invalid bench BSN');
        const id = randomUUID();
        const n = created++;
        const person: BrpPerson = {
          ...template,
          burgerservicenummer: raw,
          naam: { ...template.naam, geslachtsnaam: `Bench${n}`, volledigeNaam: `Bench ${n}` },
        };
        const key = keys.createKey({ kind: 'citizen', id });
        citizenRows.push({
          id,
          bsn_index: bsnIndex(keys, bsn),
          bsn_ciphertext: keys.encryptWith(key, raw, aad.bsn(id)),
          family_name: person.naam.geslachtsnaam,
          name_prefix: null,
          given_names: person.naam.voornamen ?? '',
          search_name: normaliseName(`${person.naam.voornamen ?? ''} ${person.naam.geslachtsnaam}`),
          birth_date: `19${String(40 + (n % 60)).padStart(2, '0')}-0${1 + (n % 9)}-1${n % 9}`,
          brp_ciphertext: keys.encryptWith(key, JSON.stringify(person), aad.brp(id)),
          brp_fetched_at: new Date(),
        });
        keyRows.push({ citizen_id: id, version: key.version, wrapped: key.wrapped });
        if (relationships) {
          for (const o of orgs) relationRows.push({ organisation_id: o.id, citizen_id: id });
        } else {
          // The scale test's citizens each have one or two relationships, as real ones do.
          const org = orgs[n % orgs.length];
          if (org) relationRows.push({ organisation_id: org.id, citizen_id: id });
        }
        ids.push(id);
      }
      await db.insertInto('citizen').values(citizenRows).execute();
      await db.insertInto('citizen_key').values(keyRows).execute();
      await db.insertInto('care_relationship').values(relationRows).execute();
    }
    return ids;
  }

  const allBsns = benchBsns(ingestCitizens + 2);
  const bsns = allBsns.slice(0, ingestCitizens);
  const [bigBsn, everythingBsn] = allBsns.slice(ingestCitizens);
  if (!bigBsn || !everythingBsn) throw new Error('no BSNs');
  await addCitizens(bsns, true);
  const [bigId, everythingId] = await addCitizens([bigBsn, everythingBsn], true);
  if (!bigId || !everythingId) throw new Error('no bench citizens');
  await sql`analyze`.execute(db);

  const sessionFor = async (citizenId: string) =>
    (
      await koepel.app.koepel.sessions.create({
        kind: 'citizen',
        citizenId,
        portalId: portal.id,
        state: { displayName: 'Bench citizen' },
      })
    ).token;

  // An app the citizen authorised, with a token (as the token endpoint would issue it): $everything read the way an
  // app reads it, to compare with the portal session.
  const appTokenFor = async (citizenId: string) => {
    const app = await db
      .insertInto('citizen_app')
      .values({
        name: 'Bench app',
        vendor: 'Bench',
        client_id: `ka_${randomBytes(16).toString('base64url')}`,
        confidential: false,
        redirect_uris: ['https://bench.example/cb'],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const grant = await db
      .insertInto('citizen_app_grant')
      .values({ citizen_id: citizenId, app_id: app.id, portal_id: portal.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const token = randomBytes(32).toString('base64url');
    await db
      .insertInto('citizen_app_token')
      .values({
        token_hash: createHash('sha256').update(token).digest(),
        grant_id: grant.id,
        code_hash: randomBytes(32),
        scope: 'patient/*.read',
        expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    return token;
  };

  process.on('message', (m: RecordBenchToServer) => {
    void (async () => {
      if (m.type === 'cpu') {
        const c = process.cpuUsage();
        send({ type: 'cpu', id: m.id, micros: c.user + c.system, citizens: created });
      } else if (m.type === 'trace') {
        if (m.on) {
          counter.trace(true);
          send({ type: 'trace', id: m.id, statements: [], queries: counter.snapshot().queries });
        } else {
          send({ type: 'trace', id: m.id, statements: counter.trace(false), queries: counter.snapshot().queries });
        }
      } else if (m.type === 'addCitizens') {
        await addCitizens(benchBsns(m.count, 20_000_000), false);
        await sql`analyze`.execute(db);
        send({ type: 'added', id: m.id, citizens: created });
      } else {
        await koepel.close().catch(() => undefined);
        process.exit(0);
      }
    })().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  });
  process.on('disconnect', () => {
    void koepel.close().finally(() => process.exit(0));
  });

  send({
    type: 'ready',
    port,
    database: koepel.database.kind,
    clients,
    bsns,
    big: { bsn: bigBsn, citizenId: bigId, session: await sessionFor(bigId) },
    everything: {
      bsn: everythingBsn,
      citizenId: everythingId,
      session: await sessionFor(everythingId),
      appToken: await appTokenFor(everythingId),
    },
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
