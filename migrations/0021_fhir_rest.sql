-- Issue 11 §4: FHIR REST as a provider system expects it. Logical ids, versions kept, soft delete.
--
-- 1. The id model. A provider system names its resources in its own id space: the id it sent (PUT {type}/{id}, or
--    resource.id / the PUT url inside a Bundle), or for a POST without id an id Koepel assigns (the row id; for a
--    Patient the citizen's Koepel id, the id every stored patient reference uses). logical_id keeps it, unique per
--    organisation and type. The source key (identifier first, else `id|<logical id>`) stays: a re-send by identifier
--    still finds the resource. One Patient row per organisation and citizen.
-- 2. Versions. Before a row changes version, the old version is copied to a history table (a trigger: every writer
--    is covered). The ciphertext is copied as it is (its AAD names the row, organisation and citizen, which never
--    change), so no extra encryption is needed.
-- 3. Delete. A provider's DELETE marks the row (deleted_at) and counts a version. Citizens and staff never see a
--    deleted row (row-level security); the provider's own client still does, so a later read answers 410 Gone and a
--    re-send revives it as a new version. The audit trail keeps everything.

alter table record_resource add column logical_id text check (logical_id ~ '^[A-Za-z0-9.-]{1,64}$');
alter table record_resource add column deleted_at timestamptz;
alter table directory_resource add column logical_id text check (logical_id ~ '^[A-Za-z0-9.-]{1,64}$');
alter table directory_resource add column deleted_at timestamptz;

-- Rows written before: the id they were sent under where the source key keeps it; a Patient otherwise the citizen's
-- id (the first row per organisation and citizen); anything else its Koepel id (the id the old Locations named).
update record_resource r set logical_id = case
    when r.source_key ~ '^id\|[A-Za-z0-9.-]{1,64}$' then substr(r.source_key, 4)
    when r.resource_type = 'Patient' and not exists (
      select 1 from record_resource o where o.organisation_id = r.organisation_id and o.resource_type = 'Patient'
        and o.citizen_id = r.citizen_id and o.id < r.id) then r.citizen_id::text
    else r.id::text end;
update directory_resource d set logical_id = case
    when d.source_key ~ '^id\|[A-Za-z0-9.-]{1,64}$' then substr(d.source_key, 4)
    else d.id::text end;

-- Writers that do not name a logical id (imports, the demo seed) get the same default.
create function koepel_default_logical_id() returns trigger language plpgsql as $$
begin
  if new.logical_id is null then
    new.logical_id := case
      when new.source_key ~ '^id\|[A-Za-z0-9.-]{1,64}$' then substr(new.source_key, 4)
      when new.resource_type = 'Patient' then new.citizen_id::text
      else new.id::text end;
  end if;
  return new;
end $$;
create function koepel_default_directory_logical_id() returns trigger language plpgsql as $$
begin
  if new.logical_id is null then
    new.logical_id := case
      when new.source_key ~ '^id\|[A-Za-z0-9.-]{1,64}$' then substr(new.source_key, 4)
      else new.id::text end;
  end if;
  return new;
end $$;
-- (WHEN: the FHIR write API names every logical id, and pays nothing for the trigger.)
create trigger record_resource_logical_id before insert on record_resource
  for each row when (new.logical_id is null) execute function koepel_default_logical_id();
create trigger directory_resource_logical_id before insert on directory_resource
  for each row when (new.logical_id is null) execute function koepel_default_directory_logical_id();

alter table record_resource alter column logical_id set not null;
alter table directory_resource alter column logical_id set not null;
create unique index record_resource_logical on record_resource (organisation_id, resource_type, logical_id);
create unique index directory_resource_logical on directory_resource (organisation_id, resource_type, logical_id);
create unique index record_resource_patient_once on record_resource (organisation_id, citizen_id)
  where resource_type = 'Patient';

-- ---------------------------------------------------------------------------------------------
-- History: every version but the current one.
-- ---------------------------------------------------------------------------------------------
create table record_resource_history (
  resource_id uuid not null references record_resource(id),
  version int not null,
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  resource_type text not null,
  logical_id text not null,
  content_mac bytea not null,
  ciphertext bytea not null,            -- as in record_resource (same AAD: the row, organisation and citizen)
  deleted boolean not null,
  written_by uuid references api_client(id),
  recorded_at timestamptz not null,     -- when this version was written
  primary key (resource_id, version)
);

create table directory_resource_history (
  resource_id uuid not null references directory_resource(id),
  version int not null,
  organisation_id uuid not null references organisation(id),
  resource_type text not null,
  logical_id text not null,
  resource jsonb not null,
  deleted boolean not null,
  written_by uuid references api_client(id),
  recorded_at timestamptz not null,
  primary key (resource_id, version)
);

create function koepel_record_history() returns trigger language plpgsql set search_path = public, pg_temp as $$
begin
  if new.version <> old.version then
    insert into record_resource_history (resource_id, version, organisation_id, citizen_id, resource_type, logical_id,
                                         content_mac, ciphertext, deleted, written_by, recorded_at)
    values (old.id, old.version, old.organisation_id, old.citizen_id, old.resource_type, old.logical_id,
            old.content_mac, old.ciphertext, old.deleted_at is not null, old.written_by, old.updated_at);
  end if;
  return new;
end $$;
create trigger record_resource_history before update on record_resource
  for each row when (old.version is distinct from new.version) execute function koepel_record_history();

create function koepel_directory_history() returns trigger language plpgsql set search_path = public, pg_temp as $$
begin
  if new.version <> old.version then
    insert into directory_resource_history (resource_id, version, organisation_id, resource_type, logical_id,
                                            resource, deleted, written_by, recorded_at)
    values (old.id, old.version, old.organisation_id, old.resource_type, old.logical_id,
            old.resource, old.deleted_at is not null, old.written_by, old.updated_at);
  end if;
  return new;
end $$;
create trigger directory_resource_history before update on directory_resource
  for each row when (old.version is distinct from new.version) execute function koepel_directory_history();

-- Only the organisation's own API client reads its history (staff and citizens see current versions only), and
-- only the triggers write it.
alter table record_resource_history enable row level security;
alter table record_resource_history force row level security;
create policy record_resource_history_client on record_resource_history
  using (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id))
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id)
              and pg_trigger_depth() > 0);
alter table directory_resource_history enable row level security;
alter table directory_resource_history force row level security;
create policy directory_resource_history_client on directory_resource_history
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org())
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and pg_trigger_depth() > 0);
grant select, insert on record_resource_history, directory_resource_history to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- Deleted rows: hidden from citizens and staff; the organisation's client still sees them (410, revive).
-- ---------------------------------------------------------------------------------------------
drop policy record_resource_org on record_resource;
create policy record_resource_org on record_resource
  using ((select koepel_org_principal()) and koepel_org_reads(organisation_id, citizen_id)
         and (deleted_at is null or (select koepel_principal_kind()) = 'client'))
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id));
drop policy record_resource_citizen on record_resource;
create policy record_resource_citizen on record_resource for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and category <> 'patient' and deleted_at is null
         and (organisation_id::text || ':' || category) = any ((select koepel_citizen_visible())::text[]));

-- Attachments follow their resource (the sub-select runs under the reader's own policies on record_resource).
drop policy record_attachment_org on record_attachment;
create policy record_attachment_org on record_attachment for select
  using (koepel_org_reads(organisation_id, citizen_id)
         and exists (select 1 from record_resource rr where rr.id = record_attachment.resource_id));

drop policy directory_resource_org on directory_resource;
create policy directory_resource_org on directory_resource
  using (koepel_org_principal() and organisation_id = koepel_org()
         and (deleted_at is null or koepel_principal_kind() = 'client'))
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org());
drop policy directory_resource_citizen on directory_resource;
create policy directory_resource_citizen on directory_resource for select
  using (koepel_principal_kind() = 'citizen' and deleted_at is null and koepel_citizen_sees(organisation_id, 'careteam'));

-- An event about a resource that was deleted since is no longer the citizen's news.
drop policy record_event_citizen on record_event;
create policy record_event_citizen on record_event for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and (organisation_id::text || ':' || category) = any ((select koepel_citizen_visible())::text[])
         and (resource_id is null
              or exists (select 1 from record_resource rr where rr.id = record_event.resource_id)));

-- Events (0010): a deletion is nobody's news; a resource re-sent after its deletion is new again.
create or replace function koepel_record_events() returns trigger language plpgsql set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    insert into record_event (organisation_id, citizen_id, category, kind, resource_id)
    select n.organisation_id, n.citizen_id, n.category,
           case n.resource_type
             when 'Observation' then 'result.new'
             when 'DocumentReference' then 'document.new'
             else 'record.new'
           end,
           n.id
    from new_rows n
    where n.resource_type <> 'Patient';
  else
    insert into record_event (organisation_id, citizen_id, category, kind, resource_id)
    select n.organisation_id, n.citizen_id, n.category,
           case
             when o.deleted_at is null then 'record.changed'
             when n.resource_type = 'Observation' then 'result.new'
             when n.resource_type = 'DocumentReference' then 'document.new'
             else 'record.new'
           end,
           n.id
    from new_rows n
    join old_rows o on o.id = n.id
    where n.resource_type <> 'Patient' and n.deleted_at is null
      and (n.content_mac <> o.content_mac or o.deleted_at is not null);
  end if;
  return null;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Finding a resource by the provider's own names, before the citizen is known (and audited). Like
-- koepel_match_source_patient (0004): the client's own organisation only, only while the care relationship is active
-- (the relationship's policy hides ended ones), and nothing but ids, version and state.
-- ---------------------------------------------------------------------------------------------

-- By logical id. A Patient is also found by its citizen's id: the id every stored patient reference names.
create function koepel_locate_resource(rtype text, logical text)
returns table (citizen_id uuid, resource_id uuid, logical_id text, version int, deleted boolean)
language plpgsql stable
set koepel.patient_search = 'on'
as $$
begin
  return query
  select r.citizen_id, r.id, r.logical_id, r.version, r.deleted_at is not null
  from record_resource r
  where koepel_principal_kind() = 'client' and r.organisation_id = koepel_org()
    and r.resource_type = rtype and r.logical_id = logical
    and exists (select 1 from care_relationship c
                where c.citizen_id = r.citizen_id and c.organisation_id = r.organisation_id)
  limit 1;
  if not found and rtype = 'Patient'
     and logical ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return query
    select r.citizen_id, r.id, r.logical_id, r.version, r.deleted_at is not null
    from record_resource r
    where koepel_principal_kind() = 'client' and r.organisation_id = koepel_org()
      and r.resource_type = 'Patient' and r.citizen_id = logical::uuid
      and exists (select 1 from care_relationship c
                  where c.citizen_id = r.citizen_id and c.organisation_id = r.organisation_id)
    limit 1;
  end if;
end $$;
revoke all on function koepel_locate_resource(text, text) from public;
grant execute on function koepel_locate_resource(text, text) to koepel_app;

-- By source key (a conditional create: If-None-Exist: identifier=system|value).
create function koepel_locate_source(rtype text, key text)
returns table (citizen_id uuid, resource_id uuid, logical_id text, version int, deleted boolean)
language plpgsql stable
set koepel.patient_search = 'on'
as $$
begin
  return query
  select r.citizen_id, r.id, r.logical_id, r.version, r.deleted_at is not null
  from record_resource r
  where koepel_principal_kind() = 'client' and r.organisation_id = koepel_org()
    and r.resource_type = rtype and r.source_key = key
    and exists (select 1 from care_relationship c
                where c.citizen_id = r.citizen_id and c.organisation_id = r.organisation_id)
  limit 1;
end $$;
revoke all on function koepel_locate_source(text, text) from public;
grant execute on function koepel_locate_source(text, text) to koepel_app;

-- `Patient/{id}` in a resource: the Patient this organisation sent under that id (or its citizen's id); a deleted
-- Patient no longer names anyone.
create or replace function koepel_match_source_patient(key text) returns table (citizen_id uuid, resource_id uuid)
language plpgsql stable
set koepel.patient_search = 'on'
as $$
begin
  return query
  select r.citizen_id, r.id
  from record_resource r
  where koepel_principal_kind() = 'client'
    and r.organisation_id = koepel_org()
    and r.resource_type = 'Patient'
    and r.source_key = key
    and r.deleted_at is null
    and exists (select 1 from care_relationship c
                where c.citizen_id = r.citizen_id and c.organisation_id = r.organisation_id)
  limit 1;
end $$;

create function koepel_match_patient_id(logical text) returns table (citizen_id uuid, resource_id uuid)
language plpgsql stable
set koepel.patient_search = 'on'
as $$
begin
  return query
  select l.citizen_id, l.resource_id from koepel_locate_resource('Patient', logical) l where not l.deleted;
end $$;
revoke all on function koepel_match_patient_id(text) from public;
grant execute on function koepel_match_patient_id(text) to koepel_app;

-- When a write fails on the unique logical id: which of the client's resources it was (positions, 1-based), as
-- koepel_source_keys_taken (0004) does for source keys.
create function koepel_logical_ids_taken(types text[], ids text[], citizens uuid[]) returns setof int
language sql stable
set koepel.patient_search = 'on'
as $$
  select w.n::int
  from unnest(types, ids, citizens) with ordinality as w(resource_type, logical_id, citizen_id, n)
  where koepel_principal_kind() = 'client'
    and exists (select 1 from record_resource r
                where r.organisation_id = koepel_org() and r.resource_type = w.resource_type
                  and r.logical_id = w.logical_id and r.citizen_id <> w.citizen_id)
$$;
revoke all on function koepel_logical_ids_taken(text[], text[], uuid[]) from public;
grant execute on function koepel_logical_ids_taken(text[], text[], uuid[]) to koepel_app;
