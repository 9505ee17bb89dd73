-- Koepel kernel schema: tenancy, identities, sessions, keys and the NEN 7513 audit log.
-- Every table that holds organisation or citizen data has row-level security ENABLED and FORCED.
-- The application runs as koepel_app: not superuser, not owner, not BYPASSRLS. Its principal is set
-- per transaction with set_config(..., true) (see src/platform/db/principal.ts).

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'koepel_app') then
    create role koepel_app nologin nosuperuser nobypassrls noinherit;
  end if;
exception when duplicate_object or unique_violation then
  null; -- another database on the same server created it at the same moment
end $$;

-- The migrating role must be able to SET ROLE koepel_app (a superuser can anyway).
do $$
begin
  execute format('grant koepel_app to %I', current_user);
exception when others then
  null;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Principal helpers. They read transaction-local settings; an unset setting means "nobody".
-- ---------------------------------------------------------------------------------------------
create function koepel_principal_kind() returns text language sql stable as $$
  select coalesce(nullif(current_setting('koepel.principal_kind', true), ''), 'anonymous')
$$;
create function koepel_org() returns uuid language sql stable as $$
  select nullif(current_setting('koepel.organisation_id', true), '')::uuid
$$;
create function koepel_citizen() returns uuid language sql stable as $$
  select nullif(current_setting('koepel.citizen_id', true), '')::uuid
$$;
create function koepel_actor() returns uuid language sql stable as $$
  select nullif(current_setting('koepel.actor_id', true), '')::uuid
$$;
create function koepel_has_permission(p text) returns boolean language sql stable as $$
  select p = any(string_to_array(coalesce(current_setting('koepel.permissions', true), ''), ','))
$$;
-- True when this transaction has written an audit record about the citizen (set by the audit trigger),
-- or while the patient-search function runs. Rows of citizen data are invisible otherwise.
create function koepel_audited(c uuid) returns boolean language sql stable as $$
  select strpos(coalesce(current_setting('koepel.audited_citizens', true), ''), c::text) > 0
      or coalesce(current_setting('koepel.patient_search', true), '') = 'on'
$$;

grant execute on function koepel_principal_kind(), koepel_org(), koepel_citizen(), koepel_actor(),
  koepel_has_permission(text), koepel_audited(uuid) to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- Portals and organisations (directory data; readable by every principal, written by admins only)
-- ---------------------------------------------------------------------------------------------
create table portal (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9-]{2,40}$'),
  name text not null,
  theme jsonb not null default '{}'::jsonb,
  support_email text not null,
  support_phone text,
  dpo_name text not null,
  dpo_email text not null,
  privacy_statement_updated_on date not null,
  created_at timestamptz not null default now()
);

create table organisation (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  kind text not null check (kind in ('gp', 'pharmacy', 'hospital', 'physiotherapy', 'neighbourhood_team', 'municipality')),
  agb_code text,
  ura_number text,
  phone text,
  email text,
  website text,
  street text,
  postal_code text,
  city text,
  requires_totp boolean not null default true,
  functions text[] not null default '{}',
  created_at timestamptz not null default now()
);

create table portal_organisation (
  portal_id uuid not null references portal(id),
  organisation_id uuid not null references organisation(id),
  primary key (portal_id, organisation_id)
);
create index portal_organisation_org on portal_organisation (organisation_id);

-- Envelope encryption: a data key per organisation, wrapped by the master key (src/platform/crypto).
create table organisation_key (
  organisation_id uuid not null references organisation(id),
  version int not null,
  wrapped bytea not null,
  created_at timestamptz not null default now(),
  primary key (organisation_id, version)
);

-- ---------------------------------------------------------------------------------------------
-- Citizens and care relationships
-- ---------------------------------------------------------------------------------------------
create table citizen (
  id uuid primary key default gen_random_uuid(),
  bsn_index bytea not null unique,      -- HMAC-SHA256 blind index for lookup
  bsn_ciphertext bytea not null,        -- AES-256-GCM under the citizen key
  -- Name and birth date in the clear so that staff can search their own patients; the rest of the
  -- BRP snapshot (address, gender, initials...) is encrypted.
  family_name text not null,
  name_prefix text,
  given_names text not null,
  search_name text not null,            -- normalised "given names + prefix + family name"
  birth_date date not null,
  brp_ciphertext bytea not null,        -- BRP snapshot (PZ-2), JSON, under the citizen key
  brp_fetched_at timestamptz not null,
  email_ciphertext bytea,               -- supplied by the citizen (PZ-3)
  phone_ciphertext bytea,
  created_at timestamptz not null default now(),
  last_login_at timestamptz
);
create index citizen_birth_date on citizen (birth_date);

create table citizen_key (
  citizen_id uuid not null references citizen(id),
  version int not null,
  wrapped bytea not null,
  created_at timestamptz not null default now(),
  primary key (citizen_id, version)
);

create table care_relationship (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  patient_number text,
  started_on date not null default current_date,
  ended_on date,
  created_at timestamptz not null default now(),
  unique (organisation_id, citizen_id)
);
create index care_relationship_citizen on care_relationship (citizen_id);


-- ---------------------------------------------------------------------------------------------
-- Staff
-- ---------------------------------------------------------------------------------------------
create table staff_account (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (email = lower(email)),
  display_name text not null,
  password_hash text not null,
  totp_ciphertext bytea,
  totp_confirmed_at timestamptz,
  totp_last_step bigint,
  is_operator boolean not null default false,
  disabled_at timestamptz,
  sessions_valid_after timestamptz not null default now(),
  created_at timestamptz not null default now()
);

create table membership (
  staff_id uuid not null references staff_account(id),
  organisation_id uuid not null references organisation(id),
  role text not null check (role in ('doctor', 'assistant', 'pharmacist', 'therapist', 'social_worker', 'admin', 'privacy_officer')),
  permissions text[] not null default '{}',
  created_at timestamptz not null default now(),
  primary key (staff_id, organisation_id)
);
create index membership_org on membership (organisation_id);

-- ---------------------------------------------------------------------------------------------
-- Sessions, throttling and alerts (only the 'system' principal touches these)
-- ---------------------------------------------------------------------------------------------
create table session (
  token_hash bytea primary key,
  kind text not null check (kind in ('anonymous', 'citizen', 'staff')),
  citizen_id uuid references citizen(id),
  staff_id uuid references staff_account(id),
  organisation_id uuid references organisation(id),
  portal_id uuid references portal(id),
  csrf_token text not null,
  state jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  absolute_expires_at timestamptz not null,
  ended_at timestamptz
);
create index session_citizen on session (citizen_id) where citizen_id is not null;
create index session_staff on session (staff_id) where staff_id is not null;

create table login_throttle (
  key text primary key,                 -- 'account:<hmac>' or 'address:<hmac>': no e-mail or IP in the clear
  failures int not null default 0,
  window_started_at timestamptz not null default now(),
  blocked_until timestamptz
);

create table security_alert (
  id uuid primary key default gen_random_uuid(),
  occurred_at timestamptz not null default now(),
  kind text not null,
  subject text not null,                -- the throttle key (pseudonymous)
  detail text not null,
  acknowledged_at timestamptz
);

-- ---------------------------------------------------------------------------------------------
-- NEN 7513 audit log: append-only, hash-chained.
-- ---------------------------------------------------------------------------------------------
create table audit_log (
  id bigint generated always as identity primary key,
  chain_id smallint not null,
  seq bigint not null,
  occurred_at timestamptz not null,
  event_code text not null,
  action char(1) not null check (action in ('C', 'R', 'U', 'D', 'E')),
  outcome text not null check (outcome in ('success', 'failure', 'denied')),
  actor_type text not null check (actor_type in ('citizen', 'staff', 'operator', 'client', 'system', 'anonymous')),
  actor_id uuid,
  actor_role text,
  actor_organisation_id uuid,
  on_behalf_of text,
  citizen_id uuid,
  resource_type text,
  resource_id text,
  client_address text,
  user_agent text,
  request_id text,
  reason text,
  prev_hash bytea not null,
  hash bytea not null,
  unique (chain_id, seq)
);
create index audit_log_citizen on audit_log (citizen_id, occurred_at) where citizen_id is not null;
create index audit_log_org on audit_log (actor_organisation_id, occurred_at) where actor_organisation_id is not null;

-- Several chains keep concurrent writers from queueing on one head; each chain is verified on its own.
create table audit_chain_head (
  chain_id smallint primary key,
  last_seq bigint not null,
  last_hash bytea not null
);
insert into audit_chain_head (chain_id, last_seq, last_hash)
  select g, 0, sha256(convert_to('koepel-audit-genesis-' || g, 'UTF8')) from generate_series(0, 15) g;

-- The canonical text of a record. src/platform/audit/verify.ts rebuilds the same text independently.
create function koepel_audit_field(v text) returns text language sql immutable as $$
  select case when v is null then '-' else octet_length(v)::text || ':' || v end
$$;

create function koepel_audit_chain() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
declare
  head audit_chain_head;
  canonical text;
begin
  new.chain_id := pg_backend_pid() % 16;
  new.occurred_at := date_trunc('milliseconds', clock_timestamp());
  select * into head from audit_chain_head where chain_id = new.chain_id for update;
  new.seq := head.last_seq + 1;
  new.prev_hash := head.last_hash;
  canonical := concat_ws('|',
    koepel_audit_field(new.chain_id::text), koepel_audit_field(new.seq::text),
    koepel_audit_field(((extract(epoch from new.occurred_at) * 1000)::bigint)::text),
    koepel_audit_field(new.event_code), koepel_audit_field(new.action::text), koepel_audit_field(new.outcome),
    koepel_audit_field(new.actor_type), koepel_audit_field(new.actor_id::text), koepel_audit_field(new.actor_role),
    koepel_audit_field(new.actor_organisation_id::text), koepel_audit_field(new.on_behalf_of),
    koepel_audit_field(new.citizen_id::text), koepel_audit_field(new.resource_type), koepel_audit_field(new.resource_id),
    koepel_audit_field(new.client_address), koepel_audit_field(new.user_agent), koepel_audit_field(new.request_id),
    koepel_audit_field(new.reason));
  new.hash := sha256(new.prev_hash || convert_to(canonical, 'UTF8'));
  update audit_chain_head set last_seq = new.seq, last_hash = new.hash where chain_id = new.chain_id;
  -- Reading a citizen's rows in this transaction now becomes possible (see koepel_audited).
  if new.citizen_id is not null and new.outcome = 'success' then
    perform set_config('koepel.audited_citizens',
      coalesce(current_setting('koepel.audited_citizens', true), '') || new.citizen_id::text || ',', true);
  end if;
  return new;
end $$;

create trigger audit_log_chain before insert on audit_log for each row execute function koepel_audit_chain();

create function koepel_audit_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_no_update before update or delete on audit_log for each row execute function koepel_audit_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function koepel_audit_refuse_change();

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
alter table organisation enable row level security;
alter table organisation force row level security;
create policy organisation_read on organisation for select using (true);

alter table portal_organisation enable row level security;
alter table portal_organisation force row level security;
create policy portal_organisation_read on portal_organisation for select using (true);

alter table organisation_key enable row level security;
alter table organisation_key force row level security;
create policy organisation_key_own on organisation_key
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org())
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org());

alter table care_relationship enable row level security;
alter table care_relationship force row level security;
create policy care_relationship_staff on care_relationship
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
         and (ended_on is null or ended_on > current_date)) -- an ended relationship hides the citizen (PZ-4)
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org());
create policy care_relationship_citizen on care_relationship for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());

alter table citizen enable row level security;
alter table citizen force row level security;
create policy citizen_self on citizen
  using (koepel_principal_kind() = 'citizen' and id = koepel_citizen() and koepel_audited(id))
  with check (koepel_principal_kind() = 'citizen' and id = koepel_citizen());
create policy citizen_staff_read on citizen for select
  using (koepel_principal_kind() = 'staff' and koepel_audited(id)
         and exists (select 1 from care_relationship r where r.citizen_id = citizen.id));
-- The login flow finds a citizen by blind index before anyone is logged in: it may see only the id and index
-- (the app selects nothing else, and every other column is encrypted or ordinary BRP data).
create policy citizen_login_lookup on citizen for select
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'citizen-login');

alter table citizen_key enable row level security;
alter table citizen_key force row level security;
create policy citizen_key_self on citizen_key
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());
create policy citizen_key_staff on citizen_key for select
  using (koepel_principal_kind() = 'staff' and koepel_audited(citizen_id)
         and exists (select 1 from care_relationship r where r.citizen_id = citizen_key.citizen_id));

alter table staff_account enable row level security;
alter table staff_account force row level security;
create policy staff_account_system on staff_account
  using (koepel_principal_kind() = 'system') with check (koepel_principal_kind() = 'system');
create policy staff_account_self on staff_account
  using (koepel_principal_kind() in ('staff', 'operator') and id = koepel_actor())
  with check (koepel_principal_kind() in ('staff', 'operator') and id = koepel_actor());
create policy staff_account_colleagues on staff_account for select
  using (koepel_principal_kind() = 'staff'
         and exists (select 1 from membership m where m.staff_id = staff_account.id and m.organisation_id = koepel_org()));

alter table membership enable row level security;
alter table membership force row level security;
create policy membership_system on membership for select using (koepel_principal_kind() = 'system');
create policy membership_org on membership for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org());

alter table session enable row level security;
alter table session force row level security;
create policy session_system on session
  using (koepel_principal_kind() = 'system') with check (koepel_principal_kind() = 'system');

alter table login_throttle enable row level security;
alter table login_throttle force row level security;
create policy login_throttle_system on login_throttle
  using (koepel_principal_kind() = 'system') with check (koepel_principal_kind() = 'system');

alter table security_alert enable row level security;
alter table security_alert force row level security;
create policy security_alert_system on security_alert
  using (koepel_principal_kind() = 'system') with check (koepel_principal_kind() = 'system');
create policy security_alert_operator on security_alert
  using (koepel_principal_kind() = 'operator') with check (koepel_principal_kind() = 'operator');

alter table audit_log enable row level security;
alter table audit_log force row level security;
-- Nobody writes a record in someone else's name.
create policy audit_log_insert on audit_log for insert
  with check (actor_id is not distinct from koepel_actor());
create policy audit_log_citizen on audit_log for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());
create policy audit_log_org on audit_log for select
  using (koepel_principal_kind() = 'staff' and actor_organisation_id = koepel_org() and koepel_has_permission('audit:read'));
create policy audit_log_system on audit_log for select
  using (koepel_principal_kind() in ('system', 'operator') and current_setting('koepel.purpose', true) = 'audit-verify');

-- ---------------------------------------------------------------------------------------------
-- Grants: the app role reads and writes what its policies allow; the audit log is INSERT + SELECT only.
-- ---------------------------------------------------------------------------------------------
grant select on portal to koepel_app;
grant select on organisation, portal_organisation to koepel_app;
grant select, insert on organisation_key, citizen_key to koepel_app;
grant select, insert, update on citizen, care_relationship to koepel_app;
grant select, insert, update on staff_account to koepel_app;
grant select on membership to koepel_app;
grant select, insert, update, delete on session, login_throttle to koepel_app;
grant select, insert, update on security_alert to koepel_app;
grant select, insert on audit_log to koepel_app;
grant select on audit_chain_head to koepel_app; -- read-only: the verifier compares chain heads
