// The server under test for the record benchmark (bench/record.ts), in a process of its own. It boots Koepel with
// the demo, then arranges with the owner connection what the benchmark needs: one API client per organisation
// with a known secret, bench citizens with a care relationship with all five organisations, and a citizen session
// for the two citizens whose record the benchmark reads. On request it adds many more citizens (the scale test).
import { sql } from 'kysely';
import { benchFixtures, bootBenchKoepel } from './fixtures.js';
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
  const { koepel, port } = await bootBenchKoepel();
  const db = koepel.database.db;
  const fixtures = await benchFixtures(koepel);

  // One API client per organisation, with a secret the load generator knows.
  const clients: RecordBenchReady['clients'] = [];
  for (const o of fixtures.organisations) clients.push(await fixtures.apiClient(o));
  const addCitizens = fixtures.addCitizens;

  const allBsns = benchBsns(ingestCitizens + 2);
  const bsns = allBsns.slice(0, ingestCitizens);
  const [bigBsn, everythingBsn] = allBsns.slice(ingestCitizens);
  if (!bigBsn || !everythingBsn) throw new Error('no BSNs');
  await addCitizens(bsns, true);
  const [bigId, everythingId] = await addCitizens([bigBsn, everythingBsn], true);
  if (!bigId || !everythingId) throw new Error('no bench citizens');
  await sql`analyze`.execute(db);

  const sessionFor = fixtures.session;
  const appTokenFor = fixtures.appToken;

  process.on('message', (m: RecordBenchToServer) => {
    void (async () => {
      if (m.type === 'cpu') {
        const c = process.cpuUsage();
        send({ type: 'cpu', id: m.id, micros: c.user + c.system, citizens: fixtures.created() });
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
        send({ type: 'added', id: m.id, citizens: fixtures.created() });
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
