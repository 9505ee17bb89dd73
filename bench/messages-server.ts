// The server under test for the messages benchmark (bench/messages.ts), in a process of its own. It boots Koepel
// with the demo, then arranges with the owner connection one organisation ("Bench Huisartsen", functions
// ['messages']) with BENCH_MESSAGES_STAFF employees who handle messages (default 8), BENCH_MESSAGES_CITIZENS citizens
// in its care (2,000) and BENCH_MESSAGES_CONVERSATIONS conversations (10,000) of 1–6 messages each over the last
// 60 days: about 45 % open (the citizen wrote last), 25 % answered, 30 % closed, half of the open and answered ones
// assigned to an employee, the citizen's last message unread by the organisation in most open ones.
//
// Seeding is bulk: sealed rows (subject and bodies under the organisation's key, with the AAD strings of migration
// 0029, through one KeyStore handle) inserted 1,000 to a statement with the triggers switched off for that
// transaction (session_replication_role = replica), so the bookkeeping the triggers would keep (status, counters,
// last message) is computed here instead — the same values, set once, rather than 35,000 trigger updates.
//
// The inbox the bench measures is the real page, GET /staff/messages (src/messages/staff-routes.tsx). For the
// "citizen send" scenario it also opens BENCH_MESSAGES_SENDERS (default 200) citizen sessions, each with one of its
// own conversations that is not closed, to reply in through the portal (POST /messages/:id/reply).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Insertable } from 'kysely';
import type { DB } from '../src/platform/db/schema.js';
import { ROLE_DEFAULTS } from '../src/platform/auth/permissions.js';
import { withPrincipal } from '../src/platform/db/principal.js';
import { messageAad as aad } from '../src/messages/index.js';
import { benchFixtures, bootBenchKoepel } from './fixtures.js';
import { benchBsns } from './record-data.js';

export interface MessagesBenchReady {
  type: 'ready';
  port: number;
  database: 'pglite' | 'postgres';
  organisationId: string;
  /** Staff sessions (cookie tokens), one per employee. */
  staff: { id: string; session: string }[];
  /** The organisation's API client (client credentials). */
  client: { clientId: string; secret: string };
  /** Conversations that are not closed, to answer in. */
  openConversations: string[];
  /** Citizen sessions, each with one of its own conversations that is not closed (the "citizen send" scenario). */
  senders: { session: string; csrf: string; conversation: string }[];
  conversations: number;
  messages: number;
  seedSeconds: number;
}

export type MessagesBenchFromServer =
  | MessagesBenchReady
  | { type: 'cpu'; id: number; micros: number }
  | { type: 'count'; id: number; messages: number }
  | { type: 'explain'; id: number; plans: Record<string, string> }
  | { type: 'variant'; id: number }
  | { type: 'error'; message: string };
export type MessagesBenchToServer =
  | { type: 'cpu'; id: number }
  | { type: 'count'; id: number }
  | { type: 'explain'; id: number }
  /** The inbox's counting functions as 0029 wrote them ('before') or as 0037 does ('after'), for one run to compare. */
  | { type: 'variant'; id: number; which: 'before' | 'after' }
  | { type: 'stop' };

/** The `create function` statements of koepel_message_inbox_counts and koepel_message_badge in a migration. */
function countingFunctions(migration: string): string[] {
  const text = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', migration), 'utf8');
  const found = text.match(/create (?:or replace )?function koepel_message_(?:inbox_counts|badge)\b[\s\S]*?\$\$;/g);
  if (found?.length !== 2) throw new Error(`${migration}: the two counting functions not found`);
  return found.map((f) => f.replace(/^create function/, 'create or replace function'));
}

function send(m: MessagesBenchFromServer): void {
  process.send?.(m);
}

/** A small deterministic random source, so that every run seeds the same mix. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = ['Uitslag bloedonderzoek', 'Herhaalrecept', 'Vraag over medicatie', 'Verwijzing', 'Klachten na prik'];
const TEXTS = [
  'Goedemiddag, ik heb een vraag over mijn uitslag. Kunt u mij laten weten of alles in orde is?',
  'Dank voor uw bericht. De uitslag is goed, er is geen vervolg nodig.',
  'Ik heb sinds een week last van hoofdpijn en wil graag weten of ik langs moet komen.',
  'U kunt een afspraak maken via de agenda; als de klachten erger worden belt u ons.',
];

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/messages-server.ts is started by bench/messages.ts');
  const staffCount = Number(process.env.BENCH_MESSAGES_STAFF ?? '8');
  const citizenCount = Number(process.env.BENCH_MESSAGES_CITIZENS ?? '2000');
  const conversationCount = Number(process.env.BENCH_MESSAGES_CONVERSATIONS ?? '10000');
  const senderCount = Number(process.env.BENCH_MESSAGES_SENDERS ?? '200');
  const { koepel, port } = await bootBenchKoepel();
  const db = koepel.database.db;
  const keys = koepel.keys;
  const fixtures = await benchFixtures(koepel);
  const seedStart = Date.now();

  const org = await db
    .insertInto('organisation')
    .values({ name: 'Bench Huisartsen', kind: 'gp', functions: ['messages'], phone: '030 000 00 00' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const key = keys.createKey({ kind: 'organisation', id: org.id });
  await db
    .insertInto('organisation_key')
    .values({ organisation_id: org.id, version: key.version, wrapped: key.wrapped })
    .execute();
  await db
    .insertInto('portal_organisation')
    .values({ portal_id: fixtures.portalId, organisation_id: org.id })
    .execute();
  const staffIds: string[] = [];
  for (let i = 0; i < staffCount; i++) {
    const a = await db
      .insertInto('staff_account')
      .values({ email: `assistent${i}@bench.example`, display_name: `Assistent ${i}`, password_hash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('membership')
      .values({ staff_id: a.id, organisation_id: org.id, role: 'assistant', permissions: ROLE_DEFAULTS.assistant })
      .execute();
    staffIds.push(a.id);
  }
  const citizenIds = await fixtures.addCitizens(benchBsns(citizenCount, 40_000_000), [
    { id: org.id, name: 'Bench Huisartsen' },
  ]);

  // Conversations and their messages, sealed through one handle, bookkeeping computed here (triggers off).
  const handle = await keys.handle(db, { kind: 'organisation', id: org.id });
  const rnd = random(13);
  const now = Date.now();
  const conversations: Insertable<DB['conversation']>[] = [];
  const messages: Insertable<DB['conversation_message']>[] = [];
  const openConversations: string[] = [];
  const openOf = new Map<string, string>(); // citizen → one of its conversations that is not closed
  for (let i = 0; i < conversationCount; i++) {
    const id = randomUUID();
    const citizen = citizenIds[i % citizenIds.length] ?? '';
    const n = 1 + Math.floor(rnd() * 6);
    const kind = rnd();
    const status: 'open' | 'answered' | 'closed' = kind < 0.45 ? 'open' : kind < 0.7 ? 'answered' : 'closed';
    // Senders alternate; an open conversation ends with the citizen, an answered one with an employee.
    const lastCitizen = status === 'open' || (status === 'closed' && rnd() < 0.3);
    const start = now - 60 * 86_400_000 + Math.floor(rnd() * 59 * 86_400_000);
    let at = start;
    let unreadOrg = 0;
    let unreadCitizen = 0;
    let last: 'citizen' | 'staff' = 'citizen';
    for (let m = 0; m < n; m++) {
      const fromCitizen = (n - 1 - m) % 2 === 0 ? lastCitizen : !lastCitizen;
      const staffId = staffIds[(i + m) % staffIds.length] ?? '';
      const messageId = randomUUID();
      const isLast = m === n - 1;
      // Everything is read except, often, the last message: the citizen's in an open conversation, the answer in an
      // answered one.
      const unread = isLast && status !== 'closed' && rnd() < 0.7;
      if (unread && fromCitizen) unreadOrg++;
      if (unread && !fromCitizen) unreadCitizen++;
      messages.push({
        id: messageId,
        conversation_id: id,
        organisation_id: org.id,
        citizen_id: citizen,
        sender: fromCitizen ? ('citizen' as const) : ('staff' as const),
        sender_staff: fromCitizen ? null : staffId,
        sender_name: fromCitizen ? null : `Assistent ${(i + m) % staffIds.length}`,
        body: handle.seal(Buffer.from(TEXTS[(i + m) % TEXTS.length] ?? ''), aad.body(messageId)),
        read_at: unread ? null : new Date(at + 3_600_000),
        read_by: unread || !fromCitizen ? null : staffId,
        created_at: new Date(at),
      });
      last = fromCitizen ? 'citizen' : 'staff';
      if (!isLast) at += Math.floor(rnd() * 2 * 86_400_000);
    }
    const assigned = status !== 'closed' && rnd() < 0.5 ? (staffIds[i % staffIds.length] ?? null) : null;
    conversations.push({
      id,
      organisation_id: org.id,
      citizen_id: citizen,
      subject: handle.seal(Buffer.from(SUBJECTS[i % SUBJECTS.length] ?? ''), aad.subject(id)),
      started_by: 'citizen' as const,
      assigned_to: assigned,
      status,
      last_message_at: new Date(at),
      last_sender: last,
      message_count: n,
      unread_by_organisation: unreadOrg,
      unread_by_citizen: unreadCitizen,
      closed_at: status === 'closed' ? new Date(at + 86_400_000 > now ? now : at + 86_400_000) : null,
      created_at: new Date(start),
      updated_at: new Date(at),
    });
    if (status !== 'closed') {
      openConversations.push(id);
      if (!openOf.has(citizen)) openOf.set(citizen, id);
    }
  }
  await db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx);
    for (let i = 0; i < conversations.length; i += 1000) {
      await tx
        .insertInto('conversation')
        .values(conversations.slice(i, i + 1000))
        .execute();
    }
    for (let i = 0; i < messages.length; i += 1000) {
      await tx
        .insertInto('conversation_message')
        .values(messages.slice(i, i + 1000))
        .execute();
    }
  });
  await sql`analyze`.execute(db);
  const seedSeconds = (Date.now() - seedStart) / 1000;

  const staff: MessagesBenchReady['staff'] = [];
  for (const id of staffIds) {
    const s = await koepel.app.koepel.sessions.create({
      kind: 'staff',
      staffId: id,
      organisationId: org.id,
      portalId: fixtures.portalId,
    });
    staff.push({ id, session: s.token });
  }
  const senders: MessagesBenchReady['senders'] = [];
  for (const [citizenId, conversation] of [...openOf].slice(0, senderCount)) {
    const s = await koepel.app.koepel.sessions.create({
      kind: 'citizen',
      citizenId,
      portalId: fixtures.portalId,
      state: { displayName: 'Bench citizen' },
    });
    senders.push({ session: s.token, csrf: s.session.csrfToken, conversation });
  }
  const client = await fixtures.apiClient({ id: org.id, name: 'Bench Huisartsen' });

  const count = async () =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from conversation_message where organisation_id = ${org.id}`.execute(db)
    ).rows[0]?.n ?? 0;

  // Timing of the inbox lookups as the pages run them: as one of the employees (koepel_app, the principal's settings,
  // row-level security on), each call's execution time (median of 5), and EXPLAIN ANALYZE of the counts' statement
  // under that principal (the function body is not shown in a plan of the function call).
  const explain = async (): Promise<Record<string, string>> => {
    const me = staffIds[0] ?? '';
    const plans: Record<string, string> = {};
    const staffPrincipal = {
      kind: 'staff' as const,
      staffId: me,
      organisationId: org.id,
      role: 'assistant' as const,
      permissions: ROLE_DEFAULTS.assistant,
    };
    const clientRow = await db
      .selectFrom('api_client')
      .select('client_id')
      .where('organisation_id', '=', org.id)
      .executeTakeFirstOrThrow();
    const clientPrincipal = { kind: 'client' as const, clientId: clientRow.client_id, organisationId: org.id };
    const since = new Date(Date.now() - 86_400_000);
    const calls: [string, typeof staffPrincipal | typeof clientPrincipal, ReturnType<typeof sql>][] = [
      ['inbox answered/all', staffPrincipal, sql`select * from koepel_message_inbox('answered', 'all', 25, 0)`],
      ['inbox open/all', staffPrincipal, sql`select * from koepel_message_inbox('open', 'all', 25, 0)`],
      ['inbox unread/all', staffPrincipal, sql`select * from koepel_message_inbox('unread', 'all', 25, 0)`],
      ['inbox open/mine', staffPrincipal, sql`select * from koepel_message_inbox('open', 'mine', 25, 0)`],
      ['inbox open/unassigned', staffPrincipal, sql`select * from koepel_message_inbox('open', 'unassigned', 25, 0)`],
      ['inbox closed/all p3', staffPrincipal, sql`select * from koepel_message_inbox('closed', 'all', 25, 50)`],
      ['counts all', staffPrincipal, sql`select * from koepel_message_inbox_counts('all')`],
      ['counts mine', staffPrincipal, sql`select * from koepel_message_inbox_counts('mine')`],
      ['badge', staffPrincipal, sql`select koepel_message_badge()`],
      [
        'FHIR poll ids (a day, 50)',
        clientPrincipal,
        sql`select * from koepel_client_communications(${since}::timestamptz, false, null, false, null, null, 50, 0)`,
      ],
    ];
    for (const [name, principal, statement] of calls) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        await withPrincipal(db, principal, async (tx) => {
          const { rows } = await sql<Record<string, string>>`explain (analyze, costs off) ${statement}`.execute(tx);
          const line = rows.map((r) => Object.values(r)[0]).find((l) => String(l).startsWith('Execution Time'));
          times.push(Number(/([\d.]+) ms/.exec(String(line))?.[1] ?? 'NaN'));
        });
      }
      times.sort((a, b) => a - b);
      plans[name] = `median ${times[2]} ms (of ${times.join(', ')})`;
    }
    plans['counts all: plan under the employee'] = await withPrincipal(db, staffPrincipal, async (tx) => {
      await sql`select set_config('koepel.patient_search', 'on', true)`.execute(tx);
      const { rows } = await sql<Record<string, string>>`explain (analyze, buffers, costs off)
        select count(*) filter (where c.unread_by_organisation > 0 and c.status <> 'closed'),
          count(*) filter (where c.status = 'open'), count(*) filter (where c.status = 'answered'),
          count(*) filter (where c.status = 'closed') from conversation c
        where koepel_principal_kind() = 'staff' and koepel_has_permission('messages:read')
          and c.organisation_id = koepel_org()`.execute(tx);
      return rows.map((r) => Object.values(r)[0]).join('\n');
    });
    plans['inbox open/all: plan under the employee'] = await withPrincipal(db, staffPrincipal, async (tx) => {
      await sql`select set_config('koepel.patient_search', 'on', true)`.execute(tx);
      const { rows } = await sql<Record<string, string>>`explain (analyze, buffers, costs off)
        select c.id, c.citizen_id from conversation c
        where c.organisation_id = koepel_org() and c.status = 'open'
        order by c.last_message_at desc, c.id desc limit 25 offset 0`.execute(tx);
      return rows.map((r) => Object.values(r)[0]).join('\n');
    });
    return plans;
  };

  process.on('message', (m: MessagesBenchToServer) => {
    void (async () => {
      if (m.type === 'cpu') {
        const c = process.cpuUsage();
        send({ type: 'cpu', id: m.id, micros: c.user + c.system });
      } else if (m.type === 'count') {
        send({ type: 'count', id: m.id, messages: await count() });
      } else if (m.type === 'variant') {
        const statements = countingFunctions(m.which === 'before' ? '0029_messages.sql' : '0037_inbox_speed.sql');
        for (const statement of statements) await sql.raw(statement).execute(db);
        send({ type: 'variant', id: m.id });
      } else if (m.type === 'explain') {
        send({ type: 'explain', id: m.id, plans: await explain() });
      } else {
        await koepel.close().catch(() => undefined);
        process.exit(0);
      }
    })().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  });
  process.on('disconnect', () => {
    void koepel.close().finally(() => process.exit(0));
  });
  send({
    type: 'ready',
    port,
    database: koepel.database.kind,
    organisationId: org.id,
    staff,
    client: { clientId: client.clientId, secret: client.secret },
    openConversations,
    senders,
    conversations: conversations.length,
    messages: messages.length,
    seedSeconds,
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
