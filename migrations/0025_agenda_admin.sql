-- Issue 12, the organisation's side of the agenda (src/agenda).
--
-- An organisation's admin (admin:organisation) names its out-of-hours service (huisartsenpost) for the booking
-- page's emergency notice and chooses which agenda it uses. The update policy organisation_admin_update (0003)
-- already limits updates to the own organisation and to admin:organisation; the column grant of 0003 let the app
-- change only record_categories, so these three columns are added to it and every other column stays read-only.
grant update (out_of_hours_name, out_of_hours_phone, agenda) on organisation to koepel_app;

-- The staff agenda of one employee (or the whole practice when staff is null): whose appointments are in a range,
-- ids only, so that the page audits a read of exactly the citizens it will show before it reads their rows (ZL-1).
-- koepel_agenda_citizens (0023) does the same for the whole practice; filtering by employee here keeps the audit
-- log from naming citizens the employee did not see (and appointments in an organisation's own system's slots,
-- which have no employee, are not in this agenda). Row-level security still limits it to the own organisation
-- and to employees with agenda:read (policy appointment_staff).
create function koepel_agenda_citizens_of(from_ts timestamptz, to_ts timestamptz, staff uuid)
returns table (citizen_id uuid)
language sql stable
set koepel.patient_search = 'on'
as $$
  select distinct p.citizen_id from appointment p
  where koepel_principal_kind() = 'staff' and p.during && tstzrange(from_ts, to_ts, '[)')
    and p.staff_id is not null and (staff is null or p.staff_id = staff)
$$;
revoke all on function koepel_agenda_citizens_of(timestamptz, timestamptz, uuid) from public;
grant execute on function koepel_agenda_citizens_of(timestamptz, timestamptz, uuid) to koepel_app;
