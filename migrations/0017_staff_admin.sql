-- Organisation admins manage their employees (issue 10, ZL-10): invite, deactivate and reactivate, set rights, reset
-- two-step verification. Everything is keyed on the admin's own organisation (koepel_org()) and the right
-- admin:staff; the triggers limit what an admin may change, so a code path that builds a wrong UPDATE still cannot
-- touch a password, an e-mail address or the operator flag, nor lock the admin out.

-- Deactivation is per organisation: an employee of two organisations stays active at the other one.
-- Sessions of the organisation started before sessions_valid_after end (a deactivation, so that reactivating
-- later does not revive a session that was open at the time).
alter table membership add column disabled_at timestamptz;
alter table membership add column sessions_valid_after timestamptz;
-- After an admin reset their two-step verification, the employee sets it up again at the next login.
alter table staff_account add column must_enrol_totp boolean not null default false;

grant insert, update on membership to koepel_app;

create policy membership_admin_insert on membership for insert
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('admin:staff'));
create policy membership_admin_update on membership for update
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('admin:staff'))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('admin:staff'));

-- What an admin may write in a membership: known rights only, never the keys, and never their own lock-out.
create function koepel_membership_admin_guard() returns trigger language plpgsql as $$
begin
  if koepel_principal_kind() <> 'staff' then
    return new;
  end if;
  if not (new.permissions <@ array['patients:search', 'patients:read', 'record:read', 'record:requests',
                                   'audit:read', 'admin:staff', 'admin:organisation', 'admin:api-clients']) then
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
create trigger membership_admin_guard before insert or update on membership
  for each row execute function koepel_membership_admin_guard();

-- An admin may create an account for an invitation (no password yet, never an operator), and may reset the
-- two-step verification of an employee who works for their organisation only (an account shared with another
-- organisation, or an operator's, is the service desk's to reset).
create policy staff_account_admin_insert on staff_account for insert
  with check (koepel_principal_kind() = 'staff' and koepel_has_permission('admin:staff') and not is_operator
              and disabled_at is null and totp_ciphertext is null and totp_confirmed_at is null);
create policy staff_account_admin_update on staff_account for update
  using (koepel_principal_kind() = 'staff' and koepel_has_permission('admin:staff') and not is_operator
         and exists (select 1 from membership m where m.staff_id = staff_account.id and m.organisation_id = koepel_org())
         and not exists (select 1 from membership m
                         where m.staff_id = staff_account.id and m.organisation_id <> koepel_org()))
  with check (koepel_principal_kind() = 'staff' and koepel_has_permission('admin:staff') and not is_operator);

create function koepel_staff_account_admin_guard() returns trigger language plpgsql as $$
begin
  if koepel_principal_kind() <> 'staff' or new.id = koepel_actor() then
    return new;
  end if;
  -- Someone else's account: only the two-step verification reset (and ending their sessions).
  if new.email <> old.email or new.display_name <> old.display_name or new.password_hash <> old.password_hash
     or new.is_operator <> old.is_operator or new.disabled_at is distinct from old.disabled_at
     or new.created_at <> old.created_at
     or (new.totp_ciphertext is not null and new.totp_ciphertext is distinct from old.totp_ciphertext)
     or (new.totp_confirmed_at is not null and new.totp_confirmed_at is distinct from old.totp_confirmed_at)
     or (old.must_enrol_totp and not new.must_enrol_totp) then
    raise exception 'an admin may only reset two-step verification' using errcode = '42501';
  end if;
  return new;
end $$;
create trigger staff_account_admin_guard before update on staff_account
  for each row execute function koepel_staff_account_admin_guard();

-- One-time links to set a password: the link holds a random token, the database its SHA-256.
create table staff_invitation (
  token_hash bytea primary key,
  staff_id uuid not null references staff_account(id),
  organisation_id uuid not null references organisation(id),
  created_by uuid not null references staff_account(id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index staff_invitation_staff on staff_invitation (staff_id);
alter table staff_invitation enable row level security;
alter table staff_invitation force row level security;
create policy staff_invitation_admin on staff_invitation for insert
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org()
              and koepel_has_permission('admin:staff') and created_by = koepel_actor());
create policy staff_invitation_redeem on staff_invitation for all
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'staff-login')
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'staff-login');
grant select, insert, update on staff_invitation to koepel_app;

-- The count on the staff menu's "Verzoeken": the organisation's open requests, as row-level security shows them to
-- this employee (own organisation, record:requests, current care relationship), without reading any citizen.
create function koepel_open_access_request_count() returns bigint
language sql stable
set koepel.patient_search = 'on'
as $$
  select count(*) from record_access_request r where koepel_principal_kind() = 'staff' and r.status = 'open'
$$;
revoke all on function koepel_open_access_request_count() from public;
grant execute on function koepel_open_access_request_count() to koepel_app;
