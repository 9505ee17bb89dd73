-- Apps the citizen authorises to read their record through the citizen FHIR read API (issue 3): OAuth 2.0
-- authorization code flow with PKCE (RFC 6749, RFC 7636), in the style of SMART App Launch "standalone patient".
--
--   citizen_app        the register of apps, kept by the portal operator (never self-registered: a citizen sees an
--                      app's name as the operator entered it)
--   citizen_app_grant  one per citizen and app: the citizen's consent, until they withdraw it (which deletes it,
--                      and with it every code and token of that grant)
--   citizen_app_code   authorization codes: hashed, single use, short-lived, bound to grant, redirect URI and PKCE
--   citizen_app_token  access tokens: hashed, one hour, always checked against the grant and the app (no cache)
--
-- Codes and tokens are 256-bit random values; only their SHA-256 is stored, so a copy of the database reads nothing.

create table citizen_app (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  vendor text not null check (length(vendor) between 1 and 100),
  client_id text not null unique check (client_id ~ '^ka_[A-Za-z0-9_-]{16,64}$'),
  -- Confidential apps (a server) also authenticate with a secret (citizen_app_secret); public apps (on a phone or
  -- computer) rely on PKCE alone.
  confidential boolean not null,
  redirect_uris text[] not null check (cardinality(redirect_uris) between 1 and 10),
  created_by uuid references staff_account(id),
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

-- Apart from the register, so that nobody who reads app names (citizens) reads even the hash of a secret.
create table citizen_app_secret (
  app_id uuid primary key references citizen_app(id),
  secret_hash bytea not null check (octet_length(secret_hash) = 32)
);

create table citizen_app_grant (
  id uuid primary key default gen_random_uuid(),
  citizen_id uuid not null references citizen(id),
  app_id uuid not null references citizen_app(id),
  -- The portal through which the citizen consented: the app reads what that portal shows them.
  portal_id uuid not null references portal(id),
  granted_at timestamptz not null default now(),
  last_used_at timestamptz,
  unique (citizen_id, app_id)
);
create index citizen_app_grant_app on citizen_app_grant (app_id);

create table citizen_app_code (
  code_hash bytea primary key check (octet_length(code_hash) = 32),
  grant_id uuid not null references citizen_app_grant(id) on delete cascade,
  redirect_uri text not null,
  code_challenge text not null check (code_challenge ~ '^[A-Za-z0-9_-]{43}$'),
  scope text not null check (scope ~ '^[\x21-\x7e]+( [\x21-\x7e]+)*$' and length(scope) <= 200),
  expires_at timestamptz not null,
  -- Kept after use so that a second use is recognised as a replay (RFC 6749 §4.1.2): it ends the tokens it gave.
  used_at timestamptz
);
create index citizen_app_code_grant on citizen_app_code (grant_id);

create table citizen_app_token (
  token_hash bytea primary key check (octet_length(token_hash) = 32),
  grant_id uuid not null references citizen_app_grant(id) on delete cascade,
  code_hash bytea not null,
  scope text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index citizen_app_token_grant on citizen_app_token (grant_id);
create index citizen_app_token_code on citizen_app_token (code_hash);

-- The app register: the operator keeps it; a citizen reads it (names on the consent page, the "Gekoppelde apps"
-- page and the access log); the token endpoint and the bearer check read it as system 'api-auth'.
alter table citizen_app enable row level security;
alter table citizen_app force row level security;
create policy citizen_app_operator on citizen_app
  using (koepel_principal_kind() = 'operator') with check (koepel_principal_kind() = 'operator');
create policy citizen_app_read on citizen_app for select
  using (koepel_principal_kind() = 'citizen'
         or (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth'));

-- Secrets: the operator sets them; only the token endpoint reads them.
alter table citizen_app_secret enable row level security;
alter table citizen_app_secret force row level security;
create policy citizen_app_secret_operator on citizen_app_secret for insert
  with check (koepel_principal_kind() = 'operator');
create policy citizen_app_secret_auth on citizen_app_secret for select
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth');

-- Grants: the citizen's own, to give (to an app that is not revoked), list and withdraw. Which citizen and which app
-- a grant is about never changes (column grants below); the token endpoint reads grants and marks their use.
alter table citizen_app_grant enable row level security;
alter table citizen_app_grant force row level security;
create policy citizen_app_grant_own on citizen_app_grant
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen())
  with check (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen() and portal_id = koepel_portal()
              and exists (select 1 from citizen_app a
                          where a.id = citizen_app_grant.app_id and a.revoked_at is null));
create policy citizen_app_grant_auth on citizen_app_grant for select
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth');
create policy citizen_app_grant_auth_use on citizen_app_grant for update
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth');

-- A redirect URI with the port of a loopback address left out: an app on the citizen's own computer may listen on any
-- port (RFC 8252 §7.3). Every other URI is compared exactly, as written.
create function koepel_redirect_key(uri text) returns text language sql immutable as $$
  select regexp_replace(uri, '^(http://(127\.0\.0\.1|\[::1\])):[0-9]{1,5}(/|$)', '\1\3')
$$;
grant execute on function koepel_redirect_key(text) to koepel_app;

-- Codes: the citizen creates one when approving — for their own grant, to one of the app's redirect URIs, for a
-- minute or so — and the token endpoint redeems it.
alter table citizen_app_code enable row level security;
alter table citizen_app_code force row level security;
create policy citizen_app_code_issue on citizen_app_code for insert
  with check (koepel_principal_kind() = 'citizen'
              and citizen_app_code.expires_at <= now() + interval '10 minutes'
              and exists (select 1 from citizen_app_grant g join citizen_app a on a.id = g.app_id
                          where g.id = citizen_app_code.grant_id and g.citizen_id = koepel_citizen()
                            and a.revoked_at is null
                            and exists (select 1 from unnest(a.redirect_uris) r
                                        where koepel_redirect_key(r) = koepel_redirect_key(citizen_app_code.redirect_uri))));
create policy citizen_app_code_auth on citizen_app_code
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth');

-- Tokens: only the token endpoint and the bearer check touch them. Withdrawal removes them by cascade.
alter table citizen_app_token enable row level security;
alter table citizen_app_token force row level security;
create policy citizen_app_token_auth on citizen_app_token
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'api-auth');

grant select, insert, update on citizen_app to koepel_app;
grant select, insert on citizen_app_secret to koepel_app;
grant select, insert, delete on citizen_app_grant to koepel_app;
grant update (portal_id, granted_at, last_used_at) on citizen_app_grant to koepel_app;
grant select, insert, update, delete on citizen_app_code to koepel_app;
grant select, insert, delete on citizen_app_token to koepel_app;
