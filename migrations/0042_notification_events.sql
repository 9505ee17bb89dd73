-- Issue 14 (MG-10): where the citizen's e-mail events come from. Each trigger below queues one job of kind
-- 'email.notification' with { citizenId, event, organisationId } (ids and a word, no personal data) through
-- koepel_enqueue_job, in the transaction of what caused it: a rolled-back cause queues nothing, and no path (the
-- portal, the staff pages, the organisation's system over FHIR) can skip it. Whether a mail goes out (the citizen's
-- switch, a confirmed address) is decided by the job's handler at send time, not here. An idempotency key per cause
-- keeps one cause to one job.
--
--   event                      trigger (table)                                   key
--   message-from-provider      conversation_message_notify (conversation_message) 'message:<message id>'
--   question-answered          conversation_message_notify                        'message:<message id>'
--   record-changed             system_message_notify (system_message 'new-data')  'system-message:<id>'
--   new-test-result            system_message_notify (category 'lab')             'system-message:<id>'
--   medication-request         system_message_notify ('order-handled')            'system-message:<id>'
--   medicines-repeated         record_event_medicines_repeated (record_event)     'medicines-repeated:<resource id>'
--   medicines-almost-finished  TS: src/notifications/sources/medicines.ts, called by the FHIR ingest (the supply is
--                              in the encrypted resource)                          'medicines-almost-finished:<resource id>'
--   contract-ended             care_relationship_notify (care_relationship)       'contract-ended:<id>:<ended_on>'
--   appointment-made           appointment_notify (appointment)                   'appointment-made:<id>'
--   appointment-changed        appointment_notify                                 'appointment-changed:<id>:<version>'
--   appointment-soon           appointment_notify (scheduled, run_at)             'appointment-soon:<id>:<start epoch>'
--
-- Writes with no principal (the owner's: migrations, the demo seed, maintenance scripts) queue nothing: the seed's
-- history is not news. Every real cause has one (citizen, staff, the organisation's client, a system purpose).
-- The trigger functions are security definer: they read the conversation, the order history or the record row
-- whatever the writer's own policies allow, and they write nothing but the job.

-- ---------------------------------------------------------------------------------------------
-- Messages. A message from staff or the organisation's system (sender <> 'citizen') tells the citizen: in a
-- conversation the citizen started it answers their question ('question-answered'), in one the organisation started
-- it is a message from their provider ('message-from-provider'). One job per message, never both.
-- ---------------------------------------------------------------------------------------------
create function koepel_notify_conversation_message() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  starter text;
begin
  -- The owner's own writes, with no principal (migrations, the demo seed, maintenance scripts), tell nobody.
  if koepel_principal_kind() = 'anonymous' then
    return null;
  end if;
  select c.started_by into starter from conversation c where c.id = new.conversation_id;
  perform koepel_enqueue_job('email.notification',
    jsonb_build_object('citizenId', new.citizen_id,
                       'event', case when starter = 'citizen' then 'question-answered' else 'message-from-provider' end,
                       'organisationId', new.organisation_id),
    'message:' || new.id);
  return null;
end $$;
create trigger conversation_message_notify after insert on conversation_message
  for each row when (new.sender in ('staff', 'system'))
  execute function koepel_notify_conversation_message();

-- ---------------------------------------------------------------------------------------------
-- System messages made by the database. "New data" (0032) is one row per citizen, organisation and category while
-- unread, so a Bundle of 40 lab results is one mail, and no mail while the citizen has not yet looked: lab results
-- are 'new-test-result', every other category 'record-changed'. "Order handled" (0036) is 'medication-request',
-- except a question: the pharmacy's question comes as a message (started by staff) and mails as such.
-- ---------------------------------------------------------------------------------------------
create function koepel_notify_system_message() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  ev text;
begin
  -- The owner's own writes, with no principal (migrations, the demo seed, maintenance scripts), tell nobody.
  if koepel_principal_kind() = 'anonymous' then
    return null;
  end if;
  if new.kind = 'new-data' then
    ev := case when new.category = 'lab' then 'new-test-result' else 'record-changed' end;
  elsif new.kind = 'order-handled' and coalesce(new.params ->> 'status', '') <> 'question' then
    ev := 'medication-request';
  else
    return null;
  end if;
  perform koepel_enqueue_job('email.notification',
    jsonb_build_object('citizenId', new.citizen_id, 'event', ev, 'organisationId', new.organisation_id),
    'system-message:' || new.id);
  return null;
end $$;
create trigger system_message_notify after insert on system_message
  for each row when (new.kind in ('new-data', 'order-handled'))
  execute function koepel_notify_system_message();

-- ---------------------------------------------------------------------------------------------
-- "Your medicines were repeated": the pharmacy's system reports a NEW MedicationDispense (record_event 'record.new')
-- while the citizen placed no repeat order there in the last 30 days (one that was not cancelled or refused) — the
-- pharmacy dispensed on its own (automatic repeat). A dispense that follows the citizen's own order is that order's
-- course, already told by 'medication-request'. One job per dispense resource, also when it is re-sent.
-- ---------------------------------------------------------------------------------------------
create function koepel_notify_medicines_repeated() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  -- The owner's own writes, with no principal (migrations, the demo seed, maintenance scripts), tell nobody.
  if koepel_principal_kind() = 'anonymous' then
    return null;
  end if;
  perform koepel_enqueue_job('email.notification',
    jsonb_build_object('citizenId', e.citizen_id, 'event', 'medicines-repeated', 'organisationId', e.organisation_id),
    'medicines-repeated:' || e.resource_id)
  from (select distinct n.citizen_id, n.organisation_id, n.resource_id
        from new_rows n join record_resource r on r.id = n.resource_id
        where n.kind = 'record.new' and r.resource_type = 'MedicationDispense'
          and not exists (select 1 from medication_order o
                          where o.citizen_id = n.citizen_id and o.organisation_id = n.organisation_id
                            and o.status not in ('cancelled', 'refused')
                            and o.created_at > now() - interval '30 days')) e;
  return null;
end $$;
create trigger record_event_medicines_repeated after insert on record_event
  referencing new table as new_rows
  for each statement execute function koepel_notify_medicines_repeated();

-- ---------------------------------------------------------------------------------------------
-- The care relationship ends (ended_on set or moved): 'contract-ended', once per end date.
-- ---------------------------------------------------------------------------------------------
create function koepel_notify_care_relationship() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  -- The owner's own writes, with no principal (migrations, the demo seed, maintenance scripts), tell nobody.
  if koepel_principal_kind() = 'anonymous' then
    return null;
  end if;
  perform koepel_enqueue_job('email.notification',
    jsonb_build_object('citizenId', new.citizen_id, 'event', 'contract-ended', 'organisationId', new.organisation_id),
    'contract-ended:' || new.id || ':' || new.ended_on::text);
  return null;
end $$;
create trigger care_relationship_notify after insert or update of ended_on on care_relationship
  for each row when (new.ended_on is not null)
  execute function koepel_notify_care_relationship();

-- ---------------------------------------------------------------------------------------------
-- Appointments.
--   appointment-made     the appointment holds a time: inserted as 'booked' (the citizen's own booking, or one an
--                        employee made), or an organisation's system confirmed a request (requested → booked).
--                        A request waiting for the system is not yet made.
--   appointment-changed  what the citizen did not do themselves (changed_by <> 'citizen'): the time or the employee
--                        moved, or the organisation cancelled or refused it. The citizen's own move or cancellation
--                        mails nothing; neither does a change of the reminder.
--   appointment-soon     a reminder job at start − reminder_minutes (the citizen's choice; null = no reminder) while
--                        the appointment is requested or booked and that moment is still ahead. Keyed by the start:
--                        a move drops the old job and queues one for the new start; a new reminder choice moves the
--                        queued job; a cancellation or refusal drops it. A reminder whose moment has passed is never
--                        queued (nor kept).
-- ---------------------------------------------------------------------------------------------
create function koepel_notify_appointment() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  payload jsonb;
  new_key text := 'appointment-soon:' || new.id || ':' || floor(extract(epoch from lower(new.during)))::bigint;
  old_key text;
  remind_at timestamptz;
begin
  -- The owner's own writes, with no principal (migrations, the demo seed, maintenance scripts), tell nobody.
  if koepel_principal_kind() = 'anonymous' then
    return null;
  end if;
  payload := jsonb_build_object('citizenId', new.citizen_id, 'organisationId', new.organisation_id);
  if tg_op = 'INSERT' then
    if new.status = 'booked' then
      perform koepel_enqueue_job('email.notification', payload || '{"event": "appointment-made"}',
                                 'appointment-made:' || new.id);
    end if;
  else
    old_key := 'appointment-soon:' || old.id || ':' || floor(extract(epoch from lower(old.during)))::bigint;
    if old.status = 'requested' and new.status = 'booked' then
      perform koepel_enqueue_job('email.notification', payload || '{"event": "appointment-made"}',
                                 'appointment-made:' || new.id);
    elsif new.changed_by is distinct from 'citizen'
          and (new.during <> old.during or new.staff_id is distinct from old.staff_id
               or (new.status <> old.status and new.status in ('cancelled', 'refused'))) then
      perform koepel_enqueue_job('email.notification', payload || '{"event": "appointment-changed"}',
                                 'appointment-changed:' || new.id || ':' || new.version);
    end if;
    if old_key <> new_key then
      perform koepel_reschedule_job('email.notification', old_key, null);
    end if;
  end if;

  remind_at := lower(new.during) - make_interval(mins => coalesce(new.reminder_minutes, 0));
  if new.status in ('requested', 'booked') and new.reminder_minutes is not null and remind_at > now() then
    -- Queue it, or move the queued one (the reminder choice changed).
    if koepel_enqueue_job('email.notification', payload || '{"event": "appointment-soon"}', new_key, remind_at) is null then
      perform koepel_reschedule_job('email.notification', new_key, remind_at);
    end if;
  else
    perform koepel_reschedule_job('email.notification', new_key, null);
  end if;
  return null;
end $$;
create trigger appointment_notify_insert after insert on appointment
  for each row execute function koepel_notify_appointment();
create trigger appointment_notify_update after update of status, during, staff_id, reminder_minutes on appointment
  for each row
  when (new.status is distinct from old.status or new.during is distinct from old.during
        or new.staff_id is distinct from old.staff_id or new.reminder_minutes is distinct from old.reminder_minutes)
  execute function koepel_notify_appointment();

revoke all on function koepel_notify_conversation_message() from public;
revoke all on function koepel_notify_system_message() from public;
revoke all on function koepel_notify_medicines_repeated() from public;
revoke all on function koepel_notify_care_relationship() from public;
revoke all on function koepel_notify_appointment() from public;
