-- Holes found by the property and RLS tests (test/property/record-isolation.test.ts, test/security/record-rls.test.ts).

-- 1. A citizen saw every event about them: without an audit record, and also of organisations outside their portal,
--    of ended relationships and of categories the organisation does not show them (an event "new lab result" at an
--    organisation that does not share lab results is itself information, MG-1). Same rule as the record itself.
drop policy record_event_citizen on record_event;
create policy record_event_citizen on record_event for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and (organisation_id::text || ':' || category) = any ((select koepel_citizen_visible())::text[]));

-- 2. An attachment or event must belong to a resource of the same organisation and citizen: otherwise organisation A's
--    client could hang a file under B's letter (or block B's own attachment at that position). The sub-select runs
--    under the client's own policies, so it finds only its own organisation's resources.
drop policy record_attachment_org on record_attachment;
create policy record_attachment_org on record_attachment
  using (koepel_org_reads(organisation_id, citizen_id))
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id)
              and exists (select 1 from record_resource rr
                          where rr.id = record_attachment.resource_id
                            and rr.organisation_id = record_attachment.organisation_id
                            and rr.citizen_id = record_attachment.citizen_id));

drop policy record_event_client on record_event;
create policy record_event_client on record_event for insert
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id)
              and (resource_id is null
                   or exists (select 1 from record_resource rr
                              where rr.id = record_event.resource_id
                                and rr.organisation_id = record_event.organisation_id
                                and rr.citizen_id = record_event.citizen_id)));

-- 3. An audit record names the organisation of its actor: staff and API clients may not write one in another
--    organisation's name (it would appear in that organisation's privacy officer's view). Principals without an
--    organisation (login flows) may name the organisation concerned, as before.
drop policy audit_log_insert on audit_log;
create policy audit_log_insert on audit_log for insert
  with check (actor_id is not distinct from koepel_actor()
              and (koepel_principal_kind() not in ('staff', 'client')
                   or actor_organisation_id is not distinct from koepel_org()));
