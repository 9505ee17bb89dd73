-- Issue 13 (MG-9): the citizen's system messages — made by Koepel, never by staff or an organisation's system.
--
--   system_message       one citizen's message: new data from an organisation, an order handled, …
--                        A kind and parameters only (ids, a category, a status, a date); the text is the message
--                        catalogue's (src/system-messages/messages.ts), rendered at read time in the reader's
--                        language. No free text, no medical content.
--   portal_notice        a notice to every citizen of one portal (the portal changed, the privacy statement changed):
--                        one row, joined at read time — not a row per citizen — so a notice to 100,000 citizens
--                        is one insert;
--   portal_notice_read   the citizen's read marker of a notice (a row only once they opened it).
--
-- Who writes:
--   * "New data available" is made by the database: a statement trigger on record_event (itself made by the record's
--     own trigger, migration 0010) adds one message per citizen, organisation and category, and none while an unread
--     one of that kind exists (a partial unique index; the insert does nothing on conflict, also under concurrency).
--     Every ingest path — Bundles, PUT, POST, conditional creates, a resource re-sent after its deletion — writes
--     record_resource, so every path makes its message.
--   * Other messages: Koepel's own code as the system purpose 'system-messages' (postSystemMessage), or another
--     trigger (pg_trigger_depth() > 0), e.g. on an order's status change. Staff, API clients and citizens cannot
--     insert: their own statements run at trigger depth 0 under another principal.
--   * Portal notices: the operator (audited), or the database when a portal's privacy statement date moves forward
--     (a release or an operator edit that changes the statement).

create table system_message (
  id uuid primary key default gen_random_uuid(),
  citizen_id uuid not null references citizen(id),
  organisation_id uuid references organisation(id),
  kind text not null check (kind in ('new-data', 'order-handled', 'portal-change', 'privacy-statement-change')),
  -- The record category of 'new-data' (which dossier section the message links to).
  category text check (category in ('appointments', 'episodes', 'sensitivities', 'lab', 'documents', 'medication',
    'careteam', 'vitals', 'findings', 'immunisations', 'procedures', 'visits', 'aids', 'directives', 'careplan', 'payer')),
  params jsonb not null default '{}'::jsonb check (jsonb_typeof(params) = 'object' and octet_length(params::text) <= 500),
  created_at timestamptz not null default now(),
  read_at timestamptz,
  check ((kind = 'new-data') = (category is not null)),
  check (kind not in ('new-data', 'order-handled') or organisation_id is not null)
);
create index system_message_citizen on system_message (citizen_id, created_at desc, id);
-- De-duplication of "new data": one unread message per citizen, organisation and category.
create unique index system_message_new_data_unread on system_message (citizen_id, organisation_id, category)
  where kind = 'new-data' and read_at is null;

create table portal_notice (
  id uuid primary key default gen_random_uuid(),
  portal_id uuid not null references portal(id),
  kind text not null check (kind in ('portal-change', 'privacy-statement-change')),
  -- { "date": "YYYY-MM-DD", "topic"?: … } — checked by the application, bounded here.
  params jsonb not null check (jsonb_typeof(params) = 'object' and octet_length(params::text) <= 500
                               and params ->> 'date' ~ '^\d{4}-\d{2}-\d{2}$'),
  -- The operator who posted it; null when the database did (a privacy statement date that moved forward).
  posted_by uuid references staff_account(id),
  created_at timestamptz not null default now()
);
-- One notice of a kind per portal and date: a double submit or a second release with the same date adds nothing.
create unique index portal_notice_once on portal_notice (portal_id, kind, (params ->> 'date'));
create index portal_notice_portal on portal_notice (portal_id, created_at desc);

create table portal_notice_read (
  citizen_id uuid not null references citizen(id),
  notice_id uuid not null references portal_notice(id),
  read_at timestamptz not null default now(),
  primary key (citizen_id, notice_id)
);

-- ---------------------------------------------------------------------------------------------
-- Which organisations a citizen principal sees at all: active relationships, organisations of their portal.
-- (koepel_citizen_visible() gives (organisation, category) pairs; an organisation that shows no category still
-- handles the citizen's orders.)
-- ---------------------------------------------------------------------------------------------
create function koepel_citizen_organisations() returns uuid[] language plpgsql stable as $$
declare
  orgs uuid[];
begin
  select coalesce(array_agg(r.organisation_id), '{}') into orgs
  from care_relationship r
  join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
  where koepel_principal_kind() = 'citizen' and r.citizen_id = koepel_citizen()
    and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date);
  return orgs;
end $$;
revoke all on function koepel_citizen_organisations() from public;
grant execute on function koepel_citizen_organisations() to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
alter table system_message enable row level security;
alter table system_message force row level security;
-- The citizen's own, after an audit record naming them; about an organisation only while they see it (active
-- relationship, their portal), and "new data" only in a category that organisation shows them.
create policy system_message_citizen on system_message for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and (organisation_id is null or organisation_id = any ((select koepel_citizen_organisations())::uuid[]))
         and (kind <> 'new-data'
              or (organisation_id::text || ':' || category) = any ((select koepel_citizen_visible())::text[])));
-- Marking read: only read_at (column grant below), only their own, only the visible ones.
create policy system_message_citizen_read on system_message for update
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and read_at is not null);
create policy system_message_koepel on system_message for insert
  with check ((koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'system-messages')
              or pg_trigger_depth() > 0);

alter table portal_notice enable row level security;
alter table portal_notice force row level security;
create policy portal_notice_citizen on portal_notice for select
  using (koepel_principal_kind() = 'citizen' and portal_id = koepel_portal());
create policy portal_notice_operator on portal_notice for select
  using (koepel_principal_kind() = 'operator');
create policy portal_notice_post on portal_notice for insert
  with check ((koepel_principal_kind() = 'operator' and posted_by = koepel_actor())
              or (pg_trigger_depth() > 0 and posted_by is null));

alter table portal_notice_read enable row level security;
alter table portal_notice_read force row level security;
create policy portal_notice_read_citizen on portal_notice_read
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen())
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen()
              and exists (select 1 from portal_notice n where n.id = portal_notice_read.notice_id));

grant select, insert on system_message to koepel_app;
grant update (read_at) on system_message to koepel_app;
grant select, insert on portal_notice to koepel_app;
grant select, insert on portal_notice_read to koepel_app;

-- A message, once read, stays read; nothing else of it changes (the column grant allows read_at only).
create function koepel_system_message_guard() returns trigger language plpgsql as $$
begin
  if old.read_at is not null then
    new.read_at := old.read_at;
  end if;
  return new;
end $$;
create trigger system_message_guard before update on system_message
  for each row execute function koepel_system_message_guard();

-- ---------------------------------------------------------------------------------------------
-- "New data available", made by the database from the record's own events (0010, 0021): new resources and those
-- re-sent after their deletion, not a changed one. One statement per write, over the transition table.
-- Not security definer: it runs as the writing client; the insert policy admits it at trigger depth > 0.
-- ---------------------------------------------------------------------------------------------
create function koepel_system_messages_new_data() returns trigger language plpgsql set search_path = public, pg_temp as $$
begin
  insert into system_message (citizen_id, organisation_id, kind, category)
  select distinct e.citizen_id, e.organisation_id, 'new-data', e.category
  from new_rows e
  where e.kind in ('result.new', 'document.new', 'record.new')
  on conflict do nothing;
  return null;
end $$;
create trigger record_event_system_messages after insert on record_event
  referencing new table as new_rows
  for each statement execute function koepel_system_messages_new_data();

-- A portal's privacy statement got a later date: every citizen of the portal is told, once per date.
create function koepel_portal_privacy_notice() returns trigger language plpgsql set search_path = public, pg_temp as $$
begin
  if new.privacy_statement_updated_on > old.privacy_statement_updated_on then
    insert into portal_notice (portal_id, kind, params)
    values (new.id, 'privacy-statement-change', jsonb_build_object('date', new.privacy_statement_updated_on::text))
    on conflict do nothing;
  end if;
  return null;
end $$;
create trigger portal_privacy_notice after update of privacy_statement_updated_on on portal
  for each row execute function koepel_portal_privacy_notice();

-- ---------------------------------------------------------------------------------------------
-- The count on the citizen's menu and tab: unread messages and unread notices of their portal posted since they
-- joined. One statement per page view; a count of their own messages, it reads no content and writes no audit
-- record (as koepel_open_access_request_count, 0017). Row-level security still decides which messages count.
-- ---------------------------------------------------------------------------------------------
create function koepel_system_message_unread() returns bigint
language plpgsql stable
set koepel.patient_search = 'on'
as $$
declare
  n bigint;
begin
  if koepel_principal_kind() <> 'citizen' then
    return 0;
  end if;
  select (select count(*) from system_message m where m.citizen_id = koepel_citizen() and m.read_at is null)
       + (select count(*) from portal_notice p
          join citizen c on c.id = koepel_citizen()
          where p.portal_id = koepel_portal() and p.created_at >= c.created_at
            and not exists (select 1 from portal_notice_read r
                            where r.citizen_id = koepel_citizen() and r.notice_id = p.id))
    into n;
  return n;
end $$;
revoke all on function koepel_system_message_unread() from public;
grant execute on function koepel_system_message_unread() to koepel_app;
