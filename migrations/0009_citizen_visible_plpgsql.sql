-- Speed: koepel_citizen_visible() (migration 0005) decides which (organisation, category) pairs a citizen is shown.
-- As a SQL function it was planned again in every statement that used the policy: about 5 ms each on the bench,
-- three or more times per page. PL/pgSQL keeps the plan of its query for the life of the connection (0.7 ms).
-- The rule is unchanged (src/fhir/read/read.test.ts compares it with koepel_citizen_sees for every pair).
create or replace function koepel_citizen_visible() returns text[] language plpgsql stable as $$
declare
  pairs text[];
begin
  select coalesce(array_agg(v.pair), '{}') into pairs from (
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
  ) v;
  return pairs;
end $$;
