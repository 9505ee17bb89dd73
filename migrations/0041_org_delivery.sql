-- Issue 14 (MG-5, MG-13): every citizen action reaches the organisation's own system at once (src/org-delivery).
--
-- 1. A citizen's action (booking, change, cancellation, medication order, message, record request) fires a trigger
--    below that queues ONE job 'org.event' in the same transaction (koepel_enqueue_job), so no code path can skip it
--    and a rolled-back action sends nothing. Only when the organisation has an active endpoint: no endpoint, no job.
-- 2. The 'org.event' handler fans out: one org_delivery row and one 'org.deliver' job per active endpoint of that
--    organisation (idempotency key event + endpoint), written in the job's own finishing transaction (exactly once).
-- 3. 'org.deliver' sends one signed webhook (Standard Webhooks) and records the attempt here; the queue retries.
-- Rows hold identifiers, event types, HTTP status codes and short error codes: never content.

create table org_endpoint (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisation(id),
  kind text not null default 'webhook' check (kind in ('webhook')),
  name text not null check (length(name) between 1 and 100),
  -- The one URL deliveries go to, as the admin registered it (checked against SSRF at registration and delivery).
  url text not null check (length(url) between 10 and 2000 and url ~ '^https?://'),
  active boolean not null default true,
  -- The signing secret (whsec_…), sealed under the organisation key, AAD 'org-endpoint.secret:<id>'. After a
  -- rotation the previous secret signs alongside until previous_secret_until (AAD 'org-endpoint.previous:<id>').
  secret_ciphertext bytea not null,
  previous_secret_ciphertext bytea,
  previous_secret_until timestamptz,
  created_by uuid references staff_account(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((previous_secret_ciphertext is null) = (previous_secret_until is null)),
  unique (organisation_id, id)
);
create index org_endpoint_org on org_endpoint (organisation_id) where active;

create table org_delivery (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null,
  endpoint_id uuid not null,
  -- The citizen action: one event id, shared by its deliveries to every endpoint (the webhook-id per endpoint is
  -- this row's id, stable across retries).
  event_id uuid not null,
  event_type text not null check (event_type ~ '^[a-z][a-z-]*\.[a-z][a-z-]*$'),
  resource_type text not null check (resource_type ~ '^[A-Za-z]{1,64}$'),
  resource_id text not null check (length(resource_id) between 1 and 64),
  occurred_at timestamptz not null,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed', 'dead')),
  attempts int not null default 0 check (attempts >= 0),
  last_status int check (last_status between 100 and 999),
  last_error text check (length(last_error) <= 100),
  last_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  foreign key (organisation_id, endpoint_id) references org_endpoint (organisation_id, id),
  unique (event_id, endpoint_id)
);
create index org_delivery_org on org_delivery (organisation_id, created_at desc);
create index org_delivery_endpoint on org_delivery (endpoint_id, created_at desc);

alter table org_endpoint enable row level security;
alter table org_endpoint force row level security;
-- The organisation's admin (admin:api-clients: the same people who connect its systems) manages its own endpoints.
create policy org_endpoint_admin on org_endpoint
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:api-clients'))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:api-clients'));
create policy org_endpoint_deliveries on org_endpoint for select
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'deliveries');
grant select, insert, update on org_endpoint to koepel_app;

alter table org_delivery enable row level security;
alter table org_delivery force row level security;
-- The admin reads the log of its own organisation; "send again" goes through the deliveries system principal.
create policy org_delivery_admin on org_delivery for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:api-clients'));
create policy org_delivery_deliveries on org_delivery
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'deliveries')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'deliveries');
grant select, insert, update on org_delivery to koepel_app;

-- The delivery worker unseals the endpoints' secrets with the organisation's data key.
create policy organisation_key_deliveries on organisation_key for select
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'deliveries');

-- ---------------------------------------------------------------------------------------------
-- The events. Security definer: the trigger reads org_endpoint whoever acts (a citizen sees no endpoints).
-- ---------------------------------------------------------------------------------------------
create function koepel_org_event(p_org uuid, p_type text, p_resource_type text, p_resource_id text)
returns void language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if exists (select 1 from org_endpoint where organisation_id = p_org and active) then
    perform koepel_enqueue_job('org.event', jsonb_build_object(
      'eventId', gen_random_uuid(), 'organisationId', p_org, 'eventType', p_type,
      'resourceType', p_resource_type, 'resourceId', p_resource_id, 'occurredAt', now()), null, null, 5);
  end if;
end $$;
revoke all on function koepel_org_event(uuid, text, text, text) from public;

-- Appointments: the citizen books, moves or cancels (FHIR Appointment/koepel-{uuid}).
create function koepel_org_event_appointment() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    if new.booked_by = 'citizen' then
      perform koepel_org_event(new.organisation_id, 'appointment.booked', 'Appointment', 'koepel-' || new.id);
    end if;
  elsif new.changed_by = 'citizen' then
    if new.status = 'cancelled' and old.status <> 'cancelled' then
      perform koepel_org_event(new.organisation_id, 'appointment.cancelled', 'Appointment', 'koepel-' || new.id);
    elsif new.during <> old.during or new.video <> old.video then
      perform koepel_org_event(new.organisation_id, 'appointment.changed', 'Appointment', 'koepel-' || new.id);
    end if;
  end if;
  return null;
end $$;
create trigger appointment_org_event after insert or update on appointment
  for each row execute function koepel_org_event_appointment();

-- Repeat-medication orders: the citizen orders or cancels (FHIR Task/koepel-{uuid}).
create function koepel_org_event_medication_order() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    perform koepel_org_event(new.organisation_id, 'medication-order.created', 'Task', 'koepel-' || new.id);
  elsif new.changed_by = 'citizen' and new.status = 'cancelled' and old.status <> 'cancelled' then
    perform koepel_org_event(new.organisation_id, 'medication-order.cancelled', 'Task', 'koepel-' || new.id);
  end if;
  return null;
end $$;
create trigger medication_order_org_event after insert or update on medication_order
  for each row execute function koepel_org_event_medication_order();

-- Messages: each message the citizen sends (FHIR Communication/{uuid}).
create function koepel_org_event_message() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  if new.sender = 'citizen' then
    perform koepel_org_event(new.organisation_id, 'message.created', 'Communication', new.id::text);
  end if;
  return null;
end $$;
create trigger conversation_message_org_event after insert on conversation_message
  for each row execute function koepel_org_event_message();

-- Record requests (MG-7): no FHIR read exists yet; the id names the request the staff page shows.
create function koepel_org_event_record_request() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  perform koepel_org_event(new.organisation_id, 'record-request.created', 'RecordAccessRequest', new.id::text);
  return null;
end $$;
create trigger record_access_request_org_event after insert on record_access_request
  for each row execute function koepel_org_event_record_request();
