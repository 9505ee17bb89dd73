-- FHIR ingestion (issue 3, "Data in"): what the FHIR write API needs beyond migration 0003.

-- A provider system refers to a patient it sent before by its own logical id ("Patient/123"). The client cannot
-- read record_resource before auditing the citizen, and it cannot audit before it knows who the citizen is. Like
-- koepel_match_patient, this function answers that one question and nothing else: the citizen (and the resource
-- id) of the calling organisation's Patient resource with this source key, and only while the care relationship
-- is active (PZ-4; the relationship's own policy hides ended relationships).
create function koepel_match_source_patient(key text) returns table (citizen_id uuid, resource_id uuid)
language sql stable
set koepel.patient_search = 'on'
as $$
  select r.citizen_id, r.id
  from record_resource r
  where koepel_principal_kind() = 'client'
    and r.organisation_id = koepel_org()
    and r.resource_type = 'Patient'
    and r.source_key = key
    and exists (select 1 from care_relationship c
                where c.citizen_id = r.citizen_id and c.organisation_id = r.organisation_id)
  limit 1
$$;
revoke all on function koepel_match_source_patient(text) from public;
grant execute on function koepel_match_source_patient(text) to koepel_app;

-- Practitioners and their roles get versions like record resources, so that a re-send without change is
-- recognised and the FHIR response can name the version (Location .../_history/{version}, ETag).
alter table directory_resource add column version int not null default 1;
alter table directory_resource add column created_at timestamptz not null default now();
alter table directory_resource add column written_by uuid references api_client(id);

-- When a write fails on the unique source key, the client is told which of its resources caused it: those whose
-- identifier (type and source key) is already used at its own organisation for another patient. Answers positions
-- in the given arrays (1-based), nothing else; rows of patients whose relationship ended stay invisible.
create function koepel_source_keys_taken(types text[], keys text[], citizens uuid[]) returns setof int
language sql stable
set koepel.patient_search = 'on'
as $$
  select w.n::int
  from unnest(types, keys, citizens) with ordinality as w(resource_type, source_key, citizen_id, n)
  where koepel_principal_kind() = 'client'
    and exists (select 1 from record_resource r
                where r.organisation_id = koepel_org() and r.resource_type = w.resource_type
                  and r.source_key = w.source_key and r.citizen_id <> w.citizen_id)
$$;
revoke all on function koepel_source_keys_taken(text[], text[], uuid[]) from public;
grant execute on function koepel_source_keys_taken(text[], text[], uuid[]) to koepel_app;
