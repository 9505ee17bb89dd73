-- Issue 14 (LU-10): the versions of a portal's privacy statement. The operator publishes a new version (its text and
-- its date); /privacy shows the latest with its "last updated" date, and every earlier version stays readable at
-- /privacy/versions/:n. Publishing moves portal.privacy_statement_updated_on forward in the same transaction, so the
-- trigger of migration 0032 (koepel_portal_privacy_notice) posts the portal notice every citizen sees at their next
-- visit.
--
-- Version 1 of every portal is Koepel's built-in statement (body null: the message catalogue's text, src/pages), dated
-- as the portal's statement was: added here for the portals that exist, and by a trigger for each new portal.
-- The text is public (the statement is published to everyone): every principal reads it. Only the operator publishes,
-- through koepel_publish_privacy_statement (security definer: it also moves the portal's date, which no client role may
-- write).

create table privacy_statement_version (
  portal_id uuid not null references portal(id),
  version integer not null check (version >= 1),
  published_on date not null,
  -- Plain paragraphs (a blank line between them; a line starting with "## " is a heading); null: the built-in text.
  body text check (body is null or length(body) between 1 and 100000),
  -- The operator who published it; null for version 1.
  published_by uuid references staff_account(id),
  created_at timestamptz not null default now(),
  primary key (portal_id, version),
  check ((version = 1) = (body is null))
);

alter table privacy_statement_version enable row level security;
alter table privacy_statement_version force row level security;
create policy privacy_statement_version_read on privacy_statement_version for select using (true);
grant select on privacy_statement_version to koepel_app;

insert into privacy_statement_version (portal_id, version, published_on)
select id, 1, privacy_statement_updated_on from portal;

create function koepel_privacy_statement_first() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  insert into privacy_statement_version (portal_id, version, published_on)
  values (new.id, 1, new.privacy_statement_updated_on);
  return null;
end $$;
create trigger portal_privacy_statement_first after insert on portal
  for each row execute function koepel_privacy_statement_first();

-- Publishes the next version of a portal's privacy statement (the operator only): answers its number. The date must be
-- later than the current version's (the portal's date moves forward, and the notice of 0032 follows); a later date
-- than today is allowed (a statement that takes effect on a set day is announced ahead).
create function koepel_publish_privacy_statement(p_portal uuid, p_published_on date, p_body text)
returns integer language plpgsql security definer set search_path = public, pg_temp as $$
declare
  current_on date;
  next_version integer;
begin
  if koepel_principal_kind() is distinct from 'operator' then
    raise exception 'only the operator publishes a privacy statement' using errcode = '42501';
  end if;
  select privacy_statement_updated_on into current_on from portal where id = p_portal for update;
  if not found then
    raise exception 'no such portal' using errcode = 'P0002';
  end if;
  if p_published_on is null or p_published_on <= current_on then
    raise exception 'the date must be later than the current version''s' using errcode = '22023';
  end if;
  select coalesce(max(version), 0) + 1 into next_version from privacy_statement_version where portal_id = p_portal;
  insert into privacy_statement_version (portal_id, version, published_on, body, published_by)
  values (p_portal, next_version, p_published_on, p_body, koepel_actor());
  update portal set privacy_statement_updated_on = p_published_on where id = p_portal;
  return next_version;
end $$;
revoke all on function koepel_publish_privacy_statement(uuid, date, text) from public;
grant execute on function koepel_publish_privacy_statement(uuid, date, text) to koepel_app;
