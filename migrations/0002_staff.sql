-- Staff capability: patient search.
--
-- Staff may read a citizen's row only after this transaction wrote an audit record about that citizen
-- (koepel_audited, migration 0001). A search must look at names and birth dates before it knows whom to audit,
-- so this one function may look — and only returns ids. The SET clause makes 'koepel.patient_search' = 'on'
-- exist only while the function runs (PostgreSQL restores the previous value on exit), so the caller still
-- cannot read names until it has written one audit record per id it shows.
--
-- The function runs with the caller's rights (SECURITY INVOKER): row-level security on care_relationship still
-- limits it to the staff principal's own organisation and to relationships that have not ended (ZL-1, PZ-4).
--
-- q: the normalised name (lower case, no accents, single spaces; see normaliseName in src/identity/citizens.ts);
--    every word must occur somewhere in citizen.search_name. born: the exact birth date. At least one is needed.
create function koepel_search_patients(q text, born date, max_rows int) returns setof uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select c.id
  from care_relationship r
  join citizen c on c.id = r.citizen_id
  where koepel_principal_kind() = 'staff'
    and koepel_has_permission('patients:search')
    and (nullif(btrim(coalesce(q, '')), '') is not null or born is not null)
    and (born is null or c.birth_date = born)
    and not exists (
      select 1 from unnest(string_to_array(lower(btrim(coalesce(q, ''))), ' ')) as w(word)
      where w.word <> '' and strpos(c.search_name, w.word) = 0
    )
  order by c.family_name, c.given_names, c.birth_date, c.id
  limit greatest(0, least(coalesce(max_rows, 0), 500))
$$;

revoke all on function koepel_search_patients(text, date, int) from public;
grant execute on function koepel_search_patients(text, date, int) to koepel_app;
