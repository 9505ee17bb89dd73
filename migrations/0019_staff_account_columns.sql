-- What may change in a staff account, and through which door (issue 10 review). Until now the policy
-- staff_account_self (0001) let a logged-in employee or operator UPDATE every column of their own row, and the admin
-- guard of 0017 let the own row through untouched: an employee could make themselves an operator, clear their
-- disabled_at, move sessions_valid_after back so that ended sessions count again, or drop their two-step verification.
--
-- The flows that legitimately write a staff account, all through koepel_app:
--   system, purpose staff-login  set a password from an invitation link (password_hash); use a TOTP code
--                                (totp_last_step); enrol at login (totp_*, must_enrol_totp)
--   system, purpose session      end all sessions of an account (sessions_valid_after)
--   staff / operator, own row    set up or replace their authenticator app under Mijn account (totp_*,
--                                must_enrol_totp = false)
--   staff with admin:staff       reset another employee's two-step verification (totp_* cleared, must_enrol_totp,
--                                sessions_valid_after; the guard of 0017)
-- Nothing in the app changes an e-mail address, a name, the operator flag, disabled_at or created_at: those belong to
-- the owner (the seed, the service desk's tooling), so koepel_app loses UPDATE on them altogether (column privileges),
-- and the trigger below holds every other update to its flow.

revoke update on staff_account from koepel_app;
grant update (password_hash, totp_ciphertext, totp_confirmed_at, totp_last_step, must_enrol_totp, sessions_valid_after)
  on staff_account to koepel_app;

create function koepel_staff_account_columns_guard() returns trigger language plpgsql as $$
declare
  kind text := koepel_principal_kind();
  purpose text := coalesce(current_setting('koepel.purpose', true), '');
  new_secret boolean := new.totp_ciphertext is distinct from old.totp_ciphertext;
begin
  -- The owner (migrations, the seed, maintenance by hand) is not the app; the app always runs as koepel_app.
  if current_user <> 'koepel_app' then
    return new;
  end if;
  -- Belt and braces: the column privileges already refuse these to koepel_app.
  if new.id <> old.id or new.email <> old.email or new.display_name <> old.display_name
     or new.is_operator <> old.is_operator or new.disabled_at is distinct from old.disabled_at
     or new.created_at <> old.created_at then
    raise exception 'this column of a staff account is not the app''s to change' using errcode = '42501';
  end if;
  if kind = 'system' then
    if purpose = 'staff-login' then
      return new;
    end if;
    if purpose = 'session' and new.password_hash = old.password_hash and not new_secret
       and new.totp_confirmed_at is not distinct from old.totp_confirmed_at
       and new.totp_last_step is not distinct from old.totp_last_step
       and new.must_enrol_totp = old.must_enrol_totp and new.sessions_valid_after >= old.sessions_valid_after then
      return new;
    end if;
    raise exception 'a staff account is not changed for purpose %', purpose using errcode = '42501';
  end if;
  if kind = 'staff' and old.id is distinct from koepel_actor() then
    -- Another employee's account: the admin's two-step verification reset, held by the guard of 0017 (and by the
    -- policy staff_account_admin_update, which only an admin:staff of the account's one organisation passes).
    return new;
  end if;
  if kind not in ('staff', 'operator') or old.id is distinct from koepel_actor() then
    raise exception 'not your staff account' using errcode = '42501';
  end if;
  -- The own account: only setting up (or replacing) the authenticator app. A password is set through an
  -- invitation link; sessions may be ended, never revived; two-step verification is never switched off.
  if new.password_hash <> old.password_hash then
    raise exception 'a password is not changed this way' using errcode = '42501';
  end if;
  if new.sessions_valid_after < old.sessions_valid_after then
    raise exception 'ended sessions cannot be revived' using errcode = '42501';
  end if;
  if (old.totp_ciphertext is not null and new.totp_ciphertext is null)
     or (old.totp_confirmed_at is not null and new.totp_confirmed_at is null)
     or (new_secret and new.totp_confirmed_at is null) then
    raise exception 'two-step verification cannot be switched off' using errcode = '42501';
  end if;
  if not new_secret and (new.totp_confirmed_at is distinct from old.totp_confirmed_at
                         or new.totp_last_step is distinct from old.totp_last_step
                         or (old.must_enrol_totp and not new.must_enrol_totp)) then
    -- A used code's step only moves on with a new secret (replays stay refused), and the set-up an admin asked for
    -- is only done by setting up an app.
    raise exception 'two-step verification changes only with a new authenticator app' using errcode = '42501';
  end if;
  return new;
end $$;

create trigger staff_account_columns_guard before update on staff_account
  for each row execute function koepel_staff_account_columns_guard();
