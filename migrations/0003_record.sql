-- The combined record (issue 3): provider systems push FHIR resources in through API clients; citizens read
-- what each organisation makes available; staff see only what their own organisation holds (MG-4).
--
-- New principal kind 'client': an organisation's API client (OAuth2 client credentials). It acts for exactly one
-- organisation (koepel.organisation_id) and, like staff, sees a citizen's rows only after auditing them and only
-- while a care relationship with its organisation is active (PZ-4).
-- Citizens now also carry their portal (koepel.portal_id): they see an organisation's record only while that
-- organisation is in their portal and their relationship with it is active.

create function koepel_portal() returns uuid language sql stable as $$
  select nullif(current_setting('koepel.portal_id', true), '')::uuid
$$;
grant execute on function koepel_portal() to koepel_app;

-- Staff and API clients act for one organisation.
create function koepel_org_principal() returns boolean language sql stable as $$
  select koepel_principal_kind() in ('staff', 'client') and koepel_org() is not null
$$;
grant execute on function koepel_org_principal() to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- Care relationships and keys: API clients see their organisation's active relationships and data key.
-- ---------------------------------------------------------------------------------------------
drop policy care_relationship_staff on care_relationship;
create policy care_relationship_org on care_relationship
  using (koepel_org_principal() and organisation_id = koepel_org()
         and (ended_on is null or ended_on > current_date)) -- an ended relationship hides the citizen (PZ-4)
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org());

drop policy organisation_key_own on organisation_key;
create policy organisation_key_own on organisation_key
  using (koepel_org_principal() and organisation_id = koepel_org())
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org());
-- A citizen reads the data keys of the organisations whose record they are shown (to decrypt it).
create policy organisation_key_citizen on organisation_key for select
  using (koepel_principal_kind() = 'citizen'
         and exists (select 1 from care_relationship r where r.citizen_id = koepel_citizen()
                     and r.organisation_id = organisation_key.organisation_id));

-- An API client matches a Patient by BSN blind index: it may see the id of a citizen who has an active care
-- relationship with its organisation (the relationship policy above), after auditing — like staff.
create policy citizen_client_read on citizen for select
  using (koepel_principal_kind() = 'client' and koepel_audited(id)
         and exists (select 1 from care_relationship r where r.citizen_id = citizen.id));

-- Before it can audit, the client needs the citizen's id. This function returns it for a blind index, and only
-- when the calling organisation has an active relationship with that citizen: nothing else is revealed.
create function koepel_match_patient(index bytea) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select c.id
  from care_relationship r
  join citizen c on c.id = r.citizen_id
  where koepel_org_principal() and c.bsn_index = index
  limit 1
$$;
revoke all on function koepel_match_patient(bytea) from public;
grant execute on function koepel_match_patient(bytea) to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- What an organisation makes available (MG-1), per category; a citizen may ask for more (MG-7).
-- ---------------------------------------------------------------------------------------------
alter table organisation add column record_categories text[] not null
  default '{appointments,episodes,sensitivities,lab,documents,medication,careteam}';
-- The admin changes the categories of their own organisation only (a column-level grant keeps the rest read-only).
create policy organisation_admin_update on organisation for update
  using (koepel_principal_kind() = 'staff' and id = koepel_org() and koepel_has_permission('admin:organisation'))
  with check (koepel_principal_kind() = 'staff' and id = koepel_org() and koepel_has_permission('admin:organisation'));
grant update (record_categories) on organisation to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- API clients of an organisation (OAuth2 client credentials) and their access tokens.
-- ---------------------------------------------------------------------------------------------
create table api_client (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  name text not null check (length(name) between 1 and 100),
  client_id text not null unique check (client_id ~ '^kc_[A-Za-z0-9_-]{16,64}$'),
  secret_hash bytea not null,           -- SHA-256 of a 256-bit random secret, shown once
  created_by uuid references staff_account(id),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);
create index api_client_org on api_client (organisation_id);

create table api_token (
  token_hash bytea primary key,         -- SHA-256 of the bearer token
  api_client_id uuid not null references api_client(id),
  organisation_id uuid not null references organisation(id),
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index api_token_client on api_token (api_client_id);

alter table api_client enable row level security;
alter table api_client force row level security;
create policy api_client_admin on api_client
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:api-clients'))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:api-clients'));
create policy api_client_auth on api_client
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth');

alter table api_token enable row level security;
alter table api_token force row level security;
create policy api_token_auth on api_token
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth');
-- Revoking a client ends its tokens: the admin deletes them.
create policy api_token_admin on api_token for delete
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:api-clients'));

-- ---------------------------------------------------------------------------------------------
-- Record resources. One row per FHIR resource an organisation holds about a citizen. The resource itself is
-- encrypted under the organisation's data key (AAD binds it to its row); only what is needed to find, order and
-- de-duplicate it is in the clear: type, category, dates and the sender's identifier.
-- ---------------------------------------------------------------------------------------------
create table record_resource (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  resource_type text not null check (resource_type in ('Patient', 'Appointment', 'Condition', 'AllergyIntolerance',
    'Observation', 'DocumentReference', 'MedicationStatement', 'MedicationRequest', 'MedicationDispense', 'CareTeam')),
  category text not null check (category in ('patient', 'appointments', 'episodes', 'sensitivities', 'lab', 'documents',
    'medication', 'careteam')),
  source_key text not null check (length(source_key) between 1 and 300), -- the sender's identifier: "system|value" or "id|<logical id>"
  effective_at timestamptz,             -- when it happened (appointment start, result date, ...), for ordering
  content_mac bytea not null,           -- HMAC of the resource under a key derived from the organisation key: detects re-sends without change
  ciphertext bytea not null,
  version int not null default 1,
  written_by uuid references api_client(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organisation_id, resource_type, source_key)
);
create index record_resource_citizen on record_resource (citizen_id, category, effective_at);
create index record_resource_org_citizen on record_resource (organisation_id, citizen_id);

-- Attachments of DocumentReferences (PDF, text), encrypted under the organisation key.
create table record_attachment (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references record_resource(id),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  position int not null,                -- index in DocumentReference.content
  content_type text not null,
  byte_size int not null,
  ciphertext bytea not null,
  created_at timestamptz not null default now(),
  unique (resource_id, position)
);
create index record_attachment_citizen on record_attachment (citizen_id);

-- Practitioners and their roles belong to the organisation, not to a citizen (the care team refers to them).
create table directory_resource (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  resource_type text not null check (resource_type in ('Practitioner', 'PractitionerRole')),
  source_key text not null check (length(source_key) between 1 and 300),
  resource jsonb not null,
  updated_at timestamptz not null default now(),
  unique (organisation_id, resource_type, source_key)
);

-- A category made available to one citizen on their request (MG-7), on top of the organisation's own choice.
create table record_category_grant (
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  category text not null check (category in ('appointments', 'episodes', 'sensitivities', 'lab', 'documents',
    'medication', 'careteam')),
  granted_by uuid references staff_account(id),
  granted_at timestamptz not null default now(),
  primary key (organisation_id, citizen_id, category)
);
create index record_category_grant_citizen on record_category_grant (citizen_id);

-- The citizen's request to make more of their record available (MG-7), handled by the organisation's staff.
create table record_access_request (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  categories text[] not null check (cardinality(categories) between 1 and 7),
  note_ciphertext bytea,                -- the citizen's explanation, under the organisation key
  status text not null default 'open' check (status in ('open', 'granted', 'declined')),
  response_ciphertext bytea,            -- the organisation's answer, under the organisation key
  created_at timestamptz not null default now(),
  handled_at timestamptz,
  handled_by uuid references staff_account(id)
);
create index record_access_request_org on record_access_request (organisation_id, status, created_at);
create index record_access_request_citizen on record_access_request (citizen_id, created_at);

-- Something the citizen should hear about. The notifications capability sends e-mail from this table; it holds
-- codes only, never medical content.
create table record_event (
  id bigint generated always as identity primary key,
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  category text not null,
  kind text not null check (kind in ('result.new', 'document.new', 'record.new', 'record.changed')),
  resource_id uuid references record_resource(id),
  created_at timestamptz not null default now(),
  processed_at timestamptz
);
create index record_event_pending on record_event (created_at) where processed_at is null;
create index record_event_citizen on record_event (citizen_id, created_at);

-- "New since your last visit": the previous login is kept when a new one starts.
alter table citizen add column previous_login_at timestamptz;

-- ---------------------------------------------------------------------------------------------
-- What a citizen is shown: organisations of their portal with an active relationship, in the categories that
-- organisation offers or has granted this citizen.
-- ---------------------------------------------------------------------------------------------
create function koepel_citizen_sees(org uuid, cat text) returns boolean language sql stable as $$
  select koepel_principal_kind() = 'citizen'
     and exists (
       select 1 from care_relationship r
       join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
       where r.citizen_id = koepel_citizen() and r.organisation_id = org
         and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date))
     and (exists (select 1 from organisation o where o.id = org and cat = any(o.record_categories))
          or exists (select 1 from record_category_grant g
                     where g.organisation_id = org and g.citizen_id = koepel_citizen() and g.category = cat))
$$;
grant execute on function koepel_citizen_sees(uuid, text) to koepel_app;

-- An organisation principal sees a citizen's rows of its own organisation, after auditing, while the care
-- relationship is active; staff also need the right to read records.
create function koepel_org_reads(org uuid, c uuid) returns boolean language sql stable as $$
  select koepel_org_principal() and org = koepel_org() and koepel_audited(c)
     and (koepel_principal_kind() = 'client' or koepel_has_permission('record:read'))
     and exists (select 1 from care_relationship r where r.citizen_id = c and r.organisation_id = org)
$$;
grant execute on function koepel_org_reads(uuid, uuid) to koepel_app;

alter table record_resource enable row level security;
alter table record_resource force row level security;
create policy record_resource_org on record_resource
  using (koepel_org_reads(organisation_id, citizen_id))
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id));
create policy record_resource_citizen on record_resource for select
  using (citizen_id = koepel_citizen() and koepel_audited(citizen_id) and category <> 'patient'
         and koepel_citizen_sees(organisation_id, category));

alter table record_attachment enable row level security;
alter table record_attachment force row level security;
create policy record_attachment_org on record_attachment
  using (koepel_org_reads(organisation_id, citizen_id))
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id));
create policy record_attachment_citizen on record_attachment for select
  using (citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and exists (select 1 from record_resource rr where rr.id = record_attachment.resource_id));

alter table directory_resource enable row level security;
alter table directory_resource force row level security;
create policy directory_resource_org on directory_resource
  using (koepel_org_principal() and organisation_id = koepel_org())
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org());
create policy directory_resource_citizen on directory_resource for select
  using (koepel_principal_kind() = 'citizen' and koepel_citizen_sees(organisation_id, 'careteam'));

alter table record_category_grant enable row level security;
alter table record_category_grant force row level security;
create policy record_category_grant_org on record_category_grant
  using (koepel_org_principal() and organisation_id = koepel_org() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_audited(citizen_id)
              and koepel_has_permission('record:requests'));
create policy record_category_grant_citizen on record_category_grant for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());

alter table record_access_request enable row level security;
alter table record_access_request force row level security;
create policy record_access_request_staff on record_access_request
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('record:requests')
         and exists (select 1 from care_relationship r where r.citizen_id = record_access_request.citizen_id
                     and r.organisation_id = record_access_request.organisation_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('record:requests'));
create policy record_access_request_citizen on record_access_request
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen())
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and status = 'open'
              and exists (select 1 from care_relationship r
                          join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
                          where r.citizen_id = koepel_citizen() and r.organisation_id = record_access_request.organisation_id
                            and (r.ended_on is null or r.ended_on > current_date)));

alter table record_event enable row level security;
alter table record_event force row level security;
create policy record_event_client on record_event for insert
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id));
create policy record_event_citizen on record_event for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());
create policy record_event_notifications on record_event
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'notifications')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'notifications');

-- The citizen's own view of the audit log names who looked: the display names of staff members who appear in
-- the calling citizen's own records, and nothing else (staff_account is otherwise closed to citizens).
create function koepel_audit_actor_names(ids uuid[]) returns table (id uuid, display_name text)
language sql stable security definer set search_path = public, pg_temp as $$
  select a.id, a.display_name
  from staff_account a
  where koepel_principal_kind() = 'citizen'
    and a.id = any(ids)
    and exists (select 1 from audit_log l where l.citizen_id = koepel_citizen() and l.actor_id = a.id)
$$;
revoke all on function koepel_audit_actor_names(uuid[]) from public;
grant execute on function koepel_audit_actor_names(uuid[]) to koepel_app;

grant select, insert, update on api_client to koepel_app;
grant select, insert, delete on api_token to koepel_app;
grant select, insert, update on record_resource, record_attachment, directory_resource to koepel_app;
grant select, insert on record_category_grant to koepel_app;
grant select, insert, update on record_access_request to koepel_app;
grant select, insert, update on record_event to koepel_app;

-- New rights (ZL-10): reading records and handling record requests for care roles; API clients for admins.
update membership set permissions = array(select distinct unnest(permissions || '{record:read,record:requests}'::text[]))
  where role in ('doctor', 'assistant', 'pharmacist', 'therapist', 'social_worker');
update membership set permissions = array(select distinct unnest(permissions || '{admin:api-clients}'::text[]))
  where role = 'admin';
