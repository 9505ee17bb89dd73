-- Rights for issue 13 (ZL-10): read and answer the organisation's conversations with citizens (messages:read), and
-- handle citizens' repeat-medication orders (medication:orders). Care roles get both; an admin can take either away
-- from one employee.
create or replace function koepel_membership_admin_guard() returns trigger language plpgsql as $$
begin
  if koepel_principal_kind() <> 'staff' then
    return new;
  end if;
  if not (new.permissions <@ array['patients:search', 'patients:read', 'record:read', 'record:requests',
                                   'audit:read', 'admin:staff', 'admin:organisation', 'admin:api-clients',
                                   'agenda:read', 'agenda:reasons', 'messages:read', 'medication:orders']) then
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

update membership set permissions = array(select distinct unnest(permissions || '{messages:read,medication:orders}'::text[]))
  where role in ('doctor', 'assistant', 'pharmacist', 'therapist', 'social_worker');
