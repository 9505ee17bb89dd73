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
  // BENCH_LOG_DURATIONS=1: PostgreSQL logs every statement's duration (summarise with bench/pg-durations.ts).
  if (process.env.BENCH_LOG_DURATIONS === '1') {
    await admin.query(`alter database ${name} set log_min_duration_statement = 0`);
  }
  // BENCH_PLAN_CACHE_MODE: an experiment with PostgreSQL's choice between custom and generic plans.
  const planCacheMode = process.env.BENCH_PLAN_CACHE_MODE;
  if (planCacheMode) {
    if (!['auto', 'force_generic_plan', 'force_custom_plan'].includes(planCacheMode)) {
      throw new Error('BENCH_PLAN_CACHE_MODE must be auto, force_generic_plan or force_custom_plan');
    }
    await admin.query(`alter database ${name} set plan_cache_mode = ${planCacheMode}`);
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
