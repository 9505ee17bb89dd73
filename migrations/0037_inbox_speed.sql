-- The staff inbox's numbers, fast (issue 13; bench:messages, docs/performance.md "Messages (issue 13)").
--
-- 0029's koepel_message_inbox_counts and koepel_message_badge are SQL functions that count under row-level security:
-- with 10,000 conversations in one organisation every count is a bitmap heap scan of all of them, with the policy's
-- expression evaluated per row (7–17 ms of PostgreSQL CPU for the counts, 3.5 ms for the badge, on each inbox page
-- and the badge on every staff page). They return numbers only, so they may count without the policies, as the
-- security-definer lookups of 0023 do: the same check of the principal once, up front (staff, messages:read, the
-- session's organisation), then counts on the inbox indexes of 0029 (index-only where the visibility map allows).
-- Same signatures, same numbers; plpgsql so that the plans are kept for the session.

create or replace function koepel_message_inbox_counts(who text)
returns table (unread bigint, open bigint, answered bigint, closed bigint)
language plpgsql stable security definer set search_path = public, pg_temp as $$
declare
  me uuid := koepel_actor();
  org uuid := koepel_org();
begin
  if koepel_principal_kind() <> 'staff' or not koepel_has_permission('messages:read') or org is null
     or who not in ('all', 'mine', 'unassigned') then
    return query select 0::bigint, 0::bigint, 0::bigint, 0::bigint;
    return;
  end if;
  if who = 'mine' then
    return query
      select (select count(*) from conversation c
               where c.organisation_id = org and c.assigned_to = me
                 and c.unread_by_organisation > 0 and c.status <> 'closed'),
             count(*) filter (where c.status = 'open'),
             count(*) filter (where c.status = 'answered'),
             count(*) filter (where c.status = 'closed')
      from conversation c where c.organisation_id = org and c.assigned_to = me;
  elsif who = 'unassigned' then
    return query
      select (select count(*) from conversation c
               where c.organisation_id = org and c.assigned_to is null
                 and c.unread_by_organisation > 0 and c.status <> 'closed'),
             count(*) filter (where c.status = 'open'),
             count(*) filter (where c.status = 'answered'),
             count(*) filter (where c.status = 'closed')
      from conversation c where c.organisation_id = org and c.assigned_to is null;
  else
    return query
      select (select count(*) from conversation c
               where c.organisation_id = org and c.unread_by_organisation > 0 and c.status <> 'closed'),
             count(*) filter (where c.status = 'open'),
             count(*) filter (where c.status = 'answered'),
             count(*) filter (where c.status = 'closed')
      from conversation c where c.organisation_id = org;
  end if;
end $$;
revoke all on function koepel_message_inbox_counts(text) from public;
grant execute on function koepel_message_inbox_counts(text) to koepel_app;

-- The staff menu badge: open conversations (waiting for us) that are unassigned or assigned to me.
create or replace function koepel_message_badge() returns int
language plpgsql stable security definer set search_path = public, pg_temp as $$
declare
  me uuid := koepel_actor();
  org uuid := koepel_org();
begin
  if koepel_principal_kind() <> 'staff' or not koepel_has_permission('messages:read') or org is null then
    return 0;
  end if;
  return (select count(*)::int from conversation c
          where c.organisation_id = org and c.status = 'open' and (c.assigned_to is null or c.assigned_to = me));
end $$;
revoke all on function koepel_message_badge() from public;
grant execute on function koepel_message_badge() to koepel_app;
