// What the record and FHIR benchmarks arrange in a Koepel they start (bench/record-server.ts, bench/fhir-server.ts):
// the Koepel itself (the demo, on DATABASE_URL or in-memory PGlite, a free port), API clients with a known secret,
// citizens in bulk with care relationships, citizen sessions and the token of an app a citizen authorised. All of it
// with the owner connection, as the tests arrange their data; the requests under test never use that connection.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { boot, type BootExtension, type Koepel } from '../src/boot.js';
import { demo } from '../src/demo/index.js';
import { DEMO_PORTAL_SLUG } from '../src/demo/seed.js';
import { useTypeScriptWorkers } from '../src/demo/typescript-workers.js';
import { FIXTURE_PERSONS, type BrpPerson } from '../src/identity/brp/fixture-persons.js';
import { aad, bsnIndex, normaliseName } from '../src/identity/citizens.js';
import { parseBsn } from '../src/identity/bsn.js';
import { loadConfig } from '../src/platform/config.js';
import { generateMasterKey } from '../src/platform/crypto/envelope.js';
import { freePort } from '../test/support/harness.js';

/** Boots Koepel with the demo and listens on 127.0.0.1 (port: a free one unless given). */
export async function bootBenchKoepel(
  port?: number,
  /** Extra routes for one benchmark (none uses it now). */
  extensions: readonly BootExtension[] = [],
): Promise<{ koepel: Koepel; port: number }> {
  useTypeScriptWorkers(); // the bench runs Koepel under tsx, as `npm start` does
  const listenOn = port ?? (await freePort());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(listenOn),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${listenOn}`,
    LOG_LEVEL: 'silent',
    // A key of its own, so that the benchmark never reads or writes ./data/master.key.
    KOEPEL_MASTER_KEY: generateMasterKey(),
    ...(process.env.DATABASE_URL
      ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10' }
      : {}),
  });
  if (config.database.kind === 'pglite') config.database = { kind: 'pglite', dataDir: null };
  const koepel = await boot(config, false, [demo, ...extensions]);
  await koepel.app.listen({ port: listenOn, host: '127.0.0.1' });
  return { koepel, port: listenOn };
}

export interface BenchOrganisation {
  id: string;
  name: string;
}

export interface BenchFixtures {
  portalId: string;
  /** The demo portal's organisations, by name. */
  organisations: BenchOrganisation[];
  /** Citizens created so far. */
  created: () => number;
  /** An API client of the organisation with a secret the load generator knows. */
  apiClient: (organisation: BenchOrganisation) => Promise<{ organisation: string; clientId: string; secret: string }>;
  /**
   * Citizens in bulk, their rows and keys as insertCitizen makes them, 1,000 to an insert. With `relationships`, each
   * gets a care relationship with every organisation (or with those given); without, one with one organisation.
   */
  addCitizens: (bsns: string[], relationships: boolean | BenchOrganisation[]) => Promise<string[]>;
  session: (citizenId: string) => Promise<string>;
  /** The bearer token of an app the citizen authorised (as the app token endpoint would issue it). */
  appToken: (citizenId: string) => Promise<string>;
}

export async function benchFixtures(koepel: Koepel): Promise<BenchFixtures> {
  const db = koepel.database.db;
  const keys = koepel.keys;
  const portal = await db
    .selectFrom('portal')
    .select('id')
    .where('slug', '=', DEMO_PORTAL_SLUG)
    .executeTakeFirstOrThrow();
  const organisations = await db
    .selectFrom('portal_organisation as po')
    .innerJoin('organisation as o', 'o.id', 'po.organisation_id')
    .select(['o.id', 'o.name'])
    .where('po.portal_id', '=', portal.id)
    .orderBy('o.name')
    .execute();

  const first = FIXTURE_PERSONS[0];
  if (!first) throw new Error('no fixture person');
  const template: BrpPerson = first;
  let created = 0;

  return {
    portalId: portal.id,
    organisations,
    created: () => created,

    apiClient: async (o) => {
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
      return { organisation: o.name, clientId, secret };
    },

    addCitizens: async (bsns, relationships) => {
      const ids: string[] = [];
      const withOrgs = relationships === true ? organisations : relationships === false ? null : relationships;
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
          if (withOrgs) {
            for (const o of withOrgs) relationRows.push({ organisation_id: o.id, citizen_id: id });
          } else {
            // The scale test's citizens each have one or two relationships, as real ones do.
            const org = organisations[n % organisations.length];
            if (org) relationRows.push({ organisation_id: org.id, citizen_id: id });
          }
          ids.push(id);
        }
        await db.insertInto('citizen').values(citizenRows).execute();
        await db.insertInto('citizen_key').values(keyRows).execute();
        if (relationRows.length > 0) await db.insertInto('care_relationship').values(relationRows).execute();
      }
      return ids;
    },

    session: async (citizenId) =>
      (
        await koepel.app.koepel.sessions.create({
          kind: 'citizen',
          citizenId,
          portalId: portal.id,
          state: { displayName: 'Bench citizen' },
        })
      ).token,

    appToken: async (citizenId) => {
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
    },
  };
}
