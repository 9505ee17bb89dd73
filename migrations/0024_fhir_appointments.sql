-- Issue 12, the FHIR side (MG-5): the organisation's own system (its API client) polls the appointments citizens
-- booked at the organisation, reads them as FHIR Appointments and confirms or refuses them (src/fhir/bookings.ts).
--
-- Reading an appointment row needs an audit record for its citizen first (policy appointment_client, 0023). A poll
-- does not know whose appointments changed, so it first learns the ids (appointment and citizen, nothing else) of
-- the organisation's appointments that match, audits a read of each citizen, and only then reads the rows — the
-- pattern of koepel_agenda_citizens (0023) and koepel_locate_resource (0021). Only appointments of citizens with a
-- care relationship the client still sees (care_relationship_org hides an ended one, PZ-4).

-- The organisation's appointments changed in a window of updated_at, optionally of some statuses or one citizen,
-- oldest change first; `total` is the number of matches before limit and offset.
create function koepel_client_appointments(
  after_ts timestamptz, after_inclusive boolean,
  before_ts timestamptz, before_inclusive boolean,
  statuses text[], citizen uuid, lim int, skip int)
returns table (appointment_id uuid, citizen_id uuid, total bigint)
language sql stable
set koepel.patient_search = 'on'
as $$
  select p.id, p.citizen_id, count(*) over ()
  from appointment p
  where koepel_principal_kind() = 'client' and p.organisation_id = koepel_org()
    and (after_ts is null or p.updated_at > after_ts or (after_inclusive and p.updated_at = after_ts))
    and (before_ts is null or p.updated_at < before_ts or (before_inclusive and p.updated_at = before_ts))
    and (statuses is null or p.status = any (statuses))
    and (citizen is null or p.citizen_id = citizen)
    and exists (select 1 from care_relationship r
                where r.citizen_id = p.citizen_id and r.organisation_id = p.organisation_id)
  order by p.updated_at, p.id
  limit greatest(lim, 0) offset greatest(skip, 0)
$$;
revoke all on function koepel_client_appointments(timestamptz, boolean, timestamptz, boolean, text[], uuid, int, int)
  from public;
grant execute on function koepel_client_appointments(timestamptz, boolean, timestamptz, boolean, text[], uuid, int, int)
  to koepel_app;

-- Whom one appointment of the organisation is about (for a read or an update by id), or null.
create function koepel_client_appointment_citizen(appointment_id uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select p.citizen_id from appointment p
  where koepel_principal_kind() = 'client' and p.organisation_id = koepel_org() and p.id = appointment_id
    and exists (select 1 from care_relationship r
                where r.citizen_id = p.citizen_id and r.organisation_id = p.organisation_id)
$$;
revoke all on function koepel_client_appointment_citizen(uuid) from public;
grant execute on function koepel_client_appointment_citizen(uuid) to koepel_app;

-- Is one of the organisation's published slots held by an appointment (requested or booked)? Yes or no only: the
-- Slot update that would move or withdraw it is refused while it is held.
create function koepel_slot_held(slot uuid) returns boolean
language sql stable
set koepel.patient_search = 'on'
as $$
  select exists (select 1 from appointment p
                 where koepel_principal_kind() = 'client' and p.organisation_id = koepel_org()
                   and p.slot_id = slot and p.status in ('requested', 'booked'))
$$;
revoke all on function koepel_slot_held(uuid) from public;
grant execute on function koepel_slot_held(uuid) to koepel_app;
