-- Issue 12: appointments (MG-6), the staff agenda, FHIR Schedule/Slot/Appointment (MG-5) and video consults (LU-1).
--
-- Two kinds of agenda:
--   * Koepel's own: an organisation defines appointment types and each staff member's weekly availability with
--     absences; free times are computed from those minus what is booked (src/appointments/slots.ts).
--   * The organisation's own system: it pushes Schedule and Slot resources over FHIR (appointment_schedule,
--     appointment_slot); a citizen books one free slot, the system reads the Appointment and confirms or refuses it.
--
-- Two citizens can never hold the same time, and the database says so, not only the code:
--   * Koepel agenda: an exclusion constraint on (staff, time range) over the appointments that hold time;
--   * external slots: a unique index on the slot over the appointments that hold it.
-- The booking code also takes a per-staff advisory lock first (src/appointments/booking.ts): without it,
-- concurrent bookings of different lengths deadlock inside the constraint check (docs/notes/issue-12-groundwork.md §1.2).
create extension if not exists btree_gist;

-- Which agenda the organisation uses: Koepel's, or the one in its own system that publishes slots over FHIR.
alter table organisation add column agenda text not null default 'koepel' check (agenda in ('koepel', 'external'));
-- The booking page says appointments are not for emergencies: 112, the organisation's own number, and for a GP
-- practice the out-of-hours service (huisartsenpost) it names.
alter table organisation add column out_of_hours_name text check (length(out_of_hours_name) <= 120);
alter table organisation add column out_of_hours_phone text check (length(out_of_hours_phone) <= 40);

-- ---------------------------------------------------------------------------------------------
-- What can be booked
-- ---------------------------------------------------------------------------------------------
create table appointment_type (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  name text not null check (length(name) between 1 and 80),
  -- Matches Slot.appointmentType / Slot.serviceType codes an organisation's system sends (external agenda).
  code text check (code is null or length(code) between 1 and 64),
  duration_minutes int not null check (duration_minutes between 5 and 240 and duration_minutes % 5 = 0),
  online_bookable boolean not null default true,
  video boolean not null default false,
  -- Who can do it; empty means every employee who has an agenda.
  staff_ids uuid[] not null default '{}',
  booking_horizon_days int not null default 28 check (booking_horizon_days between 1 and 365),
  -- A citizen books at least this long before the start.
  min_notice_minutes int not null default 60 check (min_notice_minutes between 0 and 10080),
  -- A citizen changes or cancels no later than this many hours before the start.
  cancel_until_hours int not null default 24 check (cancel_until_hours between 0 and 336),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (organisation_id, name),
  unique (organisation_id, id)
);
create unique index appointment_type_code on appointment_type (organisation_id, code) where code is not null;

-- A staff member's weekly working hours for appointments (local time, Europe/Amsterdam), valid over a date range.
create table staff_availability (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  staff_id uuid not null references staff_account(id),
  weekday int not null check (weekday between 1 and 7),           -- ISO: 1 = Monday
  start_time time not null,
  end_time time not null,
  valid_from date not null default current_date,
  valid_until date,
  created_at timestamptz not null default now(),
  check (end_time > start_time),
  check (valid_until is null or valid_until >= valid_from),
  foreign key (staff_id, organisation_id) references membership (staff_id, organisation_id)
);
create index staff_availability_staff on staff_availability (organisation_id, staff_id);

-- Holidays, sick leave, training: no appointments in this range. The kind is for the agenda only; citizens see
-- nothing of it beyond the time not being free.
create table staff_absence (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  staff_id uuid not null references staff_account(id),
  during tstzrange not null check (not isempty(during) and lower_inc(during) and not upper_inc(during)
                                   and not lower_inf(during) and not upper_inf(during)),
  kind text not null check (kind in ('holiday', 'sick', 'training', 'other')),
  created_at timestamptz not null default now(),
  foreign key (staff_id, organisation_id) references membership (staff_id, organisation_id)
);
create index staff_absence_staff on staff_absence using gist (staff_id, during);

-- ---------------------------------------------------------------------------------------------
-- The organisation's own system's agenda, pushed over FHIR (Schedule, Slot). Not citizen data.
-- ---------------------------------------------------------------------------------------------
create table appointment_schedule (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  logical_id text not null check (logical_id ~ '^[A-Za-z0-9.-]{1,64}$'),
  -- Who the citizen books with: Schedule.actor's display (a practitioner, a role, a room).
  actor_display text,
  active boolean not null default true,
  resource jsonb not null,
  version int not null default 1,
  updated_at timestamptz not null default now(),
  unique (organisation_id, logical_id),
  unique (organisation_id, id)
);

create table appointment_slot (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  schedule_id uuid not null,
  logical_id text not null check (logical_id ~ '^[A-Za-z0-9.-]{1,64}$'),
  during tstzrange not null check (not isempty(during) and lower_inc(during) and not upper_inc(during)
                                   and not lower_inf(during) and not upper_inf(during)),
  status text not null check (status in ('free', 'busy', 'busy-unavailable', 'busy-tentative', 'entered-in-error')),
  appointment_type_id uuid,
  resource jsonb not null,
  version int not null default 1,
  updated_at timestamptz not null default now(),
  unique (organisation_id, logical_id),
  unique (organisation_id, id),
  foreign key (organisation_id, schedule_id) references appointment_schedule (organisation_id, id),
  foreign key (organisation_id, appointment_type_id) references appointment_type (organisation_id, id)
);
create index appointment_slot_free on appointment_slot (organisation_id, lower(during)) where status = 'free';

-- ---------------------------------------------------------------------------------------------
-- Appointments made in Koepel (pushed-in appointments of provider systems stay in record_resource)
-- ---------------------------------------------------------------------------------------------
create table appointment (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  type_id uuid not null,
  -- Koepel agenda: the staff member; external agenda: the slot (and its schedule's actor).
  staff_id uuid references staff_account(id),
  slot_id uuid,
  during tstzrange not null check (not isempty(during) and lower_inc(during) and not upper_inc(during)
                                   and not lower_inf(during) and not upper_inf(during)),
  -- requested: waiting for the organisation's system (FHIR pending); booked; cancelled; refused by the organisation.
  status text not null check (status in ('requested', 'booked', 'cancelled', 'refused')),
  video boolean not null default false,
  -- Minutes before the start the citizen wants a reminder (delivered by the notifications work, issue 14).
  reminder_minutes int check (reminder_minutes is null or reminder_minutes in (60, 180, 1440, 2880)),
  -- Who made and last changed it, as the citizen sees it: the citizen, a named employee, or the organisation's system.
  booked_by text not null check (booked_by in ('citizen', 'staff')),
  booked_by_staff uuid references staff_account(id),
  booked_by_name text,
  changed_by text check (changed_by in ('citizen', 'staff', 'system')),
  changed_by_name text,
  staff_name text,
  -- A resubmitted form (double click, back and submit again) finds the first booking instead of making a second.
  idempotency_key uuid,
  sequence int not null default 0,              -- iCalendar SEQUENCE: raised on every change of time or status
  version int not null default 1,               -- FHIR meta.versionId
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((staff_id is null) <> (slot_id is null)),
  check ((booked_by = 'staff') = (booked_by_staff is not null)),
  foreign key (organisation_id, type_id) references appointment_type (organisation_id, id),
  foreign key (organisation_id, slot_id) references appointment_slot (organisation_id, id),
  constraint appointment_no_overlap exclude using gist (staff_id with =, during with &&)
    where (status in ('requested', 'booked') and staff_id is not null)
);
create unique index appointment_one_per_slot on appointment (slot_id)
  where status in ('requested', 'booked') and slot_id is not null;
create unique index appointment_idempotency on appointment (citizen_id, idempotency_key) where idempotency_key is not null;
create index appointment_citizen on appointment (citizen_id, lower(during));
create index appointment_org_time on appointment (organisation_id, lower(during));
create index appointment_org_updated on appointment (organisation_id, updated_at);

-- The reason, medical content: encrypted under the organisation's key, in its own table so that row-level security
-- decides who reads it (the citizen who wrote it, staff with agenda:reasons, the organisation's system).
create table appointment_reason (
  appointment_id uuid primary key references appointment(id),
  organisation_id uuid not null references organisation(id),
  citizen_id uuid not null references citizen(id),
  ciphertext bytea not null
);

-- ---------------------------------------------------------------------------------------------
-- Rights (ZL-10): see the agenda and book for citizens; see the reasons. Care roles get both.
-- ---------------------------------------------------------------------------------------------
create or replace function koepel_membership_admin_guard() returns trigger language plpgsql as $$
begin
  if koepel_principal_kind() <> 'staff' then
    return new;
  end if;
  if not (new.permissions <@ array['patients:search', 'patients:read', 'record:read', 'record:requests',
                                   'audit:read', 'admin:staff', 'admin:organisation', 'admin:api-clients',
                                   'agenda:read', 'agenda:reasons']) then
    raise exception 'unknown permission' using errcode = '22023';
  end if;
  if tg_op = 'UPDATE' then
    if new.staff_id <> old.staff_id or new.organisation_id <> old.organisation_id
       or new.created_at <> old.created_at then
      raise exception 'membership keys cannot change' using errcode = '42501';
    end if;
    if new.staff_id = koepel_actor()
       and (not ('admin:staff' = any(new.permissions)) or new.disabled_at is not null) then
      raise exception 'an admin cannot lock themselves out' using errcode = '42501';
    end if;
  end if;
  return new;
end $$;

update membership set permissions = array(select distinct unnest(permissions || '{agenda:read,agenda:reasons}'::text[]))
  where role in ('doctor', 'assistant', 'pharmacist', 'therapist', 'social_worker');

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
-- May this citizen book at this organisation now: an active care relationship in their portal, and the
-- organisation offers appointments (MG-1).
create function koepel_citizen_books_at(org uuid) returns boolean language sql stable as $$
  select koepel_principal_kind() = 'citizen' and exists (
    select 1 from care_relationship r
    join portal_organisation po on po.organisation_id = r.organisation_id and po.portal_id = koepel_portal()
    join organisation o on o.id = r.organisation_id
    where r.citizen_id = koepel_citizen() and r.organisation_id = org
      and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)
      and 'appointments' = any(o.functions))
$$;
grant execute on function koepel_citizen_books_at(uuid) to koepel_app;

-- Appointment types are no personal data: everyone logged in reads them; an organisation's admin writes its own.
alter table appointment_type enable row level security;
alter table appointment_type force row level security;
create policy appointment_type_read on appointment_type for select using (koepel_principal_kind() <> 'anonymous');
create policy appointment_type_admin on appointment_type
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:organisation'))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:organisation'));

-- Availability and absences: the organisation's staff read them (the agenda), admins write them. Citizens see
-- only the free times that follow from them, through koepel_agenda_inputs.
alter table staff_availability enable row level security;
alter table staff_availability force row level security;
create policy staff_availability_read on staff_availability for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org());
create policy staff_availability_admin on staff_availability
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:organisation'))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:organisation'));
alter table staff_absence enable row level security;
alter table staff_absence force row level security;
create policy staff_absence_read on staff_absence for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org());
create policy staff_absence_admin on staff_absence
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:organisation'))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:organisation'));

-- Schedules and slots: written by the organisation's own system (API client), read by its staff and system.
alter table appointment_schedule enable row level security;
alter table appointment_schedule force row level security;
create policy appointment_schedule_org on appointment_schedule
  using (koepel_org_principal() and organisation_id = koepel_org())
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org());
alter table appointment_slot enable row level security;
alter table appointment_slot force row level security;
create policy appointment_slot_org on appointment_slot
  using (koepel_org_principal() and organisation_id = koepel_org())
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org());

-- Appointments. A citizen reads and books their own (after an audit record, like all citizen data), and changes
-- them only at an organisation where they may still book. Staff with agenda:read of the organisation read and
-- write its appointments with its current patients. The organisation's system reads them and answers (status).
alter table appointment enable row level security;
alter table appointment force row level security;
create policy appointment_citizen_read on appointment for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id));
create policy appointment_citizen_insert on appointment for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_citizen_books_at(organisation_id)
              and booked_by = 'citizen' and status in ('requested', 'booked'));
create policy appointment_citizen_update on appointment for update
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_citizen_books_at(organisation_id))
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen()
              and koepel_citizen_books_at(organisation_id));
create policy appointment_staff on appointment
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('agenda:read')
         and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('agenda:read')
              and koepel_audited(citizen_id)
              and exists (select 1 from care_relationship r where r.citizen_id = appointment.citizen_id
                          and r.organisation_id = appointment.organisation_id
                          and r.started_on <= current_date and (r.ended_on is null or r.ended_on > current_date)));
create policy appointment_client on appointment
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org());

-- Nobody moves an appointment to another organisation or citizen, or rewrites who made it. Beyond the policies,
-- each kind of principal changes only what its actions need (defence in depth below the code):
--   citizen: cancel (status to 'cancelled' only), move within the same staff agenda, the reminder;
--   the organisation's system (client): answer (requested → booked | refused, booked → cancelled), nothing else;
--   staff: cancel and move, not confirm an appointment its own system has yet to answer.
create function koepel_appointment_guard() returns trigger language plpgsql as $$
declare
  kind text := koepel_principal_kind();
begin
  if new.organisation_id <> old.organisation_id or new.citizen_id <> old.citizen_id
     or new.booked_by <> old.booked_by or new.booked_by_staff is distinct from old.booked_by_staff
     or new.booked_by_name is distinct from old.booked_by_name
     or new.created_at <> old.created_at or new.idempotency_key is distinct from old.idempotency_key
     or new.type_id <> old.type_id or new.video <> old.video or new.slot_id is distinct from old.slot_id then
    raise exception 'appointment keys cannot change' using errcode = '42501';
  end if;
  if new.status <> old.status and not (
       (old.status in ('requested', 'booked') and new.status = 'cancelled' and kind in ('citizen', 'staff', 'client'))
       or (old.status = 'requested' and new.status in ('booked', 'refused') and kind = 'client')) then
    raise exception 'appointment status % to % refused', old.status, new.status using errcode = '42501';
  end if;
  if kind = 'client' and (new.during <> old.during or new.staff_id is distinct from old.staff_id
                          or new.reminder_minutes is distinct from old.reminder_minutes
                          or new.changed_by is distinct from 'system') then
    raise exception 'an organisation system only answers an appointment' using errcode = '42501';
  end if;
  if kind = 'citizen' and ((new.status <> old.status or new.during <> old.during
                            or new.staff_id is distinct from old.staff_id) and new.changed_by is distinct from 'citizen') then
    raise exception 'a citizen change is marked as theirs' using errcode = '42501';
  end if;
  if kind = 'staff' and ((new.status <> old.status or new.during <> old.during
                          or new.staff_id is distinct from old.staff_id) and new.changed_by is distinct from 'staff') then
    raise exception 'a staff change is marked as theirs' using errcode = '42501';
  end if;
  if old.status not in ('requested', 'booked') and (new.during <> old.during or new.staff_id is distinct from old.staff_id) then
    raise exception 'a cancelled appointment does not move' using errcode = '42501';
  end if;
  new.updated_at := now();
  new.version := old.version + 1;
  return new;
end $$;
create trigger appointment_guard before update on appointment for each row execute function koepel_appointment_guard();

alter table appointment_reason enable row level security;
alter table appointment_reason force row level security;
create policy appointment_reason_citizen_read on appointment_reason for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id));
create policy appointment_reason_citizen_write on appointment_reason for insert
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen()
              and koepel_citizen_books_at(organisation_id));
create policy appointment_reason_staff_read on appointment_reason for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('agenda:reasons')
         and koepel_audited(citizen_id));
create policy appointment_reason_staff_write on appointment_reason for insert
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('agenda:read')
              and koepel_audited(citizen_id));
create policy appointment_reason_client on appointment_reason for select
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and koepel_audited(citizen_id));

-- ---------------------------------------------------------------------------------------------
-- What free times are computed from, without showing anyone's appointments: for a citizen who may book at the
-- organisation, and for its staff. Busy times carry no citizen, reason or type; absences no kind. `except_appointment`
-- leaves one appointment out of the held times, to move it.
-- ---------------------------------------------------------------------------------------------
create function koepel_agenda_inputs(org uuid, from_ts timestamptz, to_ts timestamptz, except_appointment uuid)
returns jsonb
-- plpgsql, not sql: a security-definer SQL function is planned again on every call (several ms for this query);
-- plpgsql keeps its plans for the session.
language plpgsql stable security definer set search_path = public, pg_temp as $$
begin
  return (select case when not (koepel_citizen_books_at(org)
                        or (koepel_principal_kind() = 'staff' and koepel_org() = org)) then null
  else jsonb_build_object(
    'staff', coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'name', a.display_name) order by a.display_name, a.id)
                       from staff_account a join membership m on m.staff_id = a.id and m.organisation_id = org
                       where a.disabled_at is null and m.disabled_at is null
                         and exists (select 1 from staff_availability v where v.staff_id = a.id and v.organisation_id = org)),
                      '[]'::jsonb),
    'availability', coalesce((select jsonb_agg(jsonb_build_object('staff', v.staff_id, 'weekday', v.weekday,
                                 'start', to_char(v.start_time, 'HH24:MI'), 'end', to_char(v.end_time, 'HH24:MI'),
                                 'from', v.valid_from, 'until', v.valid_until))
                              from staff_availability v
                              where v.organisation_id = org and v.valid_from <= to_ts::date
                                and (v.valid_until is null or v.valid_until >= (from_ts - interval '1 day')::date)),
                             '[]'::jsonb),
    'absences', coalesce((select jsonb_agg(jsonb_build_object('staff', b.staff_id, 'start', lower(b.during), 'end', upper(b.during)))
                          from staff_absence b
                          where b.organisation_id = org and b.during && tstzrange(from_ts, to_ts, '[)')), '[]'::jsonb),
    'busy', coalesce((select jsonb_agg(jsonb_build_object('staff', p.staff_id, 'start', lower(p.during), 'end', upper(p.during)))
                      from appointment p
                      where p.organisation_id = org and p.staff_id is not null and p.status in ('requested', 'booked')
                        and p.id is distinct from except_appointment
                        -- An appointment lasts at most 240 minutes: the btree on (organisation, start) finds them.
                        and lower(p.during) >= from_ts - interval '240 minutes' and lower(p.during) < to_ts
                        and p.during && tstzrange(from_ts, to_ts, '[)')), '[]'::jsonb),
    'slots', coalesce((select jsonb_agg(jsonb_build_object('id', s.id, 'type', s.appointment_type_id, 'actor', h.actor_display,
                                  'start', lower(s.during), 'end', upper(s.during)) order by lower(s.during))
                       from appointment_slot s join appointment_schedule h on h.id = s.schedule_id
                       where s.organisation_id = org and s.status = 'free' and h.active
                         and s.during && tstzrange(from_ts, to_ts, '[)')
                         and not exists (select 1 from appointment p where p.slot_id = s.id and p.status in ('requested', 'booked'))),
                      '[]'::jsonb))
  end);
end $$;

revoke all on function koepel_agenda_inputs(uuid, timestamptz, timestamptz, uuid) from public;
grant execute on function koepel_agenda_inputs(uuid, timestamptz, timestamptz, uuid) to koepel_app;

-- The staff agenda lists many citizens: it first learns whose appointments are in the range (ids only, own
-- organisation, agenda:read), audits a read of each, and only then reads the rows (ZL-1, as in 0005).
create function koepel_agenda_citizens(from_ts timestamptz, to_ts timestamptz) returns table (citizen_id uuid)
language sql stable
set koepel.patient_search = 'on'
as $$
  select distinct p.citizen_id from appointment p
  where koepel_principal_kind() = 'staff' and p.during && tstzrange(from_ts, to_ts, '[)')
$$;
revoke all on function koepel_agenda_citizens(timestamptz, timestamptz) from public;

-- Whom one appointment is about, for staff about to change it (ids only, same limits).
create function koepel_agenda_appointment_citizen(appointment_id uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select p.citizen_id from appointment p where koepel_principal_kind() = 'staff' and p.id = appointment_id
$$;
revoke all on function koepel_agenda_appointment_citizen(uuid) from public;
grant execute on function koepel_agenda_appointment_citizen(uuid) to koepel_app;
grant execute on function koepel_agenda_citizens(timestamptz, timestamptz) to koepel_app;

grant select, insert, update, delete on appointment_type, staff_availability, staff_absence to koepel_app;
grant select, insert, update on appointment_schedule, appointment_slot to koepel_app;
grant select, insert, update on appointment to koepel_app;
grant select, insert on appointment_reason to koepel_app;
