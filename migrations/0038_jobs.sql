-- Issue 14: the durable job queue (src/platform/jobs). Background work — e-mails, deliveries to an organisation's
-- system, reminders, later the retention jobs — is a row here, written in the same transaction as what caused it, so a
-- rolled-back action leaves no job and a committed one never loses its job.
--
-- Why not pg-boss or graphile-worker: both need a pg connection pool of their own and run their own schema
-- migrations; neither runs on the embedded PGlite default (one in-process connection, no second client). This queue
-- is one table on FOR UPDATE SKIP LOCKED, under the same migrations, roles and row-level security as the rest.
--
-- A job's life:
--   queued  → running   a worker claims it (FOR UPDATE SKIP LOCKED): attempts + 1, a fresh lease_token, and run_at
--                       moves to the end of the lease. A worker that dies mid-job holds nothing: when run_at (the
--                       lease's end) passes, any worker claims the job again.
--   running → done      the worker that still holds the lease (lease_token) finishes it; effects in this database
--                       are written in that same transaction, so they happen exactly once.
--   running → queued    it failed: run_at = now() + exponential back-off, last_error = a short code.
--   running → dead      failed max_attempts times, or failed for good: the operator sees it (/operator/jobs) and can
--                       queue it again.
-- Payloads hold ids and words (an event type, a status), never personal data: a job row is read by the operator.

create table job (
  id bigint generated always as identity primary key,
  kind text not null check (kind ~ '^[a-z][a-z0-9.-]{0,62}$'),
  payload jsonb not null default '{}'::jsonb check (jsonb_typeof(payload) = 'object'),
  -- One job per (kind, key) for ever: enqueueing the same key again does nothing (idempotency).
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  state text not null default 'queued' check (state in ('queued', 'running', 'done', 'dead')),
  -- queued: when it may run; running: when its lease ends.
  run_at timestamptz not null default now(),
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 10 check (max_attempts between 1 and 100),
  lease_token uuid,
  last_error text check (length(last_error) <= 500),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create unique index job_idempotency on job (kind, idempotency_key) where idempotency_key is not null;
-- The claim's one index: queued jobs by when they may run, running ones by when their lease ends.
create index job_due on job (run_at) where state in ('queued', 'running');
create index job_dead on job (finished_at desc) where state = 'dead';
create index job_done on job (finished_at) where state = 'done';

alter table job enable row level security;
alter table job force row level security;
-- The workers (system purpose 'jobs') claim, finish and fail jobs; the operator reads them and queues a dead one
-- again. Nobody else sees the table: enqueueing goes through koepel_enqueue_job below.
create policy job_worker on job
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'jobs')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'jobs');
create policy job_operator_read on job for select using (koepel_principal_kind() = 'operator');
create policy job_operator_retry on job for update
  using (koepel_principal_kind() = 'operator' and state = 'dead')
  with check (koepel_principal_kind() = 'operator' and state = 'queued');
grant select, update, delete on job to koepel_app;

-- Enqueues a job from any transaction (a citizen's booking, a staff member's reply, a trigger): the job commits or
-- rolls back with it. Returns the job's id, or null when a job with this idempotency key exists already. Wakes the
-- workers (NOTIFY, delivered at commit) so that a due job starts at once rather than at the next poll.
create function koepel_enqueue_job(p_kind text, p_payload jsonb, p_key text default null,
                                   p_run_at timestamptz default null, p_max_attempts integer default null)
returns bigint language plpgsql security definer set search_path = public, pg_temp as $$
declare
  new_id bigint;
begin
  insert into job (kind, payload, idempotency_key, run_at, max_attempts)
  values (p_kind, coalesce(p_payload, '{}'::jsonb), p_key, coalesce(p_run_at, now()), coalesce(p_max_attempts, 10))
  on conflict (kind, idempotency_key) where idempotency_key is not null do nothing
  returning id into new_id;
  if new_id is not null and coalesce(p_run_at, now()) <= now() then
    perform pg_notify('koepel_jobs', p_kind);
  end if;
  return new_id;
end $$;
revoke all on function koepel_enqueue_job(text, jsonb, text, timestamptz, integer) from public;
grant execute on function koepel_enqueue_job(text, jsonb, text, timestamptz, integer) to koepel_app;

-- Moves a scheduled job that has not started (an "appointment soon" reminder when the appointment moves) or drops it
-- (run_at null: the appointment was cancelled). Only queued jobs: one already running or done is left alone.
create function koepel_reschedule_job(p_kind text, p_key text, p_run_at timestamptz)
returns boolean language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if p_run_at is null then
    delete from job where kind = p_kind and idempotency_key = p_key and state = 'queued';
  else
    update job set run_at = p_run_at where kind = p_kind and idempotency_key = p_key and state = 'queued';
  end if;
  return found;
end $$;
revoke all on function koepel_reschedule_job(text, text, timestamptz) from public;
grant execute on function koepel_reschedule_job(text, text, timestamptz) to koepel_app;

-- Finishes a job for the worker that holds its lease (the token it got at the claim), in the caller's transaction:
-- a handler writes its database effect and finishes its job in one transaction under its own principal, so the
-- effect happens exactly once. False when the lease was lost (another worker claimed the job after it ended).
create function koepel_finish_job(p_id bigint, p_token uuid)
returns boolean language plpgsql security definer set search_path = public, pg_temp as $$
begin
  update job set state = 'done', finished_at = now(), lease_token = null
  where id = p_id and lease_token = p_token and state = 'running';
  return found;
end $$;
revoke all on function koepel_finish_job(bigint, uuid) from public;
grant execute on function koepel_finish_job(bigint, uuid) to koepel_app;
