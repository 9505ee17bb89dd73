// Sums PostgreSQL's statement durations by statement, from a server log written with log_min_duration_statement = 0
// (what BENCH_LOG_DURATIONS=1 sets for the bench database). Shows where the database's time per request goes.
//
//   N=$(wc -l < /var/log/postgresql/postgresql-15-main.log)
//   BENCH_LOG_DURATIONS=1 BENCH_PARTS=ingest BENCH_DATABASE_URL=… npm run bench:record
//   tail -n +$N /var/log/postgresql/postgresql-15-main.log | npx tsx bench/pg-durations.ts
import { createInterface } from 'node:readline';

const LINE = /duration: ([\d.]+) ms\s+(statement|execute [^:]*|parse [^:]*|bind [^:]*):\s*(.*)/;

async function main(): Promise<void> {
  const total = new Map<string, { ms: number; n: number }>();
  for await (const line of createInterface({ input: process.stdin })) {
    const m = LINE.exec(line);
    if (!m?.[1] || !m[2] || m[3] === undefined) continue;
    const phase = m[2].split(' ')[0] ?? '';
    const key = `${phase} ${m[3].replace(/\s+/g, ' ').slice(0, 100)}`;
    const t = total.get(key) ?? { ms: 0, n: 0 };
    t.ms += Number(m[1]);
    t.n += 1;
    total.set(key, t);
  }
  const all = [...total.values()].reduce((sum, t) => sum + t.ms, 0);
  console.log(`total ${all.toFixed(0)} ms`);
  for (const [key, t] of [...total].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    const share = ((100 * t.ms) / all).toFixed(1);
    console.log(
      `${t.ms.toFixed(0).padStart(9)} ms ${share.padStart(5)} %  n=${String(t.n).padStart(6)}  avg ${(t.ms / t.n).toFixed(3)} ms  ${key}`,
    );
  }
}

void main();
