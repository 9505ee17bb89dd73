-- A citizen reads an organisation's data key only to decrypt what that organisation shows them: while the care
-- relationship is active and the organisation belongs to the citizen's portal, as koepel_citizen_visible() decides
-- for the record itself. Before, any relationship would do, ended ones included (the wrapped key is useless without
-- the master key, but a former patient has no business with it).
drop policy organisation_key_citizen on organisation_key;
create policy organisation_key_citizen on organisation_key for select
  using (koepel_principal_kind() = 'citizen'
         and exists (select 1 from care_relationship r
                     join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
                     where r.citizen_id = koepel_citizen()
                       and r.organisation_id = organisation_key.organisation_id
                       and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)));
