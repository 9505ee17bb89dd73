// Table types for Kysely. Keep in step with migrations/*.sql (test/security/schema.test.ts checks the columns).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Bytes = Uint8Array;

export interface PortalTable {
  id: Generated<string>;
  slug: string;
  name: string;
  theme: ColumnType<Record<string, string>, string | undefined, string>;
  support_email: string;
  support_phone: string | null;
  dpo_name: string;
  dpo_email: string;
  privacy_statement_updated_on: string;
  created_at: Generated<Date>;
}

export type OrganisationKind = 'gp' | 'pharmacy' | 'hospital' | 'physiotherapy' | 'neighbourhood_team' | 'municipality';

export interface OrganisationTable {
  id: Generated<string>;
  name: string;
  kind: OrganisationKind;
  agb_code: string | null;
  ura_number: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  street: string | null;
  postal_code: string | null;
  city: string | null;
  requires_totp: Generated<boolean>;
  functions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Generated<Date>;
}

export interface PortalOrganisationTable {
  portal_id: string;
  organisation_id: string;
}

export interface KeyTable {
  version: number;
  wrapped: Bytes;
  created_at: Generated<Date>;
}

export interface CitizenTable {
  id: Generated<string>;
  bsn_index: Bytes;
  bsn_ciphertext: Bytes;
  family_name: string;
  name_prefix: string | null;
  given_names: string;
  search_name: string;
  birth_date: string;
  brp_ciphertext: Bytes;
  brp_fetched_at: Timestamp;
  email_ciphertext: Bytes | null;
  phone_ciphertext: Bytes | null;
  created_at: Generated<Date>;
  last_login_at: Timestamp | null;
}

export interface CareRelationshipTable {
  id: Generated<string>;
  organisation_id: string;
  citizen_id: string;
  patient_number: string | null;
  started_on: ColumnType<string, string | undefined, string>;
  ended_on: string | null;
  created_at: Generated<Date>;
}

export interface StaffAccountTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  totp_ciphertext: Bytes | null;
  totp_confirmed_at: Timestamp | null;
  totp_last_step: number | null;
  is_operator: Generated<boolean>;
  disabled_at: Timestamp | null;
  sessions_valid_after: Generated<Date>;
  created_at: Generated<Date>;
}

export type StaffRole =
  'doctor' | 'assistant' | 'pharmacist' | 'therapist' | 'social_worker' | 'admin' | 'privacy_officer';

export interface MembershipTable {
  staff_id: string;
  organisation_id: string;
  role: StaffRole;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Generated<Date>;
}

export interface SessionTable {
  token_hash: Bytes;
  kind: 'anonymous' | 'citizen' | 'staff';
  citizen_id: string | null;
  staff_id: string | null;
  organisation_id: string | null;
  portal_id: string | null;
  csrf_token: string;
  state: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  absolute_expires_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: Timestamp;
  blocked_until: Timestamp | null;
}

export interface SecurityAlertTable {
  id: Generated<string>;
  occurred_at: Generated<Date>;
  kind: string;
  subject: string;
  detail: string;
  acknowledged_at: Timestamp | null;
}

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
export type AuditOutcome = 'success' | 'failure' | 'denied';
export type ActorType = 'citizen' | 'staff' | 'operator' | 'client' | 'system' | 'anonymous';

export interface AuditLogTable {
  id: Generated<number>;
  // Filled in by the database trigger; the app never sets them.
  chain_id: Generated<number>;
  seq: Generated<number>;
  occurred_at: Generated<Date>;
  prev_hash: Generated<Bytes>;
  hash: Generated<Bytes>;
  event_code: string;
  action: AuditAction;
  outcome: AuditOutcome;
  actor_type: ActorType;
  actor_id: string | null;
  actor_role: string | null;
  actor_organisation_id: string | null;
  on_behalf_of: string | null;
  citizen_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  client_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  reason: string | null;
}

export interface DB {
  portal: PortalTable;
  organisation: OrganisationTable;
  portal_organisation: PortalOrganisationTable;
  organisation_key: KeyTable & { organisation_id: string };
  citizen: CitizenTable;
  citizen_key: KeyTable & { citizen_id: string };
  care_relationship: CareRelationshipTable;
  staff_account: StaffAccountTable;
  membership: MembershipTable;
  session: SessionTable;
  login_throttle: LoginThrottleTable;
  security_alert: SecurityAlertTable;
  audit_log: AuditLogTable;
}
