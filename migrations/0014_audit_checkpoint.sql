-- Signed checkpoints of the audit chain heads (src/platform/audit/checkpoint.ts). Every few minutes the server signs
-- the 16 chain heads with an Ed25519 key from its configuration — a key the database never holds — and appends the
-- checkpoint to a file outside the database (KOEPEL_AUDIT_CHECKPOINT_FILE) and to this table. Someone who can
-- rewrite audit_log (a superuser, the table owner) can rewrite this table too, but cannot sign: `npm run audit:verify`
-- checks the chains against the checkpoints in the file. The table is a convenience copy (what was signed, when).
create table audit_checkpoint (
  id bigint generated always as identity primary key,
  created_at timestamptz not null default now(),
  key_id text not null,      -- the first 16 hex digits of the SHA-256 of the public key (DER)
  body text not null,        -- the signed JSON: time and every chain's (seq, hash)
  signature bytea not null   -- Ed25519 over body (UTF-8)
);

alter table audit_checkpoint enable row level security;
alter table audit_checkpoint force row level security;
create policy audit_checkpoint_read on audit_checkpoint for select
  using (koepel_principal_kind() = 'system'
         and current_setting('koepel.purpose', true) in ('audit-checkpoint', 'audit-verify'));
create policy audit_checkpoint_write on audit_checkpoint for insert
  with check (koepel_principal_kind() = 'system' and current_setting('koepel.purpose', true) = 'audit-checkpoint');
grant select, insert on audit_checkpoint to koepel_app;

-- Append-only like audit_log (the same refusal).
create trigger audit_checkpoint_no_update before update or delete on audit_checkpoint
  for each row execute function koepel_audit_refuse_change();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
  for each statement execute function koepel_audit_refuse_change();
