-- Partial and unknown birth dates (PZ-2, issue 16). The BRP gives a birth date as a full date (Datum), a year and a
-- month (JaarMaandDatum), a year (JaarDatum) or not at all (DatumOnbekend). Until now the clear column was
-- `birth_date date not null`: a partial date was stored as its first possible day and an unknown one as 1900-01-01,
-- and staff saw that made-up day as if it were the person's birthday.
--
-- Now the column says how much of the date is known:
--   precision 'day'     birth_date is the date
--   precision 'month'   birth_date is the first day of the known month (year and month known, day not)
--   precision 'year'    birth_date is 1 January of the known year (month and day not known)
--   precision 'unknown' birth_date is null
-- Keeping the first possible day for a partial date lets staff lists sort people in a sensible place; views show only
-- the part that is known ("maart 1980", "1980", "onbekend"). src/identity/brp/person.ts birthDateColumns writes both.
alter table citizen alter column birth_date drop not null;
alter table citizen add column birth_date_precision text not null default 'day'
  check (birth_date_precision in ('day', 'month', 'year', 'unknown'));
alter table citizen add constraint citizen_birth_date_precision_agrees check (
  case birth_date_precision
    when 'unknown' then birth_date is null
    when 'day' then birth_date is not null
    when 'month' then birth_date is not null and extract(day from birth_date) = 1
    when 'year' then birth_date is not null and extract(day from birth_date) = 1 and extract(month from birth_date) = 1
  end
);

-- Rows written before this migration: 1900-01-01 was the stand-in for "unknown" (nobody alive in a care relationship
-- was born on it). A partial date stored as the first of its month or year cannot be told from a real first-of-month
-- birthday here (the snapshot that knows is encrypted under the citizen's own key): those rows stay 'day' until the
-- citizen's next login, when the fresh BRP answer writes the right precision.
update citizen set birth_date = null, birth_date_precision = 'unknown' where birth_date = date '1900-01-01';

-- The precision is BRP data like the date itself: only the login flow writes it (migration 0013). The trigger's list
-- of BRP columns gains it; everything else is as 0013 made it.
create or replace function koepel_citizen_columns() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  brp constant text[] := array['bsn_index', 'bsn_ciphertext', 'family_name', 'name_prefix', 'given_names',
                               'search_name', 'birth_date', 'birth_date_precision', 'brp_ciphertext',
                               'brp_fetched_at'];
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

-- Staff search by birth date (migration 0002), now with partial dates. A search for a full date finds
--   * everyone whose full birth date is that date;
--   * everyone whose birth date is partial and agrees with it as far as it is known: a search for 15-03-1980 also
--     lists a person the BRP knows as born "maart 1980" or "1980". Staff search with the date the patient or a
--     referral gives; for someone the BRP knows only partly, another system may well hold a full date (often a
--     made-up 1 January or 1 July), and leaving such a person out would make them unfindable by birth date. The
--     result list shows the partial date ("maart 1980", "1980"), never the searched day, so nobody takes such a row
--     for a confirmed match;
--   * never someone whose birth date is unknown (they are found by name).
-- Same signature, so the grants of 0002 stay; SECURITY INVOKER and the search setting as before.
create or replace function koepel_search_patients(q text, born date, max_rows int) returns setof uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select c.id
  from care_relationship r
  join citizen c on c.id = r.citizen_id
  where koepel_principal_kind() = 'staff'
    and koepel_has_permission('patients:search')
    and (nullif(btrim(coalesce(q, '')), '') is not null or born is not null)
    and (born is null
         or c.birth_date = case c.birth_date_precision
                             when 'day' then born
                             when 'month' then make_date(extract(year from born)::int, extract(month from born)::int, 1)
                             when 'year' then make_date(extract(year from born)::int, 1, 1)
                           end)
    and not exists (
      select 1 from unnest(string_to_array(lower(btrim(coalesce(q, ''))), ' ')) as w(word)
      where w.word <> '' and strpos(c.search_name, w.word) = 0
    )
  order by c.family_name, c.given_names, c.birth_date nulls last, c.id
  limit greatest(0, least(coalesce(max_rows, 0), 500))
$$;
