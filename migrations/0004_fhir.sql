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
