-- Who writes a citizen's data (PZ-2, MG-7), stated in the database.

-- ---------------------------------------------------------------------------------------------------------------
-- PZ-2: identity data comes from the BRP and the citizen cannot change it. Until now citizen_self was `for all`: a
-- citizen could update every column of her own row (her name, birth date, the BRP snapshot, even her BSN).
--
-- Now the BRP columns (BSN and its blind index, names, birth date, the encrypted snapshot and when it was fetched)
-- are written only by the login flow: the system principal for the purpose 'citizen-login', after an audit record
-- naming the citizen in the same transaction. The citizen herself updates only what she supplied (e-mail, phone) and
-- her login times; the login flow's principal writes nothing else. Every principal runs as koepel_app, so column
-- grants cannot tell them apart: a trigger compares the old and the new row instead. It binds koepel_app only — the
-- owner (migrations, the demo seed, maintenance) can drop a trigger anyway.
-- Nobody inserts citizens as koepel_app (today the demo seed and the tests make citizen rows, as the owner), so that
-- grant goes.
drop policy citizen_self on citizen;
create policy citizen_self on citizen for select
  using (koepel_principal_kind() = 'citizen' and id = koepel_citizen() and koepel_audited(id));
create policy citizen_self_update on citizen for update
  using (koepel_principal_kind() = 'citizen' and id = koepel_citizen() and koepel_audited(id))
  with check (koepel_principal_kind() = 'citizen' and id = koepel_citizen());
create policy citizen_login_brp on citizen for update
  using (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'citizen-login'
         and koepel_audited(id))
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'citizen-login');
revoke insert on citizen from koepel_app;

-- Which columns an update changes, against two lists: the BRP columns (the login flow's) and the citizen's own. A
-- column on neither list (the id, created_at, and any column added later until it is put on one) is written by no
-- one through koepel_app.
create function koepel_citizen_columns() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  brp constant text[] := array['bsn_index', 'bsn_ciphertext', 'family_name', 'name_prefix', 'given_names',
                               'search_name', 'birth_date', 'brp_ciphertext', 'brp_fetched_at'];
  own constant text[] := array['email_ciphertext', 'phone_ciphertext', 'last_login_at', 'previous_login_at'];
  changed text[];
begin
  if current_user <> 'koepel_app' then
    return new;
  end if;
  select coalesce(array_agg(n.key), '{}') into changed
  from jsonb_each(to_jsonb(new)) n
  where n.value is distinct from to_jsonb(old) -> n.key;
  if koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'citizen-login' then
    if not changed <@ brp then
      raise exception 'citizen: the login flow writes only BRP data' using errcode = 'insufficient_privilege';
    end if;
  elsif not changed <@ own then
    raise exception 'citizen: BRP data is written only by the login flow (PZ-2)' using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;
create trigger citizen_columns before update on citizen
  for each row execute function koepel_citizen_columns();

-- ---------------------------------------------------------------------------------------------------------------
-- Holes the write matrix of test/property/record-isolation.test.ts found: three `for all` policies that let a
-- principal write what it should only read.

-- A citizen could insert a data key row for herself (a newer version would become her current key). Keys are made
-- with the citizen row, by the owner.
drop policy citizen_key_self on citizen_key;
create policy citizen_key_self on citizen_key for select
  using (koepel_principal_kind() = 'citizen' and citizen_id = koepel_citizen());

-- Staff with record:requests could file a record request in a citizen's name. The citizen asks (MG-7); staff read
-- and answer.
drop policy record_access_request_staff on record_access_request;
create policy record_access_request_staff on record_access_request for select
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('record:requests')
         and koepel_audited(citizen_id)
         and exists (select 1 from care_relationship r where r.citizen_id = record_access_request.citizen_id
                     and r.organisation_id = record_access_request.organisation_id));
create policy record_access_request_staff_answer on record_access_request for update
  using (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('record:requests')
         and koepel_audited(citizen_id)
         and exists (select 1 from care_relationship r where r.citizen_id = record_access_request.citizen_id
                     and r.organisation_id = record_access_request.organisation_id))
  with check (koepel_principal_kind() = 'staff' and organisation_id = koepel_org() and koepel_has_permission('record:requests')
              and koepel_audited(citizen_id));

-- Staff with record:read could delete attachments of their organisation's record (a DELETE needs only USING). Only
-- the organisation's system writes the record, attachments included.
drop policy record_attachment_org on record_attachment;
create policy record_attachment_org on record_attachment for select
  using (koepel_org_reads(organisation_id, citizen_id));
create policy record_attachment_client on record_attachment
  using (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id))
  with check (koepel_principal_kind() = 'client' and koepel_org_reads(organisation_id, citizen_id)
              and exists (select 1 from record_resource rr
                          where rr.id = record_attachment.resource_id
                            and rr.organisation_id = record_attachment.organisation_id
                            and rr.citizen_id = record_attachment.citizen_id));
