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
  record_categories: ColumnType<string[], string[] | undefined, string[]>;
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
  previous_login_at: Timestamp | null;
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

export interface ApiClientTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  client_id: string;
  secret_hash: Bytes;
  created_by: string | null;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface ApiTokenTable {
  token_hash: Bytes;
  api_client_id: string;
  organisation_id: string;
  expires_at: Timestamp;
  created_at: Generated<Date>;
}

/** An app a citizen can authorise to read their record (migration 0012). */
export interface CitizenAppTable {
  id: Generated<string>;
  name: string;
  vendor: string;
  client_id: string;
  confidential: boolean;
  redirect_uris: string[];
  created_by: string | null;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
}

export interface CitizenAppSecretTable {
  app_id: string;
  secret_hash: Bytes;
}

export interface CitizenAppGrantTable {
  id: Generated<string>;
  citizen_id: string;
  app_id: string;
  portal_id: string;
  granted_at: Generated<Date>;
  last_used_at: Timestamp | null;
}

export interface CitizenAppCodeTable {
  code_hash: Bytes;
  grant_id: string;
  redirect_uri: string;
  code_challenge: string;
  scope: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface CitizenAppTokenTable {
  token_hash: Bytes;
  grant_id: string;
  code_hash: Bytes;
  scope: string;
  expires_at: Timestamp;
  created_at: Generated<Date>;
}

export type RecordResourceType =
  | 'Patient'
  | 'Appointment'
  | 'Condition'
  | 'AllergyIntolerance'
  | 'Observation'
  | 'DocumentReference'
  | 'MedicationStatement'
  | 'MedicationRequest'
  | 'MedicationDispense'
  | 'CareTeam';

export type RecordCategory =
  'appointments' | 'episodes' | 'sensitivities' | 'lab' | 'documents' | 'medication' | 'careteam';

export interface RecordResourceTable {
  id: Generated<string>;
  organisation_id: string;
  citizen_id: string;
  resource_type: RecordResourceType;
  category: RecordCategory | 'patient';
  source_key: string;
  effective_at: Timestamp | null;
  content_mac: Bytes;
  ciphertext: Bytes;
  version: Generated<number>;
  written_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RecordAttachmentTable {
  id: Generated<string>;
  resource_id: string;
  organisation_id: string;
  citizen_id: string;
  position: number;
  content_type: string;
  byte_size: number;
  ciphertext: Bytes;
  created_at: Generated<Date>;
}

export interface DirectoryResourceTable {
  id: Generated<string>;
  organisation_id: string;
  resource_type: 'Practitioner' | 'PractitionerRole';
  source_key: string;
  resource: ColumnType<Record<string, unknown>, string, string>;
  updated_at: Generated<Date>;
  /** 0004_fhir.sql */
  version: Generated<number>;
  created_at: Generated<Date>;
  written_by: string | null;
}

export interface RecordCategoryGrantTable {
  organisation_id: string;
  citizen_id: string;
  category: RecordCategory;
  granted_by: string | null;
  granted_at: Generated<Date>;
}

export interface RecordAccessRequestTable {
  id: Generated<string>;
  organisation_id: string;
  citizen_id: string;
  categories: ColumnType<RecordCategory[], RecordCategory[], RecordCategory[]>;
  note_ciphertext: Bytes | null;
  status: ColumnType<'open' | 'granted' | 'declined', 'open' | undefined, 'granted' | 'declined'>;
  response_ciphertext: Bytes | null;
  created_at: Generated<Date>;
  handled_at: Timestamp | null;
  handled_by: string | null;
}

export type RecordEventKind = 'result.new' | 'document.new' | 'record.new' | 'record.changed';

export interface RecordEventTable {
  id: Generated<number>;
  organisation_id: string;
  citizen_id: string;
  category: string;
  kind: RecordEventKind;
  resource_id: string | null;
  created_at: Generated<Date>;
  processed_at: Timestamp | null;
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
  api_client: ApiClientTable;
  api_token: ApiTokenTable;
  record_resource: RecordResourceTable;
  record_attachment: RecordAttachmentTable;
  directory_resource: DirectoryResourceTable;
  record_category_grant: RecordCategoryGrantTable;
  record_access_request: RecordAccessRequestTable;
  record_event: RecordEventTable;
  citizen_app: CitizenAppTable;
  citizen_app_secret: CitizenAppSecretTable;
  citizen_app_grant: CitizenAppGrantTable;
  citizen_app_code: CitizenAppCodeTable;
  citizen_app_token: CitizenAppTokenTable;
}
