// The Koepel that the FHIR bench (bench/fhir.ts) measures, in a process of its own; and, started by hand, a second
// Koepel to serve as the bench's "peer" (to show that the side-by-side mode works).
//
// It boots Koepel with the demo and arranges with the owner connection: an API client of one organisation (a
// provider system, with a known secret), the patient whose record is read and the patients the ingest writes for
// (each with a care relationship with that organisation), and the bearer token of an app the read patient authorised.
// Koepel's FHIR read API serves citizens only (src/fhir/read/routes.ts: an API client's token is answered 403), so the
// reads go with that app token; the writes with the API client's token.
//
// As the peer (`--peer`; node --import tsx rather than the tsx command, so that the pid printed is the server's):
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/fhir-server.ts --peer > /tmp/peer.env &
//   . /tmp/peer.env   # once it printed: BENCH_PEER_FHIR_URL, _TOKEN, _READ_TOKEN, _PIDS, _PG_DATABASE
// It creates a fresh database next to the given one (dropped again on SIGINT/SIGTERM), or runs on in-memory PGlite.
// BENCH_PEER_PORT chooses the port (default a free one).
import { sql } from 'kysely';
import { createBenchDatabase } from './database.js';
import { benchFixtures, bootBenchKoepel } from './fixtures.js';
import { clientCredentialsToken } from './oauth.js';
import { countQueries } from './query-counter.js';
import { FHIR_BENCH_INGEST_PATIENTS, FHIR_BENCH_READ_BSN, fhirBenchIngestBsns } from './record-data.js';

export interface FhirBenchReady {
  type: 'ready';
  port: number;
  database: 'pglite' | 'postgres';
  /** The provider system: an API client of one organisation. */
  client: { organisation: string; clientId: string; secret: string };
  /** Bearer token of an app the read patient authorised (patient/*.read). */
  readToken: string;
  /** The read patient's Koepel id (Patient/{id}). */
  readPatientId: string;
}

export type FhirBenchFromServer =
  | FhirBenchReady
  | { type: 'stats'; id: number; cpuMicros: number; queries: number; transactions: number }
  | { type: 'trace'; id: number; statements: string[] }
  | { type: 'error'; message: string };
export type FhirBenchToServer =
  { type: 'stats'; id: number } | { type: 'trace'; id: number; on: boolean } | { type: 'stop' };

function send(m: FhirBenchFromServer): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  const asPeer = process.argv.includes('--peer');
  if (!asPeer && !process.send) throw new Error('bench/fhir-server.ts is started by bench/fhir.ts, or with --peer');
  const peerDatabase =
    asPeer && process.env.BENCH_DATABASE_URL ? await createBenchDatabase(process.env.BENCH_DATABASE_URL) : null;
  if (peerDatabase) process.env.DATABASE_URL = peerDatabase.url;
  const counter = countQueries();
  const { koepel, port } = await bootBenchKoepel(
    asPeer && process.env.BENCH_PEER_PORT ? Number(process.env.BENCH_PEER_PORT) : undefined,
  );
  const fixtures = await benchFixtures(koepel);
  const organisation = fixtures.organisations[0];
  if (!organisation) throw new Error('the demo has no organisations');
  const client = await fixtures.apiClient(organisation);
  const [readPatientId] = await fixtures.addCitizens([FHIR_BENCH_READ_BSN], [organisation]);
  if (!readPatientId) throw new Error('no read patient');
  await fixtures.addCitizens(fhirBenchIngestBsns(FHIR_BENCH_INGEST_PATIENTS), [organisation]);
  await sql`analyze`.execute(koepel.database.db);
  const readToken = await fixtures.appToken(readPatientId);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await koepel.close().catch(() => undefined);
    await peerDatabase?.drop().catch((err: unknown) => console.error('could not drop the peer database:', err));
    process.exit(0);
  };

  if (asPeer) {
    const base = `http://127.0.0.1:${port}/fhir`;
    const writeToken = await clientCredentialsToken(`${base}/token`, client.clientId, client.secret);
    // Shell lines: the bench reads the peer from these variables. The tokens hold for an hour.
    console.log(`export BENCH_PEER_FHIR_URL=${base}`);
    console.log(`export BENCH_PEER_FHIR_TOKEN=${writeToken}`);
    console.log(`export BENCH_PEER_FHIR_READ_TOKEN=${readToken}`);
    console.log(`export BENCH_PEER_PIDS=${process.pid}`);
    if (peerDatabase) console.log(`export BENCH_PEER_PG_DATABASE=${new URL(peerDatabase.url).pathname.slice(1)}`);
    console.error(`peer Koepel ready on ${base} (${koepel.database.kind}); stop it with kill ${process.pid}`);
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    return;
  }

  process.on('message', (m: FhirBenchToServer) => {
    void (async () => {
      if (m.type === 'stats') {
        const c = process.cpuUsage();
        send({ type: 'stats', id: m.id, cpuMicros: c.user + c.system, ...counter.snapshot() });
      } else if (m.type === 'trace') {
        if (m.on) {
          counter.trace(true);
          send({ type: 'trace', id: m.id, statements: [] });
        } else {
          send({ type: 'trace', id: m.id, statements: counter.trace(false) });
        }
      } else {
        await stop();
      }
    })().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  });
  process.on('disconnect', () => void stop());

  send({ type: 'ready', port, database: koepel.database.kind, client, readToken, readPatientId });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  console.error(err);
  process.exit(1);
});
