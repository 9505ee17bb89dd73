-- Issue 11: what a citizen may read of an organisation's directory. Until now only practitioners and roles were in
-- it, shown with the care team. Now the directory also holds the organisation's Medications (MP9 sends the product
-- as its own resource), Locations and Organizations (insurers, laboratories), which the record refers to from every
-- category. So: a Medication is visible where the organisation shows the citizen its medication; the other
-- directory resources where it shows the citizen anything at all. Directory resources name no citizen; the
-- condition keeps an organisation's directory from those who have no care relationship with it.
drop policy directory_resource_citizen on directory_resource;
create policy directory_resource_citizen on directory_resource for select
  using (koepel_principal_kind() = 'citizen' and deleted_at is null and (
    case when resource_type = 'Medication' then koepel_citizen_sees(organisation_id, 'medication')
    else exists (select 1 from unnest((select koepel_citizen_visible())::text[]) as v(pair)
                 where v.pair like organisation_id::text || ':%') end));
