-- Ingestion speed (issue 3 benchmark), with the rules unchanged or tighter.

-- 1. The two patient-matching functions (0003, 0004) as PL/pgSQL. A SQL function with a SET clause is never inlined
--    and its query is planned again on every call (1.6 ms of every bundle on the bench); PL/pgSQL keeps the plan for
--    the life of the connection. Same queries, same SET clause, same grants.
create or replace function koepel_match_patient(index bytea) returns uuid
language plpgsql stable
set koepel.patient_search = 'on'
as $$
declare
  matched uuid;
begin
  select c.id into matched
  from care_relationship r
  join citizen c on c.id = r.citizen_id
  where koepel_org_principal() and c.bsn_index = index
  limit 1;
  return matched;
end $$;

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
    and exists (select 1 from care_relationship c
                where c.citizen_id = r.citizen_id and c.organisation_id = r.organisation_id)
  limit 1;
end $$;

-- 2. Events come from the database, not from the application. Every new record resource, and every resource whose
--    content changed, becomes a row in record_event in the same statement (a statement trigger over the transition
--    table: one insert per write, not one per row). The Patient resource itself is nobody's news.
--    Before, the application inserted the events and the insert policy checked each row against record_resource
--    (a sub-select under that table's own policy): 3.6 ms of every 20-resource bundle. Now a client cannot insert an
--    event at all except through this trigger (pg_trigger_depth() > 0), so an event can no longer be made up: it
--    always follows a row that passed record_resource's own WITH CHECK (own organisation, audited, active patient).
--    (Not security definer: it runs as the writing client, under record_event's policy. Only clients write
--    record_resource; any other writer — an import as the owner, say — must satisfy that policy too.)
create function koepel_record_events() returns trigger language plpgsql set search_path = public, pg_temp as $$
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
    select n.organisation_id, n.citizen_id, n.category, 'record.changed', n.id
    from new_rows n
    join old_rows o on o.id = n.id
    where n.resource_type <> 'Patient' and n.content_mac <> o.content_mac;
  end if;
  return null;
end $$;

create trigger record_resource_events_insert after insert on record_resource
  referencing new table as new_rows
  for each statement execute function koepel_record_events();
create trigger record_resource_events_update after update on record_resource
  referencing old table as old_rows new table as new_rows
  for each statement execute function koepel_record_events();

drop policy record_event_client on record_event;
create policy record_event_client on record_event for insert
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and pg_trigger_depth() > 0);
