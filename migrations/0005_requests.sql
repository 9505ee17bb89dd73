-- Record requests (MG-7) and the citizen's read path (issue 3).

-- A citizen has at most one open request per organisation: a second one (a double submit, or a new request before
-- the first is answered) is refused by the database, not just by the form.
create unique index record_access_request_one_open on record_access_request (organisation_id, citizen_id)
  where status = 'open';

-- ---------------------------------------------------------------------------------------------
-- The citizen's read of record_resource, same rule as in 0003, evaluated once per statement instead of once per row.
--
-- 0003 decides per row with koepel_citizen_sees(organisation_id, category). That function holds sub-selects, so
-- PostgreSQL cannot inline it and calls it for every row: about 0.1 ms each, 0.6 s for Patient/$everything over
-- 5,000 resources. The set of (organisation, category) pairs the citizen is shown does not depend on the row, so it
-- is computed once (an uncorrelated scalar sub-select becomes an InitPlan) and each row is a membership test.
-- The pairs are exactly those for which koepel_citizen_sees is true: organisations of the citizen's portal with a
-- started, not ended care relationship, in the categories the organisation offers or granted this citizen.
-- ---------------------------------------------------------------------------------------------
create function koepel_citizen_visible() returns text[] language sql stable as $$
  select coalesce(array_agg(v.pair), '{}') from (
    select r.organisation_id::text || ':' || c.cat as pair
    from care_relationship r
    join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
    join organisation o on o.id = r.organisation_id
    cross join lateral unnest(o.record_categories) as c(cat)
    where koepel_principal_kind() = 'citizen' and r.citizen_id = koepel_citizen()
      and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)
    union
    select g.organisation_id::text || ':' || g.category
    from record_category_grant g
    join care_relationship r on r.organisation_id = g.organisation_id and r.citizen_id = g.citizen_id
    join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
    where koepel_principal_kind() = 'citizen' and g.citizen_id = koepel_citizen()
      and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)
  ) v
$$;
grant execute on function koepel_citizen_visible() to koepel_app;

drop policy record_resource_citizen on record_resource;
create policy record_resource_citizen on record_resource for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and category <> 'patient'
         and (organisation_id::text || ':' || category) = any ((select koepel_citizen_visible())::text[]));

-- Permissive policies are OR-ed, so the organisation policy was also called per row for citizens (and answered
-- false each time). The principal test, evaluated once, now goes first; the rule itself is unchanged.
drop policy record_resource_org on record_resource;
create policy record_resource_org on record_resource
  using ((select koepel_org_principal()) and koepel_org_reads(organisation_id, citizen_id))
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id));

-- ---------------------------------------------------------------------------------------------
-- Requests and grants follow the rules of the rest of the record (holes in 0003 found by the security tests):
-- ---------------------------------------------------------------------------------------------
-- Staff see a request (citizen id, categories, note) only after an audit record about that citizen (ZL-1), like
-- every other row about a citizen. To know whom to audit, these two functions return ids only, the way
-- koepel_search_patients does (0002): within them koepel.patient_search is on, and row-level security still limits
-- them to the own organisation, to employees with record:requests and to citizens with a current relationship.
drop policy record_access_request_staff on record_access_request;
create policy record_access_request_staff on record_access_request
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('record:requests')
         and koepel_audited(citizen_id)
         and exists (select 1 from care_relationship r where r.citizen_id = record_access_request.citizen_id
                     and r.organisation_id = record_access_request.organisation_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('record:requests')
              and koepel_audited(citizen_id));

create function koepel_open_access_requests(max_rows int) returns table (id uuid, citizen_id uuid)
language sql stable
set koepel.patient_search = 'on'
as $$
  select r.id, r.citizen_id
  from record_access_request r
  where koepel_principal_kind() = 'staff' and r.status = 'open'
  order by r.created_at, r.id
  limit greatest(0, least(coalesce(max_rows, 0), 500))
$$;
revoke all on function koepel_open_access_requests(int) from public;
grant execute on function koepel_open_access_requests(int) to koepel_app;

create function koepel_access_request_citizen(request uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select r.citizen_id from record_access_request r where koepel_principal_kind() = 'staff' and r.id = request
$$;
revoke all on function koepel_access_request_citizen(uuid) from public;
grant execute on function koepel_access_request_citizen(uuid) to koepel_app;

-- A citizen reads and submits their requests, and never changes one afterwards (0003 allowed an UPDATE that
-- could reopen a declined request and erase who handled it).
drop policy record_access_request_citizen on record_access_request;
create policy record_access_request_citizen_read on record_access_request for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());
create policy record_access_request_citizen_insert on record_access_request for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and status = 'open'
              and handled_at is null and handled_by is null and response_ciphertext is null
              and exists (select 1 from care_relationship r
                          join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
                          where r.citizen_id = koepel_citizen() and r.organisation_id = record_access_request.organisation_id
                            and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)));

-- A grant belongs to a care relationship: the organisation no longer sees it once the relationship ended (PZ-4),
-- and grants only to its current patients.
drop policy record_category_grant_org on record_category_grant;
create policy record_category_grant_org on record_category_grant
  using (koepel_org_principal() and organisation_id = koepel_org() and koepel_audited(citizen_id)
         and exists (select 1 from care_relationship r where r.citizen_id = record_category_grant.citizen_id
                     and r.organisation_id = record_category_grant.organisation_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_audited(citizen_id)
              and koepel_has_permission('record:requests')
              and exists (select 1 from care_relationship r where r.citizen_id = record_category_grant.citizen_id
                          and r.organisation_id = record_category_grant.organisation_id));
