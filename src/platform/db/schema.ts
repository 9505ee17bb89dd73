// The database types the code uses: the table types generated from the migrations (schema.generated.ts, by
// `npm run db:generate`), with the few narrowings the database cannot state. Every narrowing names an existing column
// and must fit inside the generated type for reading, inserting and updating, so a migration that removes, renames
// or retypes a narrowed column fails the type check here.
import type { ColumnType, InsertType, SelectType, UpdateType } from 'kysely';
import type * as G from './schema.generated.js';

// Domain types: the CHECK (column IN (...)) lists of the migrations, under the names the code uses.
export type OrganisationKind = G.OrganisationKind;
export type StaffRole = G.MembershipRole;
export type AuditAction = G.AuditLogAction;
export type AuditOutcome = G.AuditLogOutcome;
export type ActorType = G.AuditLogActorType;
export type RecordResourceType = G.RecordResourceResourceType;
/** What a citizen can be shown or granted; a record_resource row can also be the 'patient' itself. */
export type RecordCategory = G.RecordCategoryGrantCategory;
export type RecordEventKind = G.RecordEventKind;

type Fits<Narrowed, Column> =
  ColumnType<SelectType<Narrowed>, InsertType<Narrowed>, UpdateType<Narrowed>> extends ColumnType<
    SelectType<Column>,
    InsertType<Column>,
    UpdateType<Column>
  >
    ? Narrowed
    : 'does not fit the generated column type';

/** A generated table with some columns narrowed (see the top of this file). */
type Narrow<
  Table,
  Columns extends { [C in keyof Columns]: C extends keyof Table ? Fits<Columns[C], Table[C]> : 'no such column' },
> = { [C in keyof Table]: C extends keyof Columns ? Columns[C] : Table[C] };

/** NOT NULL columns without a default that a BEFORE INSERT trigger fills: the code reads them and never writes them. */
type FilledByTrigger<Table, Columns extends keyof Table> = {
  [C in keyof Table]: C extends Columns ? ColumnType<SelectType<Table[C]>, never, never> : Table[C];
};

/** NOT NULL columns a BEFORE INSERT trigger fills when the writer leaves them out (a default that depends on the row). */
type DefaultedByTrigger<Table, Columns extends keyof Table> = {
  [C in keyof Table]: C extends Columns
    ? ColumnType<SelectType<Table[C]>, InsertType<Table[C]> | undefined, UpdateType<Table[C]>>
    : Table[C];
};

/** jsonb the code writes as JSON text (JSON.stringify): pg would send a JavaScript array as a PostgreSQL array. */
type JsonText<Read extends G.JsonValue, Insert extends string | undefined = string> = ColumnType<Read, Insert, string>;

type Tables<T extends { [K in keyof T]: K extends keyof G.DB ? unknown : 'no such table' }> = {
  [K in keyof G.DB]: K extends keyof T ? T[K] : G.DB[K];
};

export type DB = Tables<{
  portal: Narrow<G.Portal, { theme: JsonText<Record<string, string>, string | undefined> }>;
  session: Narrow<G.Session, { state: JsonText<G.JsonObject, string | undefined> }>;
  // logical_id: migrations/0021_fhir_rest.sql (the sent id, else `id|…` source key, else the row's or citizen's id).
  directory_resource: DefaultedByTrigger<
    Narrow<G.DirectoryResource, { resource: JsonText<G.JsonObject> }>,
    'logical_id'
  >;
  record_resource: DefaultedByTrigger<G.RecordResource, 'logical_id'>;
  record_access_request: Narrow<
    G.RecordAccessRequest,
    {
      categories: RecordCategory[];
      // Created open, then answered once.
      status: ColumnType<G.RecordAccessRequestStatus, 'open' | undefined, 'granted' | 'declined'>;
    }
  >;
  audit_log: FilledByTrigger<G.AuditLog, 'chain_id' | 'seq' | 'occurred_at' | 'prev_hash' | 'hash'>;
}>;
