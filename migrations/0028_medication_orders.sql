-- Issue 13: repeat medication (MG-8 ordering; MG-5/MG-13 for these orders; MG-1: only where the organisation
-- switched 'repeat-medication' on).
--
-- A citizen orders medicines again that the organisation marks as repeatable (src/medication-orders/repeatable.ts:
-- a current MP9 medication agreement of that organisation with repeats allowed or a continuous course, unless the
-- organisation's system says otherwise in the Koepel extension). The order is in the organisation's inbox at once
-- (/staff/medication-orders) and readable by its own system as a FHIR Task (src/fhir/medication-orders.ts).
-- Staff and the system answer: approve, refuse (with a reason), ask a question, ready for pickup, sent, delivered.
-- Every change is one row of medication_order_event, which the citizen reads as the order's history.
--
-- What the citizen ordered (medicine names, codes, dosage), their note, a refusal reason and a question are medical
-- content: sealed under the organisation's key.

-- Whether the organisation (a pharmacy) delivers orders at home: the citizen then chooses pickup or delivery.
alter table organisation add column medication_delivery boolean not null default false;
-- Its admin switches it (the existing organisation policies: own organisation, admin:organisation).
grant update (medication_delivery) on organisation to koepel_app;

create table medication_order (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  status text not null default 'requested'
    check (status in ('requested', 'question', 'approved', 'refused', 'ready', 'sent', 'delivered', 'cancelled')),
  delivery text not null default 'pickup' check (delivery in ('pickup', 'delivery')),
  -- The medicines as the citizen saw them (name, codes, dosage, the record resource each came from): sealed.
  items_ciphertext bytea not null,
  item_count int not null check (item_count between 1 and 20),
  -- The citizen's note to the organisation: sealed, or null.
  note_ciphertext bytea,
  -- A resubmitted form (double click, back and submit again) finds the first order instead of making a second.
  idempotency_key uuid not null,
  -- Who changed it last, as the citizen sees it.
  changed_by text not null default 'citizen' check (changed_by in ('citizen', 'staff', 'system')),
  changed_by_staff uuid references staff_account(id),
  changed_by_name text check (length(changed_by_name) <= 200),
  version int not null default 1,               -- FHIR meta.versionId
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((changed_by = 'staff') = (changed_by_staff is not null)),
  unique (citizen_id, idempotency_key),
  unique (organisation_id, id)
);
create index medication_order_citizen on medication_order (citizen_id, created_at);
create index medication_order_org_updated on medication_order (organisation_id, updated_at);
create index medication_order_org_open on medication_order (organisation_id, created_at)
  where status in ('requested', 'question', 'approved', 'ready', 'sent');

-- The history of an order: one row per status change (the first is 'requested'), with the text that goes with it
-- (refusal reason, question), sealed. Never updated or deleted.
create table medication_order_event (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null,
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  status text not null
    check (status in ('requested', 'question', 'approved', 'refused', 'ready', 'sent', 'delivered', 'cancelled')),
  actor text not null check (actor in ('citizen', 'staff', 'system')),
  actor_staff uuid references staff_account(id),
  actor_name text check (length(actor_name) <= 200),
  text_ciphertext bytea,
  created_at timestamptz not null default clock_timestamp(),
  check ((actor = 'staff') = (actor_staff is not null)),
  foreign key (organisation_id, order_id) references medication_order (organisation_id, id)
);
create index medication_order_event_order on medication_order_event (order_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
-- May this citizen order repeat medication at this organisation now: an active care relationship in their portal,
-- and the organisation offers 'repeat-medication' (MG-1).
create function koepel_citizen_orders_at(org uuid) returns boolean language sql stable as $$
  select koepel_principal_kind() = 'citizen' and exists (
    select 1 from care_relationship r
    join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
    join organisation o on o.id = r.organisation_id
    where r.citizen_id = koepel_citizen() and r.organisation_id = org
      and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)
      and 'repeat-medication' = any(o.functions))
$$;
grant execute on function koepel_citizen_orders_at(uuid) to koepel_app;

-- The citizen reads and places their own orders (after an audit record), and cancels one, only where they may order
-- now. Staff of the organisation with medication:orders read and answer its orders of current patients. The
-- organisation's own system (API client) reads and answers them. Nobody else sees a row; nobody deletes one.
alter table medication_order enable row level security;
alter table medication_order force row level security;
create policy medication_order_citizen_read on medication_order for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and koepel_citizen_orders_at(organisation_id));
create policy medication_order_citizen_insert on medication_order for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen()
              and koepel_citizen_orders_at(organisation_id)
              and status = 'requested' and changed_by = 'citizen' and version = 1);
create policy medication_order_citizen_update on medication_order for update
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and koepel_citizen_orders_at(organisation_id))
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen()
              and koepel_citizen_orders_at(organisation_id));
create policy medication_order_staff_read on medication_order for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
         and koepel_has_permission('medication:orders') and koepel_audited(citizen_id));
create policy medication_order_staff_update on medication_order for update
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
         and koepel_has_permission('medication:orders') and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('medication:orders') and koepel_audited(citizen_id)
              and exists (select 1 from care_relationship r where r.citizen_id = medication_order.citizen_id
                          and r.organisation_id = medication_order.organisation_id
                          and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)));
create policy medication_order_client_read on medication_order for select
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id));
create policy medication_order_client_update on medication_order for update
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org());

-- Each kind of principal changes only what its actions need (defence in depth below the code):
--   citizen: cancel while nobody has handled the order yet (requested or question → cancelled), nothing else;
--   staff and the organisation's system: answer along the order's course (the same transitions for both);
--   nobody: the organisation, the citizen, what was ordered, the note, pickup or delivery, the idempotency key.
create function koepel_medication_order_guard() returns trigger language plpgsql as $$
declare
  kind text := koepel_principal_kind();
  allowed boolean;
begin
  if new.organisation_id <> old.organisation_id or new.citizen_id <> old.citizen_id
     or new.items_ciphertext <> old.items_ciphertext or new.item_count <> old.item_count
     or new.note_ciphertext is distinct from old.note_ciphertext or new.delivery <> old.delivery
     or new.idempotency_key <> old.idempotency_key or new.created_at <> old.created_at then
    raise exception 'medication order keys cannot change' using errcode = '42501';
  end if;
  if kind = 'citizen' then
    allowed := old.status in ('requested', 'question') and new.status = 'cancelled'
               and new.changed_by = 'citizen' and new.changed_by_staff is null;
  elsif kind in ('staff', 'client') then
    allowed := (case old.status
                  when 'requested' then new.status in ('approved', 'refused', 'question', 'ready', 'sent')
                  when 'question' then new.status in ('approved', 'refused', 'question', 'ready', 'sent')
                  when 'approved' then new.status in ('refused', 'ready', 'sent')
                  when 'ready' then new.status = 'delivered'
                  when 'sent' then new.status = 'delivered'
                  else false end)
               and (new.status <> 'ready' or old.delivery = 'pickup')
               and (new.status <> 'sent' or old.delivery = 'delivery')
               and (case kind
                      when 'staff' then new.changed_by = 'staff' and new.changed_by_staff = koepel_actor()
                      else new.changed_by = 'system' and new.changed_by_staff is null end);
  else
    allowed := false;
  end if;
  if not coalesce(allowed, false) then
    raise exception 'medication order status % to % refused', old.status, new.status using errcode = '42501';
  end if;
  new.updated_at := now();
  new.version := old.version + 1;
  return new;
end $$;
create trigger medication_order_guard before update on medication_order
  for each row execute function koepel_medication_order_guard();

-- The history: each principal reads what it reads of the order, and adds the event of its own change, naming
-- itself, with the status the order now has.
alter table medication_order_event enable row level security;
alter table medication_order_event force row level security;
create policy medication_order_event_citizen_read on medication_order_event for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id)
         and koepel_citizen_orders_at(organisation_id));
create policy medication_order_event_citizen_insert on medication_order_event for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen()
              and koepel_citizen_orders_at(organisation_id)
              and actor = 'citizen' and actor_staff is null and status in ('requested', 'cancelled')
              and exists (select 1 from medication_order o where o.id = medication_order_event.order_id and o.status = medication_order_event.status
                          and o.citizen_id = medication_order_event.citizen_id
                          and o.organisation_id = medication_order_event.organisation_id));
create policy medication_order_event_staff_read on medication_order_event for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
         and koepel_has_permission('medication:orders') and koepel_audited(citizen_id));
create policy medication_order_event_staff_insert on medication_order_event for insert
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('medication:orders') and koepel_audited(citizen_id)
              and actor = 'staff' and actor_staff = koepel_actor()
              and exists (select 1 from medication_order o where o.id = medication_order_event.order_id and o.status = medication_order_event.status
                          and o.citizen_id = medication_order_event.citizen_id));
create policy medication_order_event_client_read on medication_order_event for select
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id));
create policy medication_order_event_client_insert on medication_order_event for insert
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id)
              and actor = 'system' and actor_staff is null
              and exists (select 1 from medication_order o where o.id = medication_order_event.order_id and o.status = medication_order_event.status
                          and o.citizen_id = medication_order_event.citizen_id));

grant select, insert, update on medication_order to koepel_app;
grant select, insert on medication_order_event to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- Ids-only lookups (the pattern of 0023/0024): a list of many citizens' orders first learns whose they are, audits
-- a read of each citizen, and only then reads the rows.
-- ---------------------------------------------------------------------------------------------
-- The staff inbox: the organisation's orders in some statuses, oldest first (row-level security still limits them to
-- the employee's organisation and to employees with medication:orders).
create function koepel_staff_medication_orders(statuses text[], max_rows int)
returns table (order_id uuid, citizen_id uuid)
language sql stable
set koepel.patient_search = 'on'
as $$
  select o.id, o.citizen_id from medication_order o
  where koepel_principal_kind() = 'staff' and o.organisation_id = koepel_org() and o.status = any (statuses)
  order by o.created_at, o.id
  limit greatest(0, least(coalesce(max_rows, 0), 500))
$$;
revoke all on function koepel_staff_medication_orders(text[], int) from public;
grant execute on function koepel_staff_medication_orders(text[], int) to koepel_app;

-- Whom one of the organisation's orders is about, for staff about to read or answer it (ids only).
create function koepel_staff_medication_order_citizen(order_id uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select o.citizen_id from medication_order o
  where koepel_principal_kind() = 'staff' and o.organisation_id = koepel_org() and o.id = order_id
$$;
revoke all on function koepel_staff_medication_order_citizen(uuid) from public;
grant execute on function koepel_staff_medication_order_citizen(uuid) to koepel_app;

-- The number beside "Herhaalrecepten" in the staff menu: new orders nobody has handled yet.
create function koepel_open_medication_order_count() returns bigint
language sql stable
set koepel.patient_search = 'on'
as $$
  select count(*) from medication_order o
  where koepel_principal_kind() = 'staff' and o.organisation_id = koepel_org() and o.status = 'requested'
$$;
revoke all on function koepel_open_medication_order_count() from public;
grant execute on function koepel_open_medication_order_count() to koepel_app;

-- The organisation's system polls: its orders changed in a window of updated_at, optionally of some statuses or one
-- citizen, oldest change first; `total` is the number of matches before limit and offset. Only orders of citizens
-- with a care relationship the client still sees (care_relationship_org hides an ended one, PZ-4).
create function koepel_client_medication_orders(
  after_ts timestamptz, after_inclusive boolean,
  before_ts timestamptz, before_inclusive boolean,
  statuses text[], citizen uuid, lim int, skip int)
returns table (order_id uuid, citizen_id uuid, total bigint)
language sql stable
set koepel.patient_search = 'on'
as $$
  select o.id, o.citizen_id, count(*) over ()
  from medication_order o
  where koepel_principal_kind() = 'client' and o.organisation_id = koepel_org()
    and (after_ts is null or o.updated_at > after_ts or (after_inclusive and o.updated_at = after_ts))
    and (before_ts is null or o.updated_at < before_ts or (before_inclusive and o.updated_at = before_ts))
    and (statuses is null or o.status = any (statuses))
    and (citizen is null or o.citizen_id = citizen)
    and exists (select 1 from care_relationship r
                where r.citizen_id = o.citizen_id and r.organisation_id = o.organisation_id)
  order by o.updated_at, o.id
  limit greatest(lim, 0) offset greatest(skip, 0)
$$;
revoke all on function koepel_client_medication_orders(timestamptz, boolean, timestamptz, boolean, text[], uuid, int, int)
  from public;
grant execute on function koepel_client_medication_orders(timestamptz, boolean, timestamptz, boolean, text[], uuid, int, int)
  to koepel_app;

-- Whom one order of the organisation is about (for a read or an update by id by its system), or null.
create function koepel_client_medication_order_citizen(order_id uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select o.citizen_id from medication_order o
  where koepel_principal_kind() = 'client' and o.organisation_id = koepel_org() and o.id = order_id
    and exists (select 1 from care_relationship r
                where r.citizen_id = o.citizen_id and r.organisation_id = o.organisation_id)
$$;
revoke all on function koepel_client_medication_order_citizen(uuid) from public;
grant execute on function koepel_client_medication_order_citizen(uuid) to koepel_app;
