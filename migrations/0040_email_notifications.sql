-- Issue 14 (MG-10, PZ-3): the citizen's e-mail notifications. One row per citizen who has saved anything on the
-- settings page (no row: the default switches, no address). The confirmed address is the only one mail goes to; a new
-- or changed address waits here, sealed, until the citizen follows the link mailed to it (a single-use random token,
-- stored only as its SHA-256; the token itself sealed too, so that the mail job can put it in the link it sends).
-- Everything personal is sealed under the citizen's own key (src/platform/crypto/keys.ts) with an AAD per column.
-- citizen.email_ciphertext (0001) is not used: the address lives here, with its pending state.
create table notification_setting (
  citizen_id uuid primary key references citizen (id) on delete cascade,
  -- The confirmed address (AAD citizen.email:<id>); null: no mail at all.
  email_ciphertext bytea,
  -- A supplied address waiting for its confirmation (AAD notification.pending-email:<id>), its token's SHA-256,
  -- the token sealed (AAD notification.confirm-token:<id>) for the mail that carries it, and when the link ends.
  pending_email_ciphertext bytea,
  confirm_token_hash bytea unique check (length(confirm_token_hash) = 32),
  confirm_token_ciphertext bytea,
  confirm_expires_at timestamptz,
  -- The events switched on (NOTIFICATION_EVENTS in src/notifications/events.ts).
  events text[] not null,
  -- The language of the mails.
  language text not null default 'nl' check (language in ('nl', 'en')),
  -- Set when the mail server refused the address for good (a 5xx after the retries); cleared by a new address.
  bouncing_since timestamptz,
  updated_at timestamptz not null default now(),
  check ((pending_email_ciphertext is null) = (confirm_token_hash is null)
     and (confirm_token_hash is null) = (confirm_token_ciphertext is null)
     and (confirm_token_hash is null) = (confirm_expires_at is null)),
  check (cardinality(events) <= 32)
);

alter table notification_setting enable row level security;
alter table notification_setting force row level security;
-- The citizen reads and writes their own row, after an audit record naming them (koepel_audited).
create policy notification_setting_self on notification_setting
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and koepel_audited(citizen_id))
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());
-- The mail job (system purpose 'email') reads the address, the switches and the language at send time, and marks an
-- address that bounced.
create policy notification_setting_email_read on notification_setting for select
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'email');
create policy notification_setting_email_bounce on notification_setting for update
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'email')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'email');
grant select, insert, update, delete on notification_setting to koepel_app;

-- The mail job unseals the address with the citizen's key.
create policy citizen_key_email on citizen_key for select
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'email');
