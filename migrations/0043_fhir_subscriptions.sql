-- Issue 14 (MG-5, MG-13): the second way to reach the organisation's own system — a FHIR R4 Subscription (rest-hook,
-- id-only or empty payload, as the Subscriptions R5 Backport IG describes it), managed by the organisation's API client
-- over the FHIR API (src/org-delivery/subscriptions.ts). A subscription is an org_endpoint of kind
-- 'fhir-subscription', so the fan-out of migration 0041 (org.event → org.deliver per active endpoint) reaches it too;
-- the deliver job sends it a notification Bundle instead of a signed webhook. No content, ids only.

alter table org_endpoint drop constraint org_endpoint_kind_check;
alter table org_endpoint add constraint org_endpoint_kind_check check (kind in ('webhook', 'fhir-subscription'));
-- A subscription has no signing secret (the receiver may ask for its own header instead, e.g. Authorization).
alter table org_endpoint alter column secret_ciphertext drop not null;
alter table org_endpoint
  -- The SubscriptionTopic canonical (src/org-delivery/subscriptions.ts, SUBSCRIPTION_TOPICS).
  add column topic text check (topic ~ '^https?://[^\s]{1,200}$'),
  add column payload_content text check (payload_content in ('id-only', 'empty')),
  -- Subscription.reason, as the client wrote it (a description of the subscription, not personal data).
  add column reason text check (length(reason) <= 1000),
  -- Subscription.channel.header: the headers the receiver asked for (JSON array of "Name: value"), sealed under the
  -- organisation key with AAD 'org-endpoint.headers:<id>'. Never logged, never shown back.
  add column headers_ciphertext bytea,
  add column api_client_id uuid references api_client(id),
  -- The client deleted it (DELETE Subscription/{id}): inactive, and gone from the FHIR API; the log keeps its rows.
  add column deleted_at timestamptz,
  -- events-since-subscription-start: counted at fan-out; each delivery carries its own event number.
  add column events_since_start bigint not null default 0 check (events_since_start >= 0),
  add constraint org_endpoint_kind_fields check (
    case kind
      when 'webhook' then secret_ciphertext is not null and topic is null and payload_content is null
      else secret_ciphertext is null and topic is not null and payload_content is not null
    end),
  add constraint org_endpoint_deleted_inactive check (deleted_at is null or not active);

alter table org_delivery add column event_number bigint check (event_number > 0);

-- The organisation's API client manages its own organisation's subscriptions (never its webhooks).
create policy org_endpoint_client on org_endpoint
  using (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and kind = 'fhir-subscription')
  with check (koepel_principal_kind() = 'client' and organisation_id = koepel_org() and kind = 'fhir-subscription');
-- The fan-out counts a subscription's events (events_since_start).
create policy org_endpoint_deliveries_count on org_endpoint for update
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'deliveries')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'deliveries');
