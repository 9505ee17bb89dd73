// A fresh PostgreSQL database for one benchmark run, created next to the one in the given URL and dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export async function createBenchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `koepel_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  // An experiment, never a recommendation: how much of a request's time is the wait for the WAL flush at commit?
  if (process.env.BENCH_SYNCHRONOUS_COMMIT === 'off') {
    await admin.query(`alter database ${name} set synchronous_commit = off`);
  }
  if (process.env.BENCH_LOG_DURATIONS === '1') {
    await admin.query(`alter database ${name} set log_min_duration_statement = 0`);
  }
  if (process.env.BENCH_PLAN_CACHE_MODE) {
    await admin.query(`alter database ${name} set plan_cache_mode = ${process.env.BENCH_PLAN_CACHE_MODE}`);
  }
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
