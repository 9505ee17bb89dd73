-- Issue 13, the FHIR side of secure messages (MG-9, MG-13): the organisation's own system (its API client) polls the
-- messages of its conversations as FHIR Communications, reads one, and answers (src/fhir/communications.ts).
--
-- As for appointments (0024): reading a message row needs an audit record for its citizen first (policy
-- conversation_message_client, 0029). A poll does not know whose messages changed, so it first learns the ids
-- (message and citizen, nothing else) of the organisation's messages that match, audits a read of each citizen, and
-- only then reads the rows. Only messages of citizens with a care relationship the client still sees
-- (care_relationship_org hides an ended one, PZ-4).
--
-- A message changes once after it is written: when the other side reads it (read_at). Its "last updated" is
-- therefore greatest(created_at, read_at) (greatest ignores a null), and the poll index is on that expression.

create index conversation_message_updated
  on conversation_message (organisation_id, (greatest(created_at, read_at)), id);

-- The organisation's messages changed in a window of greatest(created_at, read_at), optionally of one citizen and/or
-- one conversation, oldest change first; `total` is the number of matches before limit and offset.
create function koepel_client_communications(
  after_ts timestamptz, after_inclusive boolean,
  before_ts timestamptz, before_inclusive boolean,
  citizen uuid, thread uuid, lim int, skip int)
returns table (message_id uuid, citizen_id uuid, total bigint)
language sql stable
set koepel.patient_search = 'on'
as $$
  select m.id, m.citizen_id, count(*) over ()
  from conversation_message m
  where koepel_principal_kind() = 'client' and m.organisation_id = koepel_org()
    and (after_ts is null or greatest(m.created_at, m.read_at) > after_ts
         or (after_inclusive and greatest(m.created_at, m.read_at) = after_ts))
    and (before_ts is null or greatest(m.created_at, m.read_at) < before_ts
         or (before_inclusive and greatest(m.created_at, m.read_at) = before_ts))
    and (citizen is null or m.citizen_id = citizen)
    and (thread is null or m.conversation_id = thread)
    and exists (select 1 from care_relationship r
                where r.citizen_id = m.citizen_id and r.organisation_id = m.organisation_id)
  order by greatest(m.created_at, m.read_at), m.id
  limit greatest(lim, 0) offset greatest(skip, 0)
$$;
revoke all on function koepel_client_communications(timestamptz, boolean, timestamptz, boolean, uuid, uuid, int, int)
  from public;
grant execute on function koepel_client_communications(timestamptz, boolean, timestamptz, boolean, uuid, uuid, int, int)
  to koepel_app;

-- Whom one message (or one conversation) of the organisation is about, for a read or an answer by id, or null.
create function koepel_client_message_citizen(message uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select m.citizen_id from conversation_message m
  where koepel_principal_kind() = 'client' and m.organisation_id = koepel_org() and m.id = message
    and exists (select 1 from care_relationship r
                where r.citizen_id = m.citizen_id and r.organisation_id = m.organisation_id)
$$;
revoke all on function koepel_client_message_citizen(uuid) from public;
grant execute on function koepel_client_message_citizen(uuid) to koepel_app;

create function koepel_client_conversation_citizen(thread uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select c.citizen_id from conversation c
  where koepel_principal_kind() = 'client' and c.organisation_id = koepel_org() and c.id = thread
    and exists (select 1 from care_relationship r
                where r.citizen_id = c.citizen_id and r.organisation_id = c.organisation_id)
$$;
revoke all on function koepel_client_conversation_citizen(uuid) from public;
grant execute on function koepel_client_conversation_citizen(uuid) to koepel_app;

-- Whom one attachment of the organisation is about (GET Binary/msgatt-{uuid}), or null.
create function koepel_client_attachment_citizen(attachment uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select a.citizen_id from message_attachment a
  where koepel_principal_kind() = 'client' and a.organisation_id = koepel_org() and a.id = attachment
    and exists (select 1 from care_relationship r
                where r.citizen_id = a.citizen_id and r.organisation_id = a.organisation_id)
$$;
revoke all on function koepel_client_attachment_citizen(uuid) from public;
grant execute on function koepel_client_attachment_citizen(uuid) to koepel_app;

-- ---------------------------------------------------------------------------------------------
-- The staff inbox at 10,000 conversations (bench:messages, docs/performance.md "Messages (issue 13)")
-- ---------------------------------------------------------------------------------------------
-- 1. Row-level security cost per row. The policies of 0029 call koepel_principal_kind(), koepel_org() and
--    koepel_has_permission() for EVERY row a statement looks at (they are stable, so PostgreSQL may not fold them,
--    and koepel_has_permission splits the permission list each time). The filter counts and the badge look at all of
--    an organisation's conversations, so most of an inbox page's database time was spent there. The same policies
--    with those calls as scalar subqueries are evaluated once per statement (an InitPlan); the result is the same,
--    because the settings cannot change within a statement. The per-row koepel_audited(citizen_id) is kept, behind a
--    once-per-statement check of koepel.patient_search (which koepel_audited itself also checks: same meaning).
alter policy conversation_staff on conversation
  using ((select koepel_principal_kind()) = 'staff' and organisation_id = (select koepel_org())
         and (select koepel_has_permission('messages:read'))
         and ((select current_setting('koepel.patient_search', true)) = 'on' or koepel_audited(citizen_id)));
alter policy conversation_client on conversation
  using ((select koepel_principal_kind()) = 'client' and organisation_id = (select koepel_org())
         and ((select current_setting('koepel.patient_search', true)) = 'on' or koepel_audited(citizen_id)));
alter policy conversation_message_staff on conversation_message
  using ((select koepel_principal_kind()) = 'staff' and organisation_id = (select koepel_org())
         and (select koepel_has_permission('messages:read'))
         and ((select current_setting('koepel.patient_search', true)) = 'on' or koepel_audited(citizen_id)));
alter policy conversation_message_client on conversation_message
  using ((select koepel_principal_kind()) = 'client' and organisation_id = (select koepel_org())
         and ((select current_setting('koepel.patient_search', true)) = 'on' or koepel_audited(citizen_id)));

-- 2. The default inbox ("active": open or answered) had no index in its order: status in (open, answered) over
--    (organisation_id, status, last_message_at) is two ranges, so PostgreSQL read and sorted every active
--    conversation for each page. A partial index in the page's order answers it by reading 25 entries.
create index conversation_inbox_active on conversation (organisation_id, last_message_at desc, id desc)
  where status in ('open', 'answered');
