-- Issue 13: secure messages (MG-9, ZL-10, MG-1 'messages'). Conversations between a citizen and an organisation,
-- optionally addressed to a named employee, with messages, attachments, internal notes and answer templates.
--
-- Encryption. Everything a citizen or an employee writes is sealed (AES-256-GCM, src/platform/crypto) under the
-- ORGANISATION's data key (organisation_key of conversation.organisation_id), with these AAD strings:
--   conversation.subject                 'conversation.subject:<conversation id>'
--   conversation_message.body            'message.body:<message id>'
--   message_attachment.file_name         'message_attachment.name:<attachment id>'
--   message_attachment.content           'message_attachment.content:<attachment id>'
--   conversation_note.body               'conversation_note.body:<note id>'
-- (src/messages/crypto.ts builds them; any other writer — the FHIR Communication API — must use the same strings.)
-- Templates (message_template) are the organisation's own texts, not about a citizen: stored in plain text.
-- A citizen reads the organisation key only while the care relationship is active (organisation_key_citizen, 0011),
-- so after it ends the citizen no longer reads the conversation's text (as with the record, PZ-4).
--
-- Bookkeeping. conversation.status, last_message_at, last_sender, message_count and the two unread counters are kept
-- by TRIGGERS on conversation_message, never by the writer: whoever appends a message (the citizen's portal, an
-- employee, the organisation's system over FHIR) only inserts a sealed row into conversation_message, and
--   * a message from the citizen makes the conversation 'open' (waiting for the organisation) and counts as unread
--     for the organisation; a message from staff or the system makes it 'answered' (waiting for the citizen) and
--     counts as unread for the citizen;
--   * marking a message read (read_at from null to a time) lowers the other side's counter;
--   * a message into a 'closed' conversation is refused (SQLSTATE KM001): the citizen starts a new conversation
--     (follows_id links it to the closed one); staff reopen it first.
-- The bookkeeping trigger is security definer so that the conversation row is updated whatever column grants the
-- writer has; row-level security still applies to it (the writer must see the conversation: its transaction has
-- audited the citizen, like every read). A direct UPDATE of conversation by the app (current_user koepel_app) is
-- checked by koepel_conversation_guard: only assignment, close and reopen, by staff or the organisation's system.
--
-- Attachments belong to the message they came with and are written in the same transaction (a message's attachments
-- are checked, encrypted and inserted together with it, or nothing is stored): an attachment may only be added to a
-- message created in the current transaction (created_at = now()), by the same kind of sender, at most 3 per
-- message, each at most 10 MiB, of a type checked by content (PDF, JPEG, PNG; src/messages/attachments.ts).
--
-- Staff lists (the inbox) follow the pattern of koepel_agenda_citizens (0023/0025): koepel_message_inbox returns
-- the ids of one page of conversations (and their citizens) only; the page audits a read of each of those citizens,
-- and only then reads the rows (policy conversation_staff requires koepel_audited(citizen_id)). Counts for the
-- filters and the menu badge come from koepel_message_inbox_counts / koepel_message_badge (numbers only).
-- Staff see conversations only of their own organisation and only with 'messages:read' (ZL-10): in the policies,
-- not only in the routes.

-- Where the organisation allows it, a citizen addresses a conversation to a named employee (admin switch).
alter table organisation add column messages_to_staff boolean not null default false;
grant update (messages_to_staff) on organisation to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table conversation (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  subject bytea not null,                       -- sealed, AAD 'conversation.subject:<id>'
  -- Who opened it: the citizen (portal), an employee (startConversation) or the organisation's system (FHIR).
  started_by text not null check (started_by in ('citizen', 'staff', 'system')),
  started_by_staff uuid references staff_account(id),
  -- The employee the citizen addressed it to (only where organisation.messages_to_staff), and their name then.
  addressed_to uuid references staff_account(id),
  addressed_to_name text check (length(addressed_to_name) <= 200),
  -- Who handles it now (an employee with messages:read of the organisation); null = unassigned.
  assigned_to uuid references staff_account(id),
  -- What it is about, where another capability opened it (repeat medication: "ask a question").
  about_kind text check (about_kind in ('medication-order')),
  about_id uuid,
  -- A conversation the citizen started from a closed one ("start a new conversation").
  follows_id uuid references conversation(id),
  -- Kept by triggers (see the top of this file); the app never writes these.
  status text not null default 'open' check (status in ('open', 'answered', 'closed')),
  last_message_at timestamptz not null default now(),
  last_sender text check (last_sender in ('citizen', 'staff', 'system')),
  message_count int not null default 0,
  unread_by_organisation int not null default 0 check (unread_by_organisation >= 0),
  unread_by_citizen int not null default 0 check (unread_by_citizen >= 0),
  closed_at timestamptz,
  closed_by uuid references staff_account(id),
  -- A resubmitted form finds the first conversation instead of making a second.
  idempotency_key uuid,
  version int not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((started_by = 'staff') = (started_by_staff is not null)),
  check ((about_kind is null) = (about_id is null)),
  check ((status = 'closed') = (closed_at is not null)),
  unique (organisation_id, id),
  unique (organisation_id, citizen_id, id)
);
-- The staff inbox: per filter, newest first, keyset/offset pages (koepel_message_inbox).
create index conversation_inbox on conversation (organisation_id, status, last_message_at desc, id desc);
create index conversation_inbox_assigned on conversation (organisation_id, assigned_to, status, last_message_at desc, id desc);
create index conversation_inbox_unread on conversation (organisation_id, last_message_at desc, id desc)
  where unread_by_organisation > 0 and status <> 'closed';
create index conversation_citizen on conversation (citizen_id, last_message_at desc);
create unique index conversation_idempotency on conversation (citizen_id, idempotency_key) where idempotency_key is not null;
create index conversation_about on conversation (about_kind, about_id) where about_id is not null;

create table conversation_message (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null,
  organisation_id uuid not null,
  citizen_id uuid not null,
  sender text not null check (sender in ('citizen', 'staff', 'system')),
  sender_staff uuid references staff_account(id),
  -- The employee's name as the citizen sees it (staff accounts are otherwise closed to citizens).
  sender_name text check (length(sender_name) <= 200),
  body bytea not null,                          -- sealed, AAD 'message.body:<id>'
  -- When the other side first read it (the citizen's read receipt for their own messages), and which employee.
  read_at timestamptz,
  read_by uuid references staff_account(id),
  idempotency_key uuid,
  created_at timestamptz not null default now(),
  check ((sender = 'staff') = (sender_staff is not null)),
  foreign key (organisation_id, citizen_id, conversation_id) references conversation (organisation_id, citizen_id, id),
  unique (organisation_id, citizen_id, id)
);
create index conversation_message_thread on conversation_message (conversation_id, created_at, id);
create unique index conversation_message_idempotency on conversation_message (conversation_id, idempotency_key)
  where idempotency_key is not null;

create table message_attachment (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null,
  conversation_id uuid not null,
  organisation_id uuid not null,
  citizen_id uuid not null,
  -- Checked by content (magic bytes), never taken from the upload's name or declared type.
  content_type text not null check (content_type in ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes int not null check (size_bytes between 1 and 10485760),
  file_name bytea not null,                     -- sealed, AAD 'message_attachment.name:<id>'
  content bytea not null,                       -- sealed, AAD 'message_attachment.content:<id>'
  created_at timestamptz not null default now(),
  foreign key (organisation_id, citizen_id, message_id) references conversation_message (organisation_id, citizen_id, id),
  foreign key (organisation_id, citizen_id, conversation_id) references conversation (organisation_id, citizen_id, id)
);
create index message_attachment_message on message_attachment (message_id);
create index message_attachment_conversation on message_attachment (conversation_id);

-- Internal notes: employees only. No policy for citizens, so they never reach the citizen or their exports.
create table conversation_note (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null,
  organisation_id uuid not null,
  citizen_id uuid not null,
  author uuid not null references staff_account(id),
  author_name text check (length(author_name) <= 200),
  body bytea not null,                          -- sealed, AAD 'conversation_note.body:<id>'
  created_at timestamptz not null default now(),
  foreign key (organisation_id, citizen_id, conversation_id) references conversation (organisation_id, citizen_id, id)
);
create index conversation_note_thread on conversation_note (conversation_id, created_at);

-- Answers for frequent questions: the organisation's own texts (no citizen data).
create table message_template (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  title text not null check (length(title) between 1 and 120),
  body text not null check (length(body) between 1 and 5000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organisation_id, title)
);

-- ---------------------------------------------------------------------------------------------
-- Who may write
-- ---------------------------------------------------------------------------------------------
-- May the citizen (principal) message this organisation: an active care relationship in their portal; to START a
-- conversation the organisation must also offer 'messages' (MG-1). Replying in an existing conversation needs only
-- the relationship (an employee may have opened it from another function, e.g. a repeat-medication question).
create function koepel_citizen_messages_at(org uuid, starting boolean) returns boolean language sql stable as $$
  select koepel_principal_kind() = 'citizen' and exists (
    select 1 from care_relationship r
    join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
    join organisation o on o.id = r.organisation_id
    where r.citizen_id = koepel_citizen() and r.organisation_id = org
      and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)
      and (not starting or 'messages' = any(o.functions)))
$$;
revoke all on function koepel_citizen_messages_at(uuid, boolean) from public;
grant execute on function koepel_citizen_messages_at(uuid, boolean) to koepel_app;

-- Is this employee one who handles the organisation's messages (active, messages:read)? Used for addressing and
-- assigning; answers a yes/no only.
create function koepel_message_staff_ok(org uuid, staff uuid) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select exists (select 1 from membership m join staff_account a on a.id = m.staff_id
                 where m.organisation_id = org and m.staff_id = staff and m.disabled_at is null
                   and a.disabled_at is null and 'messages:read' = any(m.permissions))
$$;
revoke all on function koepel_message_staff_ok(uuid, uuid) from public;
grant execute on function koepel_message_staff_ok(uuid, uuid) to koepel_app;

-- The employees a citizen may address a conversation to: names only, and only where the citizen may start a
-- conversation at the organisation and the organisation allows it.
create function koepel_message_staff(org uuid) returns table (id uuid, name text)
language sql stable security definer set search_path = public, pg_temp as $$
  select a.id, a.display_name from staff_account a
  join membership m on m.staff_id = a.id and m.organisation_id = org
  join organisation o on o.id = org
  where (koepel_citizen_messages_at(org, true) and o.messages_to_staff)
    and m.disabled_at is null and a.disabled_at is null and 'messages:read' = any(m.permissions)
  order by a.display_name, a.id
$$;
revoke all on function koepel_message_staff(uuid) from public;
grant execute on function koepel_message_staff(uuid) to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- Triggers: defaults on insert, bookkeeping, guards
-- ---------------------------------------------------------------------------------------------
create function koepel_conversation_insert() returns trigger language plpgsql as $$
begin
  -- Bookkeeping starts empty whatever the writer sent.
  new.status := 'open';
  new.last_message_at := now();
  new.last_sender := null;
  new.message_count := 0;
  new.unread_by_organisation := 0;
  new.unread_by_citizen := 0;
  new.closed_at := null;
  new.closed_by := null;
  new.version := 1;
  new.created_at := now();
  new.updated_at := now();
  if new.addressed_to is not null then
    if not (select o.messages_to_staff from organisation o where o.id = new.organisation_id)
       or not koepel_message_staff_ok(new.organisation_id, new.addressed_to) then
      raise exception 'this employee cannot be addressed' using errcode = '42501';
    end if;
  end if;
  if new.assigned_to is not null and not koepel_message_staff_ok(new.organisation_id, new.assigned_to) then
    raise exception 'this employee cannot be assigned' using errcode = '42501';
  end if;
  if koepel_principal_kind() = 'citizen' then
    -- The citizen chooses whom to address, not whom it is assigned to.
    new.assigned_to := new.addressed_to;
  end if;
  if koepel_principal_kind() = 'staff' and new.started_by_staff is distinct from koepel_actor() then
    raise exception 'a conversation an employee opens names them' using errcode = '42501';
  end if;
  if new.follows_id is not null and not exists (
       select 1 from conversation f where f.id = new.follows_id and f.citizen_id = new.citizen_id
         and f.organisation_id = new.organisation_id) then
    raise exception 'follows another conversation of the same citizen and organisation' using errcode = '42501';
  end if;
  return new;
end $$;
create trigger conversation_insert before insert on conversation
  for each row execute function koepel_conversation_insert();

-- Direct updates by the app: assignment, close and reopen, by staff or the organisation's system. The bookkeeping
-- trigger below updates as the function owner (current_user is not koepel_app) and is not limited here.
create function koepel_conversation_guard() returns trigger language plpgsql as $$
declare
  kind text := koepel_principal_kind();
begin
  if current_user = 'koepel_app' then
    if kind not in ('staff', 'client') then
      raise exception 'only the organisation changes a conversation' using errcode = '42501';
    end if;
    if new.organisation_id <> old.organisation_id or new.citizen_id <> old.citizen_id or new.subject <> old.subject
       or new.started_by <> old.started_by or new.started_by_staff is distinct from old.started_by_staff
       or new.addressed_to is distinct from old.addressed_to
       or new.addressed_to_name is distinct from old.addressed_to_name
       or new.about_kind is distinct from old.about_kind or new.about_id is distinct from old.about_id
       or new.follows_id is distinct from old.follows_id or new.idempotency_key is distinct from old.idempotency_key
       or new.created_at <> old.created_at
       or new.last_message_at <> old.last_message_at or new.last_sender is distinct from old.last_sender
       or new.message_count <> old.message_count or new.unread_by_organisation <> old.unread_by_organisation
       or new.unread_by_citizen <> old.unread_by_citizen then
      raise exception 'conversation keys and bookkeeping cannot change' using errcode = '42501';
    end if;
    if new.assigned_to is distinct from old.assigned_to and new.assigned_to is not null
       and not koepel_message_staff_ok(new.organisation_id, new.assigned_to) then
      raise exception 'this employee cannot be assigned' using errcode = '42501';
    end if;
    if new.status <> old.status then
      if new.status = 'closed' then
        new.closed_at := now();
        new.closed_by := case when kind = 'staff' then koepel_actor() end;
      elsif old.status = 'closed' then
        -- Reopened: waiting for whoever did not write last.
        new.status := case when old.last_sender = 'citizen' or old.last_sender is null then 'open' else 'answered' end;
        new.closed_at := null;
        new.closed_by := null;
      else
        raise exception 'the status follows the messages; only close and reopen' using errcode = '42501';
      end if;
    elsif new.closed_at is distinct from old.closed_at or new.closed_by is distinct from old.closed_by then
      raise exception 'closing goes through the status' using errcode = '42501';
    end if;
  end if;
  new.updated_at := now();
  new.version := old.version + 1;
  return new;
end $$;
create trigger conversation_guard before update on conversation
  for each row execute function koepel_conversation_guard();

-- Messages are immutable; only read_at/read_by are set, once, by the other side.
create function koepel_message_insert() returns trigger language plpgsql as $$
declare
  kind text := koepel_principal_kind();
begin
  new.read_at := null;
  new.read_by := null;
  if new.created_at > now() then
    raise exception 'a message cannot be dated in the future' using errcode = '22007';
  end if;
  if (kind = 'citizen' and new.sender <> 'citizen') or (kind = 'client' and new.sender <> 'system')
     or (kind = 'staff' and (new.sender <> 'staff' or new.sender_staff is distinct from koepel_actor())) then
    raise exception 'a message names its real sender' using errcode = '42501';
  end if;
  return new;
end $$;
create trigger conversation_message_insert before insert on conversation_message
  for each row execute function koepel_message_insert();

create function koepel_message_guard() returns trigger language plpgsql as $$
declare
  kind text := koepel_principal_kind();
begin
  if new.id <> old.id or new.conversation_id <> old.conversation_id or new.organisation_id <> old.organisation_id
     or new.citizen_id <> old.citizen_id or new.sender <> old.sender
     or new.sender_staff is distinct from old.sender_staff or new.sender_name is distinct from old.sender_name
     or new.body <> old.body or new.idempotency_key is distinct from old.idempotency_key
     or new.created_at <> old.created_at then
    raise exception 'a message cannot change' using errcode = '42501';
  end if;
  if new.read_at is distinct from old.read_at or new.read_by is distinct from old.read_by then
    if old.read_at is not null or new.read_at is null then
      raise exception 'a message is marked read once' using errcode = '42501';
    end if;
    if (kind = 'citizen' and (old.sender = 'citizen' or new.read_by is not null))
       or (kind = 'staff' and (old.sender <> 'citizen' or new.read_by is distinct from koepel_actor()))
       or (kind = 'client' and (old.sender <> 'citizen' or new.read_by is not null))
       or kind not in ('citizen', 'staff', 'client') then
      raise exception 'only the other side marks a message read' using errcode = '42501';
    end if;
  end if;
  return new;
end $$;
create trigger conversation_message_guard before update on conversation_message
  for each row execute function koepel_message_guard();

-- Keeps the conversation's status, last message and unread counters (see the top of this file).
create function koepel_message_bookkeeping() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    update conversation set
      status = case when new.sender = 'citizen' then 'open' else 'answered' end,
      last_message_at = greatest(last_message_at, new.created_at),
      last_sender = new.sender,
      message_count = message_count + 1,
      unread_by_organisation = unread_by_organisation + case when new.sender = 'citizen' then 1 else 0 end,
      unread_by_citizen = unread_by_citizen + case when new.sender = 'citizen' then 0 else 1 end
    where id = new.conversation_id and status <> 'closed';
    if not found then
      raise exception 'conversation is closed' using errcode = 'KM001';
    end if;
  elsif old.read_at is null and new.read_at is not null then
    update conversation set
      unread_by_organisation = greatest(unread_by_organisation - case when new.sender = 'citizen' then 1 else 0 end, 0),
      unread_by_citizen = greatest(unread_by_citizen - case when new.sender = 'citizen' then 0 else 1 end, 0)
    where id = new.conversation_id;
  end if;
  return null;
end $$;
revoke all on function koepel_message_bookkeeping() from public;
create trigger conversation_message_bookkeeping after insert or update of read_at on conversation_message
  for each row execute function koepel_message_bookkeeping();

-- Attachments: with their own message, in its transaction, by the same sender; at most 3 per message.
create function koepel_attachment_insert() returns trigger language plpgsql as $$
declare
  kind text := koepel_principal_kind();
  m record;
begin
  select sender, sender_staff, created_at, conversation_id into m from conversation_message where id = new.message_id;
  if not found or m.conversation_id <> new.conversation_id then
    raise exception 'attachment without its message' using errcode = '42501';
  end if;
  if m.created_at <> now() then
    raise exception 'attachments are added with their message only' using errcode = '42501';
  end if;
  if (kind = 'citizen' and m.sender <> 'citizen') or (kind = 'client' and m.sender <> 'system')
     or (kind = 'staff' and (m.sender <> 'staff' or m.sender_staff is distinct from koepel_actor())) then
    raise exception 'only the sender attaches files to a message' using errcode = '42501';
  end if;
  if (select count(*) from message_attachment a where a.message_id = new.message_id) >= 3 then
    raise exception 'at most 3 attachments per message' using errcode = '23514';
  end if;
  new.created_at := now();
  return new;
end $$;
create trigger message_attachment_insert before insert on message_attachment
  for each row execute function koepel_attachment_insert();

create function koepel_note_insert() returns trigger language plpgsql as $$
begin
  if new.author is distinct from koepel_actor() then
    raise exception 'a note names its author' using errcode = '42501';
  end if;
  new.created_at := now();
  return new;
end $$;
create trigger conversation_note_insert before insert on conversation_note
  for each row execute function koepel_note_insert();

create function koepel_template_touch() returns trigger language plpgsql as $$
begin
  if new.organisation_id <> old.organisation_id then
    raise exception 'a template stays with its organisation' using errcode = '42501';
  end if;
  new.updated_at := now();
  return new;
end $$;
create trigger message_template_touch before update on message_template
  for each row execute function koepel_template_touch();

-- ---------------------------------------------------------------------------------------------
-- Row-level security (ZL-10: staff only of their own organisation and only with messages:read)
-- ---------------------------------------------------------------------------------------------
alter table conversation enable row level security;
alter table conversation force row level security;
create policy conversation_citizen_read on conversation for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id));
create policy conversation_citizen_insert on conversation for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and started_by = 'citizen'
              and about_id is null and koepel_citizen_messages_at(organisation_id, true));
-- Only for the bookkeeping trigger (a citizen's message updates its conversation); koepel_conversation_guard
-- refuses every direct update by a citizen.
create policy conversation_citizen_update on conversation for update
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());
create policy conversation_staff on conversation
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('messages:read')
         and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('messages:read') and koepel_audited(citizen_id)
              and exists (select 1 from care_relationship r where r.citizen_id = conversation.citizen_id
                          and r.organisation_id = conversation.organisation_id
                          and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)));
create policy conversation_client on conversation
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id));

alter table conversation_message enable row level security;
alter table conversation_message force row level security;
create policy conversation_message_citizen_read on conversation_message for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id));
create policy conversation_message_citizen_insert on conversation_message for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and sender = 'citizen'
              and koepel_citizen_messages_at(organisation_id, false));
create policy conversation_message_citizen_update on conversation_message for update
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());
create policy conversation_message_staff on conversation_message
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('messages:read')
         and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('messages:read') and koepel_audited(citizen_id));
create policy conversation_message_client on conversation_message
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id));

alter table message_attachment enable row level security;
alter table message_attachment force row level security;
create policy message_attachment_citizen_read on message_attachment for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id));
create policy message_attachment_citizen_insert on message_attachment for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen()
              and koepel_citizen_messages_at(organisation_id, false));
create policy message_attachment_staff on message_attachment
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('messages:read')
         and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('messages:read') and koepel_audited(citizen_id));
create policy message_attachment_client on message_attachment
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id));

-- Internal notes: the organisation's employees with messages:read only. No citizen, no client, no operator policy.
alter table conversation_note enable row level security;
alter table conversation_note force row level security;
create policy conversation_note_staff on conversation_note
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('messages:read')
         and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('messages:read') and koepel_audited(citizen_id));

alter table message_template enable row level security;
alter table message_template force row level security;
create policy message_template_staff on message_template
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
         and (koepel_has_permission('messages:read') or koepel_has_permission('admin:organisation')))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and (koepel_has_permission('messages:read') or koepel_has_permission('admin:organisation')));

-- ---------------------------------------------------------------------------------------------
-- Ids-only lookups for staff (ZL-1 audit-first; row-level security still limits them to the own organisation and
-- to messages:read through the policies above)
-- ---------------------------------------------------------------------------------------------
-- One page of the inbox. state: 'unread' (not closed, a citizen message not yet read), 'open' (waiting for us),
-- 'answered' (waiting for the citizen), 'closed', 'active' (open or answered). who: 'mine', 'unassigned', 'all'.
-- Newest first. plpgsql with one static statement per state, so each uses its index with a kept plan.
create function koepel_message_inbox(state text, who text, page_size int, page_offset int)
returns table (conversation_id uuid, citizen_id uuid)
language plpgsql stable
set koepel.patient_search = 'on'
as $$
declare
  me uuid := koepel_actor();
  org uuid := koepel_org();
begin
  if koepel_principal_kind() <> 'staff' or not koepel_has_permission('messages:read') then
    return;
  end if;
  if state = 'unread' then
    return query select c.id, c.citizen_id from conversation c
      where c.organisation_id = org and c.unread_by_organisation > 0 and c.status <> 'closed'
        and (who = 'all' or (who = 'mine' and c.assigned_to = me) or (who = 'unassigned' and c.assigned_to is null))
      order by c.last_message_at desc, c.id desc limit page_size offset page_offset;
  elsif state = 'active' then
    return query select c.id, c.citizen_id from conversation c
      where c.organisation_id = org and c.status in ('open', 'answered')
        and (who = 'all' or (who = 'mine' and c.assigned_to = me) or (who = 'unassigned' and c.assigned_to is null))
      order by c.last_message_at desc, c.id desc limit page_size offset page_offset;
  elsif who = 'mine' then
    return query select c.id, c.citizen_id from conversation c
      where c.organisation_id = org and c.assigned_to = me and c.status = state
      order by c.last_message_at desc, c.id desc limit page_size offset page_offset;
  elsif who = 'unassigned' then
    return query select c.id, c.citizen_id from conversation c
      where c.organisation_id = org and c.assigned_to is null and c.status = state
      order by c.last_message_at desc, c.id desc limit page_size offset page_offset;
  else
    return query select c.id, c.citizen_id from conversation c
      where c.organisation_id = org and c.status = state
      order by c.last_message_at desc, c.id desc limit page_size offset page_offset;
  end if;
end $$;
revoke all on function koepel_message_inbox(text, text, int, int) from public;
grant execute on function koepel_message_inbox(text, text, int, int) to koepel_app;

-- Numbers for the inbox's filters (for one "who"): no ids, no content.
create function koepel_message_inbox_counts(who text)
returns table (unread bigint, open bigint, answered bigint, closed bigint)
language sql stable
set koepel.patient_search = 'on'
as $$
  select count(*) filter (where c.unread_by_organisation > 0 and c.status <> 'closed'),
         count(*) filter (where c.status = 'open'),
         count(*) filter (where c.status = 'answered'),
         count(*) filter (where c.status = 'closed')
  from conversation c
  where koepel_principal_kind() = 'staff' and koepel_has_permission('messages:read') and c.organisation_id = koepel_org()
    and (who = 'all' or (who = 'mine' and c.assigned_to = koepel_actor()) or (who = 'unassigned' and c.assigned_to is null))
$$;
revoke all on function koepel_message_inbox_counts(text) from public;
grant execute on function koepel_message_inbox_counts(text) to koepel_app;

-- The staff menu badge: open conversations (waiting for us) that are unassigned or assigned to me.
create function koepel_message_badge() returns int
language sql stable
set koepel.patient_search = 'on'
as $$
  select count(*)::int from conversation c
  where koepel_principal_kind() = 'staff' and koepel_has_permission('messages:read') and c.organisation_id = koepel_org()
    and c.status = 'open' and (c.assigned_to is null or c.assigned_to = koepel_actor())
$$;
revoke all on function koepel_message_badge() from public;
grant execute on function koepel_message_badge() to koepel_app;

-- Whom one conversation is about, for staff about to open it (ids only), like koepel_agenda_appointment_citizen.
create function koepel_message_conversation_citizen(conversation uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select c.citizen_id from conversation c
  where koepel_principal_kind() in ('staff', 'client') and c.id = conversation and c.organisation_id = koepel_org()
$$;
revoke all on function koepel_message_conversation_citizen(uuid) from public;
grant execute on function koepel_message_conversation_citizen(uuid) to koepel_app;

-- The citizen's menu badge: how many of their conversations have an unread answer (a number only, so the menu does
-- not write an audit record on every page).
create function koepel_message_citizen_unread() returns int
language sql stable
set koepel.patient_search = 'on'
as $$
  select count(*)::int from conversation c
  where koepel_principal_kind() = 'citizen' and c.citizen_id = koepel_citizen() and c.unread_by_citizen > 0
$$;
revoke all on function koepel_message_citizen_unread() from public;
grant execute on function koepel_message_citizen_unread() to koepel_app;

grant select, insert on conversation to koepel_app;
grant update (assigned_to, status, closed_at, closed_by) on conversation to koepel_app;
grant select, insert on conversation_message to koepel_app;
grant update (read_at, read_by) on conversation_message to koepel_app;
grant select, insert on message_attachment, conversation_note to koepel_app;
grant select, insert, update, delete on message_template to koepel_app;
