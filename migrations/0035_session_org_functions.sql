-- The staff menu shows a capability's links only where the employee's organisation offers that function (MG-1): a
-- physiotherapist's assistant has no repeat-medication inbox. The session row therefore also carries the functions of
-- the session's organisation, read in the same round trip (0018); the function is otherwise unchanged.
drop function koepel_open_session(bytea, bigint, bigint);
create function koepel_open_session(p_token_hash bytea, p_idle_ms bigint, p_touch_after_ms bigint)
returns table (
  token_hash bytea, kind text, citizen_id uuid, staff_id uuid, organisation_id uuid, portal_id uuid,
  csrf_token text, state jsonb, created_at timestamptz, last_seen_at timestamptz, absolute_expires_at timestamptz,
  ended_at timestamptz, sessions_valid_after timestamptz, disabled_at timestamptz, is_operator boolean,
  display_name text, role text, permissions text[], membership_disabled_at timestamptz,
  membership_sessions_valid_after timestamptz, settings text, organisation_functions text[]
) language plpgsql volatile set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
  r record;
  valid boolean;
  k text := 'anonymous';
  org text := '';
  citizen text := '';
  portal text := '';
  actor text := '';
  perms text := '';
begin
  if koepel_principal_kind() <> 'system' or current_setting('koepel.purpose', true) <> 'session' then
    raise exception 'koepel_open_session runs only for the session purpose';
  end if;
  select s.token_hash, s.kind, s.citizen_id, s.staff_id, s.organisation_id, s.portal_id, s.csrf_token, s.state,
         s.created_at, s.last_seen_at, s.absolute_expires_at, s.ended_at, a.sessions_valid_after, a.disabled_at,
         a.is_operator, a.display_name, m.role, m.permissions, m.disabled_at as membership_disabled_at,
         m.sessions_valid_after as membership_sessions_valid_after, o.functions as organisation_functions
    into r
    from session s
    left join staff_account a on a.id = s.staff_id
    left join membership m on m.staff_id = s.staff_id and m.organisation_id = s.organisation_id
    left join organisation o on o.id = m.organisation_id
   where s.token_hash = p_token_hash;
  if not found then
    return;
  end if;
  valid := r.ended_at is null
       and clock_timestamp() - r.last_seen_at <= p_idle_ms * interval '1 millisecond'
       and clock_timestamp() <= r.absolute_expires_at
       and not (r.kind = 'staff' and (r.disabled_at is not null or r.membership_disabled_at is not null
                or coalesce(r.membership_sessions_valid_after > r.created_at, false)
                or coalesce(r.sessions_valid_after > r.created_at, false)));
  if valid and clock_timestamp() - r.last_seen_at > p_touch_after_ms * interval '1 millisecond' then
    update session set last_seen_at = clock_timestamp() where session.token_hash = p_token_hash;
  end if;
  if valid then
    if r.kind = 'citizen' and r.citizen_id is not null and r.portal_id is not null then
      k := 'citizen'; citizen := r.citizen_id::text; portal := r.portal_id::text; actor := citizen;
    elsif r.kind = 'staff' and r.staff_id is not null and r.display_name is not null then
      if r.organisation_id is not null then
        k := 'staff'; org := r.organisation_id::text; actor := r.staff_id::text;
        perms := array_to_string(coalesce(r.permissions, '{}'), ',');
      elsif r.is_operator then
        k := 'operator'; actor := r.staff_id::text;
      end if;
    end if;
  end if;
  perform set_config('koepel.principal_kind', k, true), set_config('koepel.organisation_id', org, true),
          set_config('koepel.citizen_id', citizen, true), set_config('koepel.portal_id', portal, true),
          set_config('koepel.actor_id', actor, true), set_config('koepel.permissions', perms, true),
          set_config('koepel.purpose', '', true);
  return query select r.token_hash, r.kind, r.citizen_id, r.staff_id, r.organisation_id, r.portal_id, r.csrf_token,
    r.state, r.created_at, r.last_seen_at, r.absolute_expires_at, r.ended_at, r.sessions_valid_after, r.disabled_at,
    r.is_operator, r.display_name, r.role, r.permissions, r.membership_disabled_at,
    r.membership_sessions_valid_after, concat_ws('|', k, org, citizen, portal, actor, perms), r.organisation_functions;
end $$;
revoke all on function koepel_open_session(bytea, bigint, bigint) from public;
grant execute on function koepel_open_session(bytea, bigint, bigint) to koepel_app;
