-- Private notes (issue 13, LU-3): notes a citizen writes for themselves, that only they can read. Not care data: no
-- organisation holds them, so no staff role, operator, privacy officer, provider system or app is given a policy.
--
-- 1. A key of their own. The citizen's data key (citizen_key) is readable by staff with a care relationship, for the
--    BSN and contact details (0001). Notes are sealed under a separate key per citizen, `citizen_notes_key`, which
--    only the citizen principal itself reads: no staff, client, operator or system policy, no security-definer
--    function that returns it. It is made on the citizen's first note (version 1; there is no second version).
-- 2. The citizen, not an app acting for them. An app the citizen authorised runs as the citizen principal (0012,
--    0018); the database could not tell the two apart. From here it can: the transaction setting
--    `koepel.citizen_app_id` names the app (set by withPrincipal and by koepel_open_app_token below), and
--    koepel_own_notes() is false while it is set. Apps only read the FHIR API; they get no note and no key.
-- 3. Notes, their times and their links are rows of `private_note`, readable and writable by their citizen only,
--    after an audit record naming them (koepel_audited, like every citizen read; the record holds nothing of the
--    note). A link to an appointment or a record item (a lab result) must be one the citizen sees (trigger).
-- 4. Deleting a note deletes the row; deleting the key shreds every note sealed under it; deleting the citizen row
--    (account deletion, when it comes) cascades to both.

create function koepel_own_notes(c uuid) returns boolean language sql stable as $$
  select koepel_principal_kind() = 'citizen' and c = koepel_citizen()
     and coalesce(current_setting('koepel.citizen_app_id', true), '') = ''
$$;
revoke all on function koepel_own_notes(uuid) from public;
grant execute on function koepel_own_notes(uuid) to koepel_app;

create table citizen_notes_key (
  citizen_id uuid not null references citizen(id) on delete cascade,
  version int not null check (version = 1),
  wrapped bytea not null,
  created_at timestamptz not null default now(),
  primary key (citizen_id, version)
);

alter table citizen_notes_key enable row level security;
alter table citizen_notes_key force row level security;
create policy citizen_notes_key_read on citizen_notes_key for select using (koepel_own_notes(citizen_id));
create policy citizen_notes_key_make on citizen_notes_key for insert with check (koepel_own_notes(citizen_id));
create policy citizen_notes_key_shred on citizen_notes_key for delete using (koepel_own_notes(citizen_id));
grant select, insert, delete on citizen_notes_key to koepel_app;

create table private_note (
  id uuid primary key,                    -- made by the application: the ciphertext's AAD names it
  citizen_id uuid not null references citizen(id) on delete cascade,
  body_ciphertext bytea not null check (octet_length(body_ciphertext) <= 65536),
  appointment_id uuid references appointment(id) on delete set null,
  record_resource_id uuid references record_resource(id) on delete set null,
  idempotency_key uuid not null,          -- the form's: a double submit finds the first note
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (appointment_id is null or record_resource_id is null),
  unique (citizen_id, idempotency_key)
);
create index private_note_citizen on private_note (citizen_id, updated_at desc);
create index private_note_appointment on private_note (appointment_id) where appointment_id is not null;
create index private_note_record on private_note (record_resource_id) where record_resource_id is not null;

alter table private_note enable row level security;
alter table private_note force row level security;
create policy private_note_read on private_note for select
  using (koepel_own_notes(citizen_id) and koepel_audited(citizen_id));
create policy private_note_write on private_note for insert
  with check (koepel_own_notes(citizen_id));
create policy private_note_edit on private_note for update
  using (koepel_own_notes(citizen_id) and koepel_audited(citizen_id))
  with check (koepel_own_notes(citizen_id));
create policy private_note_delete on private_note for delete
  using (koepel_own_notes(citizen_id) and koepel_audited(citizen_id));
-- The note's id, citizen and creation time are never updated.
grant select, insert, delete on private_note to koepel_app;
grant update (body_ciphertext, appointment_id, record_resource_id, updated_at) on private_note to koepel_app;

-- A link is to the citizen's own appointment or a record item they see now. The check runs as the writer (not a
-- security definer), so row-level security of appointment and record_resource decides; it runs before the foreign
-- keys, so another citizen's id is refused the same way as an id that does not exist (no oracle).
create function koepel_private_note_link() returns trigger language plpgsql as $$
begin
  if new.appointment_id is not null
     and (tg_op = 'INSERT' or new.appointment_id is distinct from old.appointment_id)
     and not exists (select 1 from appointment a where a.id = new.appointment_id and a.citizen_id = new.citizen_id) then
    raise exception 'private_note: not an appointment of this citizen' using errcode = 'insufficient_privilege';
  end if;
  if new.record_resource_id is not null
     and (tg_op = 'INSERT' or new.record_resource_id is distinct from old.record_resource_id)
     and not exists (select 1 from record_resource r
                     where r.id = new.record_resource_id and r.citizen_id = new.citizen_id) then
    raise exception 'private_note: not a record item of this citizen' using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;
create trigger private_note_link before insert or update on private_note
  for each row execute function koepel_private_note_link();

-- The app token opens the request as the citizen, now with the app named in the transaction (see 2 above). The same
-- function as in 0018, with one more setting.
create or replace function koepel_open_app_token(p_token_hash bytea, p_now timestamptz, p_last_used_every_ms bigint)
returns table (citizen_id uuid, portal_id uuid, app_id uuid, settings text)
language plpgsql volatile set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
  r record;
begin
  if koepel_principal_kind() <> 'system' or current_setting('koepel.purpose', true) <> 'api-auth' then
    raise exception 'koepel_open_app_token runs only for the api-auth purpose';
  end if;
  select g.id as grant_id, g.citizen_id, g.portal_id, g.last_used_at, a.id as app_id
    into r
    from citizen_app_token t
    join citizen_app_grant g on g.id = t.grant_id
    join citizen_app a on a.id = g.app_id
   where t.token_hash = p_token_hash and t.expires_at > p_now and a.revoked_at is null;
  if not found then
    return;
  end if;
  if r.last_used_at is null or p_now - r.last_used_at > p_last_used_every_ms * interval '1 millisecond' then
    update citizen_app_grant set last_used_at = p_now where citizen_app_grant.id = r.grant_id;
  end if;
  perform set_config('koepel.principal_kind', 'citizen', true), set_config('koepel.organisation_id', '', true),
          set_config('koepel.citizen_id', r.citizen_id::text, true),
          set_config('koepel.portal_id', r.portal_id::text, true),
          set_config('koepel.actor_id', r.citizen_id::text, true), set_config('koepel.permissions', '', true),
          set_config('koepel.purpose', '', true),
          set_config('koepel.citizen_app_id', r.app_id::text, true);
  return query select r.citizen_id, r.portal_id, r.app_id,
    concat_ws('|', 'citizen', '', r.citizen_id::text, r.portal_id::text, r.citizen_id::text, '');
end $$;
revoke all on function koepel_open_app_token(bytea, timestamptz, bigint) from public;
grant execute on function koepel_open_app_token(bytea, timestamptz, bigint) to koepel_app;
