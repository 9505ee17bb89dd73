-- The privacy officer's audit log screen (src/audit-view). Staff with audit:read already read their organisation's
-- records (0001); this adds what the screen needs beyond that, and makes its queries fast.

-- Finding a citizen by BSN. The officer types a BSN; the app computes its blind index (never the BSN itself in a
-- query, a URL or a log) and asks for the citizen's id. The citizen row is visible for this only inside
-- koepel_audit_citizen() (the setting below is set by the function, and the app cannot set it: guard test), only to
-- staff with audit:read, and only when their own organisation's audit log names that citizen — a former patient
-- included, whose records stay in the log. Nothing else of the row is selected.
create policy citizen_audit_lookup on citizen for select
  using (koepel_principal_kind() = 'staff'
         and current_setting('koepel.audit_lookup', true) = 'on'
         and koepel_has_permission('audit:read')
         and exists (select 1 from audit_log a
                     where a.citizen_id = citizen.id and a.actor_organisation_id = koepel_org()));

create function koepel_audit_citizen(idx bytea) returns uuid
language sql stable
set koepel.audit_lookup = 'on'
as $$
  select c.id from citizen c
  where koepel_principal_kind() = 'staff' and koepel_has_permission('audit:read') and c.bsn_index = idx
  limit 1
$$;

revoke all on function koepel_audit_citizen(bytea) from public;
grant execute on function koepel_audit_citizen(bytea) to koepel_app;

-- Who reads which records, unchanged, but as one policy. The three policies of 0001 (citizen, staff with audit:read,
-- the verifier) were OR-ed, and PostgreSQL estimated that OR of setting comparisons to let through almost no row (a
-- few dozen of 250,000): it then read all of an organisation's records and sorted them for every page (1.2 s for
-- the first page of an organisation with 250,000 records). A CASE on the principal's kind is estimated as an
-- ordinary condition, and the same page walks the index below backwards and stops after 50 rows (9 ms).
drop policy audit_log_citizen on audit_log;
drop policy audit_log_org on audit_log;
drop policy audit_log_system on audit_log;
create policy audit_log_read on audit_log for select
  using (case koepel_principal_kind()
           when 'citizen' then citizen_id = koepel_citizen()
           when 'staff' then actor_organisation_id = koepel_org() and koepel_has_permission('audit:read')
           when 'system' then current_setting('koepel.purpose', true) = 'audit-verify'
           when 'operator' then current_setting('koepel.purpose', true) = 'audit-verify'
           else false
         end);

-- The screen lists an organisation's records newest first, (occurred_at, id) descending, 50 at a time: this index
-- serves that order for the whole organisation and for one employee or event (filtered on the way). The old
-- (organisation, time) index is a prefix of it and goes.
create index audit_log_org_time on audit_log (actor_organisation_id, occurred_at, id) where actor_organisation_id is not null;
drop index audit_log_org;
