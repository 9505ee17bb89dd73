// Secure messages over FHIR (issue 13, MG-9 and MG-13), over real HTTP against a real database: citizens write to
// their GP (sealed rows, as the portal writes them); the GP's own system polls them as Communications, reads one and
// its attachment (audited, never marked read by reading), answers in the conversation, opens a new one, and marks a
// message read. Another organisation's system sees nothing; a closed conversation, a patient without a care
// relationship and every bad attachment are refused with an OperationOutcome and nothing stored; script in the text
// is kept as text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import type { Principal } from '../platform/db/principal.js';
import { runInScope, type DataScope } from '../platform/db/scope.js';
import { messageAad as aad } from '../messages/index.js';
import { CONVERSATION_SYSTEM } from './communications.js';
import { loadBaseDefinitions, validateBase } from './base/validate.js';
import { createApiClient, fhir, tokenFor, type FhirResponse } from './ingest.testkit.js';
import { activePdf, cleanPdf } from './pdf-fixtures.testkit.js';

type Json = Record<string, unknown>;

// A 1×1 PNG and the first bytes of a Windows executable.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), Buffer.alloc(200, 1)]);
const SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"';

describe('secure messages over FHIR: Communication (MG-9, MG-13)', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let suzanne: string;
  let pieter: string;
  let noor: string;
  let johannes: string;
  let portal: string;
  let hisToken: string;
  let otherToken: string;
  let before0: string;

  const as = <T>(p: Principal, fn: (scope: DataScope) => Promise<T>) =>
    runInScope({ db: k.db, keys: k.koepel.keys }, p, fn);
  const citizen = (id: string): Principal => ({ kind: 'citizen', citizenId: id, portalId: portal });
  const call = (token: string | null, method: string, path: string, body?: unknown): Promise<FhirResponse> =>
    fhir(k.url, token, method, path, body);
  const entries = (r: FhirResponse) => (((r.json as Json).entry ?? []) as { resource: Json }[]).map((e) => e.resource);
  const counts = async () => {
    const n = async (t: 'conversation' | 'conversation_message' | 'message_attachment') =>
      Number(
        (
          await k.db
            .selectFrom(t)
            .select(sql<string>`count(*)`.as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      conversations: await n('conversation'),
      messages: await n('conversation_message'),
      attachments: await n('message_attachment'),
    };
  };
  const conversationRow = (id: string) =>
    k.db.selectFrom('conversation').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** A citizen writes to an organisation as the portal does: sealed subject, body and attachment, in one transaction. */
  async function citizenWrites(
    who: string,
    org: string,
    subject: string,
    text: string,
    file?: { name: string; type: 'application/pdf' | 'image/png'; data: Buffer },
  ): Promise<{ conversation: string; message: string }> {
    return as(citizen(who), async (scope) => {
      await scope.audit({ event: 'test.message.send', action: 'C', citizenId: who, resourceType: 'conversation' });
      const h = await scope.keys.handle(scope.tx, { kind: 'organisation', id: org });
      const conversation = crypto.randomUUID();
      const message = crypto.randomUUID();
      await scope.tx
        .insertInto('conversation')
        .values({
          id: conversation,
          organisation_id: org,
          citizen_id: who,
          subject: h.seal(Buffer.from(subject), aad.subject(conversation)),
          started_by: 'citizen',
        })
        .execute();
      await scope.tx
        .insertInto('conversation_message')
        .values({
          id: message,
          conversation_id: conversation,
          organisation_id: org,
          citizen_id: who,
          sender: 'citizen',
          body: h.seal(Buffer.from(text), aad.body(message)),
        })
        .execute();
      if (file) {
        const a = crypto.randomUUID();
        await scope.tx
          .insertInto('message_attachment')
          .values({
            id: a,
            message_id: message,
            conversation_id: conversation,
            organisation_id: org,
            citizen_id: who,
            content_type: file.type,
            size_bytes: file.data.length,
            file_name: h.seal(Buffer.from(file.name), aad.fileName(a)),
            content: h.seal(file.data, aad.content(a)),
          })
          .execute();
      }
      return { conversation, message };
    });
  }

  /** What the citizen reads of a conversation (as the citizen principal): its state and the texts, decrypted. */
  const citizenReads = (who: string, conversation: string) =>
    as(citizen(who), async (scope) => {
      await scope.audit({ event: 'test.message.read', action: 'R', citizenId: who, resourceType: 'conversation' });
      const c = await scope.tx
        .selectFrom('conversation')
        .selectAll()
        .where('id', '=', conversation)
        .executeTakeFirstOrThrow();
      const msgs = await scope.tx
        .selectFrom('conversation_message')
        .selectAll()
        .where('conversation_id', '=', conversation)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const key = { kind: 'organisation' as const, id: c.organisation_id };
      return {
        status: c.status,
        unread: c.unread_by_citizen,
        subject: await scope.keys.decrypt(scope.tx, key, c.subject, aad.subject(c.id)),
        messages: await Promise.all(
          msgs.map(async (m) => ({
            sender: m.sender,
            senderName: m.sender_name,
            readAt: m.read_at,
            text: await scope.keys.decrypt(scope.tx, key, m.body, aad.body(m.id)),
          })),
        ),
      };
    });

  const answer = (extra: Json, text = 'Dank voor uw bericht; de uitslag is goed.'): Json => ({
    resourceType: 'Communication',
    status: 'completed',
    sender: { type: 'Practitioner', display: 'Dr. A. Huisman' },
    payload: [{ contentString: text }],
    ...extra,
  });
  const thread = (conversation: string) => ({ identifier: [{ system: CONVERSATION_SYSTEM, value: conversation }] });
  /** POST an answer in `conversation` with a text and these payload attachments, as the organisation's system. */
  const sendFiles = (conversation: string, text: string, files: Json[]) =>
    call(
      hisToken,
      'POST',
      '/fhir/Communication',
      answer({ ...thread(conversation), payload: [{ contentString: text }, ...files] }),
    );
  const file = (data: Buffer, contentType: string, title = 'brief.pdf') => ({
    contentAttachment: { contentType, title, data: data.toString('base64') },
  });

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    noor = await citizenId(k.db, k.koepel.keys, DEMO.noor);
    johannes = await citizenId(k.db, k.koepel.keys, DEMO.johannes);
    portal = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    hisToken = await tokenFor(k.url, await createApiClient(k.db, gp, 'HIS'));
    otherToken = await tokenFor(k.url, await createApiClient(k.db, hospital, 'EPD'));
    loadBaseDefinitions(['Communication', 'Bundle', 'CapabilityStatement']);
    before0 = new Date(Date.now() - 1000).toISOString();
  });
  after(async () => {
    await k.close();
  });

  test('[MG-9] [MG-13] the organisation’s system polls new messages as valid R4 Communications; reading marks nothing read; audited', async () => {
    const pdf = await cleanPdf();
    const s = await citizenWrites(suzanne, gp, 'Uitslag bloedonderzoek', 'Is mijn uitslag al binnen?', {
      name: 'verwijsbrief.pdf',
      type: 'application/pdf',
      data: pdf,
    });
    await citizenWrites(pieter, gp, 'Herhaalrecept', 'Mag ik een nieuw recept?');
    const auditsBefore = await k.db
      .selectFrom('audit_log')
      .select('citizen_id')
      .where('event_code', '=', 'fhir.provider.communication.search')
      .execute();
    const r = await call(hisToken, 'GET', `/fhir/Communication?_lastUpdated=gt${before0}`);
    assert.equal(r.status, 200, r.text);
    const items = entries(r);
    assert.ok(items.length >= 2);
    const mine = items.find((c) => c.id === s.message);
    assert.ok(mine, 'Suzanne’s message is in the poll');
    assert.deepEqual(validateBase(r.json as Json & { resourceType: string }), [], 'a valid R4 searchset Bundle');
    for (const c of items)
      assert.deepEqual(validateBase(c as Json & { resourceType: string }), [], 'a valid R4 Communication');
    assert.equal(mine.status, 'completed');
    assert.equal((mine.topic as Json).text, 'Uitslag bloedonderzoek');
    assert.equal(((mine.payload as Json[])[0] as Json).contentString, 'Is mijn uitslag al binnen?');
    const att = ((mine.payload as Json[])[1] as Json).contentAttachment as Json;
    assert.equal(att.contentType, 'application/pdf');
    assert.equal(att.title, 'verwijsbrief.pdf');
    assert.equal(att.size, pdf.length);
    assert.equal(att.data, undefined, 'the bytes only through the audited Binary read');
    assert.equal((mine.subject as Json).reference, `Patient/${suzanne}`);
    assert.equal((mine.sender as Json).reference, `Patient/${suzanne}`);
    assert.deepEqual(mine.recipient, [{ type: 'Organization', display: DEMO.gp }]);
    assert.deepEqual(
      (mine.identifier as Json[]).find((i) => i.system === CONVERSATION_SYSTEM),
      { use: 'secondary', system: CONVERSATION_SYSTEM, value: s.conversation },
    );
    assert.equal(mine.received, undefined);
    assert.deepEqual(mine.extension, [
      { url: 'https://koepel.nl/fhir/StructureDefinition/conversation-status', valueCode: 'open' },
    ]);
    // Read by id, and the attachment: the same bytes, served as a download.
    const one = await call(hisToken, 'GET', `/fhir/Communication/${s.message}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.headers.get('etag'), 'W/"1"');
    const url = String(att.url);
    assert.ok(url.startsWith(`${k.url}/fhir/Binary/msgatt-`), url);
    const bin = await fetch(url.replace(/^.*\/fhir\//, `${k.url}/fhir/`), {
      headers: { authorization: `Bearer ${hisToken}`, accept: 'application/pdf' },
    });
    assert.equal(bin.status, 200);
    assert.equal(bin.headers.get('content-type'), 'application/pdf');
    assert.match(bin.headers.get('content-disposition') ?? '', /^attachment/);
    assert.equal(bin.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(Buffer.from(await bin.arrayBuffer()).equals(pdf));
    const asBinary = await call(hisToken, 'GET', url.replace(/^.*\/fhir\//, '/fhir/'));
    assert.equal(asBinary.status, 200);
    assert.equal((asBinary.json as Json).data, pdf.toString('base64'));
    // Reading is not reading by a person: nothing was marked read.
    const row = await conversationRow(s.conversation);
    assert.equal(row.unread_by_organisation, 1);
    assert.equal(row.status, 'open');
    // Every read audited per citizen.
    const audits = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'citizen_id'])
      .where('event_code', 'like', 'fhir.provider.communication.%')
      .execute();
    const search = audits.filter((a) => a.event_code === 'fhir.provider.communication.search');
    assert.ok(search.length > auditsBefore.length);
    assert.ok(search.some((a) => a.citizen_id === suzanne) && search.some((a) => a.citizen_id === pieter));
    assert.ok(audits.some((a) => a.event_code === 'fhir.provider.communication.read' && a.citizen_id === suzanne));
    assert.ok(
      audits.some((a) => a.event_code === 'fhir.provider.communication.attachment.read' && a.citizen_id === suzanne),
    );
    // By patient and by conversation.
    const byPatient = entries(await call(hisToken, 'GET', `/fhir/Communication?patient=Patient/${pieter}`));
    assert.ok(byPatient.length >= 1 && byPatient.every((c) => (c.subject as Json).reference === `Patient/${pieter}`));
    const byThread = entries(
      await call(hisToken, 'GET', `/fhir/Communication?identifier=${CONVERSATION_SYSTEM}|${s.conversation}`),
    );
    assert.deepEqual(
      byThread.map((c) => c.id),
      [s.message],
    );
  });

  test('[MG-9] [ZL-10] another organisation’s system sees nothing and cannot write; citizens and anonymous get no Communication', async () => {
    const s = await citizenWrites(suzanne, gp, 'Alleen voor de huisarts', 'Privé vraag');
    const poll = await call(otherToken, 'GET', `/fhir/Communication?_lastUpdated=gt${before0}`);
    assert.equal(poll.status, 200);
    assert.ok(entries(poll).every((c) => !String((c.topic as Json).text).includes('huisarts')));
    assert.equal(entries(poll).length, 0);
    assert.equal((await call(otherToken, 'GET', `/fhir/Communication/${s.message}`)).status, 404);
    const byThread = await call(
      otherToken,
      'GET',
      `/fhir/Communication?identifier=${CONVERSATION_SYSTEM}|${s.conversation}`,
    );
    assert.equal(entries(byThread).length, 0);
    const before = await counts();
    const w = await call(otherToken, 'POST', '/fhir/Communication', answer(thread(s.conversation)));
    assert.equal(w.status, 422, w.text);
    const w2 = await call(
      otherToken,
      'POST',
      '/fhir/Communication',
      answer({ inResponseTo: [{ reference: `Communication/${s.message}` }] }),
    );
    assert.equal(w2.status, 422, w2.text);
    assert.deepEqual(await counts(), before);
    // No token: the type does not exist for anyone but an organisation's system.
    assert.equal((await call(null, 'GET', '/fhir/Communication')).status, 404);
    assert.equal((await call(null, 'GET', `/fhir/Communication/${s.message}`)).status, 404);
    assert.equal((await call(null, 'POST', '/fhir/Communication', answer(thread(s.conversation)))).status, 401);
    // Unsupported parameters are refused by name.
    const bad = await call(hisToken, 'GET', '/fhir/Communication?subject:Patient.name=x');
    assert.equal(bad.status, 400);
  });

  test('[MG-9] [MG-13] the system answers in the conversation; the citizen sees it unread, the conversation answered; script stays text', async () => {
    const s = await citizenWrites(suzanne, gp, 'Vraag over medicatie', 'Mag ik dit combineren?');
    const png = { ...file(PNG, 'image/png', 'schema.png') };
    const r = await call(
      hisToken,
      'POST',
      '/fhir/Communication',
      answer({ ...thread(s.conversation), payload: [{ contentString: SCRIPT }, png] }),
    );
    assert.equal(r.status, 201, r.text);
    const made = r.json as Json;
    assert.deepEqual(validateBase(made as Json & { resourceType: string }), []);
    assert.equal(((made.payload as Json[])[0] as Json).contentString, SCRIPT, 'verbatim, as JSON text');
    assert.match(r.headers.get('location') ?? '', new RegExp(`/fhir/Communication/${String(made.id)}$`));
    assert.deepEqual(made.inResponseTo, [{ reference: `Communication/${s.message}` }]);
    assert.deepEqual(made.sender, { type: 'Practitioner', display: 'Dr. A. Huisman' });
    assert.equal(
      (made.recipient as Json[])[0] && ((made.recipient as Json[])[0] as Json).reference,
      `Patient/${suzanne}`,
    );
    const seen = await citizenReads(suzanne, s.conversation);
    assert.equal(seen.status, 'answered');
    assert.equal(seen.unread, 1);
    assert.equal(seen.messages.length, 2);
    assert.deepEqual(seen.messages[1], {
      sender: 'system',
      senderName: 'Dr. A. Huisman',
      readAt: null,
      text: SCRIPT,
    });
    const att = await k.db
      .selectFrom('message_attachment')
      .select(['content_type', 'size_bytes'])
      .where('message_id', '=', String(made.id))
      .execute();
    assert.deepEqual(att, [{ content_type: 'image/png', size_bytes: PNG.length }]);
    // Nothing of the text in the raw table.
    const raw = await k.db
      .selectFrom('conversation_message')
      .select('body')
      .where('id', '=', String(made.id))
      .executeTakeFirstOrThrow();
    assert.ok(!Buffer.from(raw.body).toString('latin1').includes('script'));

    // inResponseTo alone finds the conversation; a resend with the same identifier finds the first answer.
    const key = `urn:uuid:${crypto.randomUUID()}`;
    const body = answer({
      inResponseTo: [{ reference: `Communication/${String(made.id)}` }],
      identifier: [{ system: 'urn:ietf:rfc:3986', value: key }],
    });
    const first = await call(hisToken, 'POST', '/fhir/Communication', body);
    assert.equal(first.status, 201, first.text);
    const again = await call(hisToken, 'POST', '/fhir/Communication', body);
    assert.equal(again.status, 200, again.text);
    assert.equal((again.json as Json).id, (first.json as Json).id);
    assert.equal((await citizenReads(suzanne, s.conversation)).messages.length, 3);
    // inResponseTo and the conversation identifier must agree.
    const other = await citizenWrites(suzanne, gp, 'Ander onderwerp', 'Tweede vraag');
    const mixed = await call(
      hisToken,
      'POST',
      '/fhir/Communication',
      answer({ ...thread(other.conversation), inResponseTo: [{ reference: `Communication/${s.message}` }] }),
    );
    assert.equal(mixed.status, 422, mixed.text);
  });

  test('[MG-9] [MG-13] a new conversation with a patient in care; not without a relationship, nor where messages are off', async () => {
    const start = (patient: string, extra: Json = {}) =>
      call(
        hisToken,
        'POST',
        '/fhir/Communication',
        answer({ subject: { reference: `Patient/${patient}` }, topic: { text: 'Uw uitslag' }, ...extra }),
      );
    const r = await start(pieter);
    assert.equal(r.status, 201, r.text);
    const made = r.json as Json;
    const conversation = String((made.identifier as Json[]).find((i) => i.system === CONVERSATION_SYSTEM)?.value);
    const row = await conversationRow(conversation);
    assert.equal(row.started_by, 'system');
    assert.equal(row.citizen_id, pieter);
    const seen = await citizenReads(pieter, conversation);
    assert.equal(seen.subject, 'Uw uitslag');
    assert.equal(seen.status, 'answered');
    assert.equal(seen.unread, 1);

    const before = await counts();
    for (const [who, why] of [
      [noor, 'no care relationship'],
      [johannes, 'the relationship ended'],
      ['not-a-patient', 'unknown id'],
      ['00000000-0000-4000-8000-000000000000', 'unknown uuid'],
    ] as const) {
      const x = await start(who);
      assert.equal(x.status, 422, `${why}: ${x.text}`);
      assert.equal((x.json as Json).resourceType, 'OperationOutcome');
    }
    assert.equal((await start(pieter, { topic: undefined })).status, 422, 'a new conversation needs a subject');
    assert.equal((await start(pieter, { topic: { text: 'x'.repeat(201) } })).status, 422);
    const none = await call(hisToken, 'POST', '/fhir/Communication', answer({}));
    assert.equal(none.status, 422, 'neither a conversation nor a patient');
    // Where the organisation switched messages off, its system does not start conversations (MG-1).
    await k.db
      .updateTable('organisation')
      .set({ functions: sql<string[]>`array_remove(functions, 'messages')` })
      .where('id', '=', gp)
      .execute();
    try {
      assert.equal((await start(pieter)).status, 422);
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ functions: sql<string[]>`array_append(functions, 'messages')` })
        .where('id', '=', gp)
        .execute();
    }
    assert.deepEqual(await counts(), before, 'nothing stored');
  });

  test('[MG-9] a closed conversation is refused with a clear outcome; nothing stored', async () => {
    const s = await citizenWrites(pieter, gp, 'Afgerond', 'Bedankt!');
    const assistant = await staffPrincipal(k.db, 'assistent@delinde.example');
    await as(assistant, async (scope) => {
      await scope.audit({ event: 'test.close', action: 'U', citizenId: pieter, resourceType: 'conversation' });
      await scope.tx.updateTable('conversation').set({ status: 'closed' }).where('id', '=', s.conversation).execute();
    });
    const before = await counts();
    const r = await call(hisToken, 'POST', '/fhir/Communication', answer(thread(s.conversation)));
    assert.equal(r.status, 409, r.text);
    const outcome = r.json as { issue: { code: string; diagnostics: string }[] };
    assert.equal(outcome.issue[0]?.code, 'conflict');
    assert.match(outcome.issue[0]?.diagnostics ?? '', /closed/);
    assert.deepEqual(await counts(), before);
    const polled = await call(hisToken, 'GET', `/fhir/Communication/${s.message}`);
    assert.deepEqual((polled.json as Json).extension, [
      { url: 'https://koepel.nl/fhir/StructureDefinition/conversation-status', valueCode: 'closed' },
    ]);
  });

  test('[MG-9] bad attachments are refused by content, whole message and all; nothing stored', async () => {
    const s = await citizenWrites(suzanne, gp, 'Bijlagen', 'Zie bijlage');
    const clean = await cleanPdf();
    const js = await activePdf('document-javascript');
    const cases: [string, Json[]][] = [
      ['an executable named .pdf', [file(EXE, 'application/pdf', 'brief.pdf')]],
      ['a PDF with JavaScript', [file(js, 'application/pdf')]],
      ['a PDF with an open action', [file(await activePdf('open-action-javascript'), 'application/pdf')]],
      ['a PDF with an embedded file', [file(await activePdf('embedded-file'), 'application/pdf')]],
      ['a PNG declared as PDF', [file(PNG, 'application/pdf')]],
      ['a PDF declared as PNG', [file(clean, 'image/png')]],
      ['HTML', [file(Buffer.from('<html><script>alert(1)</script></html>'), 'text/html', 'a.html')]],
      ['plain text', [file(Buffer.from('hallo'), 'text/plain', 'a.txt')]],
      ['oversized', [file(Buffer.concat([clean, Buffer.alloc(10 * 1024 * 1024)]), 'application/pdf')]],
      ['four attachments', [1, 2, 3, 4].map(() => file(PNG, 'image/png', 'a.png'))],
      [
        'a link, not data',
        [{ contentAttachment: { contentType: 'application/pdf', url: 'https://example.org/a.pdf' } }],
      ],
      ['not base64', [{ contentAttachment: { contentType: 'application/pdf', data: '%%%%' } }]],
      ['a wrong size', [{ contentAttachment: { ...file(PNG, 'image/png').contentAttachment, size: 3 } }]],
      // One good file and one bad one: the good one is not stored either.
      ['a good file beside a bad one', [file(PNG, 'image/png', 'a.png'), file(EXE, 'application/pdf')]],
    ];
    const before = await counts();
    for (const [why, files] of cases) {
      const r = await sendFiles(s.conversation, 'Zie bijlage', files);
      assert.ok(r.status === 422 || r.status === 400, `${why}: ${r.status} ${r.text.slice(0, 300)}`);
      assert.equal((r.json as Json).resourceType, 'OperationOutcome', why);
    }
    assert.deepEqual(await counts(), before, 'nothing stored');
    // A clean PDF and a PNG (3 at most) pass.
    const ok = await sendFiles(s.conversation, 'Hierbij', [
      file(clean, 'application/pdf'),
      file(PNG, 'image/png', 'a.png'),
    ]);
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await counts()).attachments, before.attachments + 2);
  });

  test('[MG-9] a polyglot (a second file behind the first) is refused over FHIR as in the portal; nothing stored', async () => {
    const s = await citizenWrites(suzanne, gp, 'Polyglot', 'Zie bijlage');
    const clean = await cleanPdf();
    // A minimal JPEG (SOI, JFIF APP0, EOI) and a ZIP's local file header and end record behind it.
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
      0x00, 0xff, 0xd9,
    ]);
    const zip = Buffer.concat([
      Buffer.from('PK\x03\x04'),
      Buffer.alloc(26),
      Buffer.from('PK\x05\x06'),
      Buffer.alloc(18),
    ]);
    const cases: [string, Json][] = [
      ['a JPEG with a ZIP appended', file(Buffer.concat([jpeg, zip]), 'image/jpeg', 'foto.jpg')],
      [
        'a PDF with HTML after %%EOF',
        file(Buffer.concat([clean, Buffer.from('\n<html><script>alert(1)</script></html>\n')]), 'application/pdf'),
      ],
      ['a PNG with a ZIP appended', file(Buffer.concat([PNG, zip]), 'image/png', 'a.png')],
    ];
    const before = await counts();
    for (const [why, polyglot] of cases) {
      const r = await sendFiles(s.conversation, 'Zie bijlage', [polyglot]);
      assert.equal(r.status, 422, `${why}: ${r.text.slice(0, 300)}`);
      const outcome = r.json as { resourceType: string; issue: { diagnostics: string }[] };
      assert.equal(outcome.resourceType, 'OperationOutcome', why);
      assert.match(outcome.issue[0]?.diagnostics ?? '', /after its own end/, why);
    }
    assert.deepEqual(await counts(), before, 'nothing stored');
    // The same files without what follows their end pass: the refusal is the appended part, nothing else.
    const ok = await sendFiles(s.conversation, 'Hierbij', [
      file(jpeg, 'image/jpeg', 'foto.jpg'),
      file(clean, 'application/pdf'),
    ]);
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await counts()).attachments, before.attachments + 2);
  });

  test('[MG-13] the resource is validated: shape, status, text, sender', async () => {
    const s = await citizenWrites(suzanne, gp, 'Validatie', 'Vraag');
    const before = await counts();
    const cases: [string, unknown, number][] = [
      ['not a Communication', { resourceType: 'Patient' }, 400],
      ['an unknown element', answer({ ...thread(s.conversation), colour: 'red' }), 422],
      ['status missing', { ...answer(thread(s.conversation)), status: undefined }, 422],
      ['status in-progress', answer({ ...thread(s.conversation), status: 'in-progress' }), 422],
      ['no text', answer({ ...thread(s.conversation), payload: [file(PNG, 'image/png')] }), 422],
      ['empty text', answer(thread(s.conversation), '   '), 422],
      ['text too long', answer(thread(s.conversation), 'x'.repeat(5001)), 422],
      [
        'two texts',
        answer({ ...thread(s.conversation), payload: [{ contentString: 'a' }, { contentString: 'b' }] }),
        422,
      ],
      ['a patient as sender', answer({ ...thread(s.conversation), sender: { reference: `Patient/${suzanne}` } }), 422],
      [
        'another patient as subject',
        answer({ ...thread(s.conversation), subject: { reference: `Patient/${pieter}` } }),
        422,
      ],
      ['a bad conversation id', answer({ identifier: [{ system: CONVERSATION_SYSTEM, value: 'abc' }] }), 422],
    ];
    for (const [why, body, status] of cases) {
      const r = await call(hisToken, 'POST', '/fhir/Communication', body);
      assert.equal(r.status, status, `${why}: ${r.text.slice(0, 300)}`);
      assert.equal((r.json as Json).resourceType, 'OperationOutcome', why);
      assert.ok(!r.text.includes(suzanne), `${why}: no ids echoed`);
    }
    assert.deepEqual(await counts(), before);
  });

  test('[MG-9] [MG-13] the system marks a citizen’s message read (PUT received); the citizen sees the read receipt', async () => {
    const s = await citizenWrites(pieter, gp, 'Leesbevestiging', 'Graag terugbellen');
    const since = new Date(Date.now() - 1).toISOString();
    const got = (await call(hisToken, 'GET', `/fhir/Communication/${s.message}`)).json as Json;
    const stale = await fetch(`${k.url}/fhir/Communication/${s.message}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${hisToken}`,
        'content-type': 'application/fhir+json',
        'if-match': 'W/"2"',
      },
      body: JSON.stringify({ ...got, received: new Date().toISOString() }),
    });
    assert.equal(stale.status, 412);
    const changed = await call(hisToken, 'PUT', `/fhir/Communication/${s.message}`, {
      ...got,
      payload: [{ contentString: 'iets anders' }],
      received: new Date().toISOString(),
    });
    assert.equal(changed.status, 422, 'the text cannot change');
    const r = await call(hisToken, 'PUT', `/fhir/Communication/${s.message}`, {
      ...got,
      received: new Date().toISOString(),
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('etag'), 'W/"2"');
    assert.ok((r.json as Json).received);
    assert.equal((await conversationRow(s.conversation)).unread_by_organisation, 0);
    const seen = await citizenReads(pieter, s.conversation);
    assert.ok(seen.messages[0]?.readAt, 'the citizen sees when it was read');
    // The read shows in a poll since (a change of the message).
    const poll = entries(await call(hisToken, 'GET', `/fhir/Communication?_lastUpdated=gt${since}&patient=${pieter}`));
    assert.ok(poll.some((c) => c.id === s.message && c.received));
    // Again: unchanged. The system's own message is not the system's to mark read.
    assert.equal(
      (await call(hisToken, 'PUT', `/fhir/Communication/${s.message}`, { ...got, received: 'x' })).status,
      422,
    );
    const again = await call(hisToken, 'PUT', `/fhir/Communication/${s.message}`, {
      ...got,
      received: new Date().toISOString(),
    });
    assert.equal(again.status, 200);
    const mine = await call(hisToken, 'POST', '/fhir/Communication', answer(thread(s.conversation)));
    const own = mine.json as Json;
    const refused = await call(hisToken, 'PUT', `/fhir/Communication/${String(own.id)}`, {
      ...own,
      received: new Date().toISOString(),
    });
    assert.equal(refused.status, 422);
    // Another organisation cannot.
    assert.equal(
      (
        await call(otherToken, 'PUT', `/fhir/Communication/${s.message}`, {
          ...got,
          received: new Date().toISOString(),
        })
      ).status,
      404,
    );
  });

  test('[MG-13] paging with _count and next links; the CapabilityStatement lists Communication', async () => {
    for (let i = 0; i < 3; i++) await citizenWrites(suzanne, gp, `Pagina ${i}`, `Bericht ${i}`);
    const first = await call(hisToken, 'GET', `/fhir/Communication?_lastUpdated=gt${before0}&_count=2`);
    assert.equal(first.status, 200);
    const total = (first.json as Json).total as number;
    assert.ok(total >= 5);
    const seen = new Set(entries(first).map((c) => String(c.id)));
    let next = ((first.json as Json).link as Json[]).find((l) => l.relation === 'next')?.url as string | undefined;
    while (next) {
      const page = await call(hisToken, 'GET', next.replace(k.url, ''));
      assert.equal(page.status, 200, page.text);
      for (const c of entries(page)) seen.add(String(c.id));
      next = ((page.json as Json).link as Json[]).find((l) => l.relation === 'next')?.url as string | undefined;
    }
    assert.equal(seen.size, total, 'every message once over the pages');
    const zero = await call(hisToken, 'GET', `/fhir/Communication?_lastUpdated=gt${before0}&_count=0`);
    assert.equal((zero.json as Json).total, total);
    const cap = await call(null, 'GET', '/fhir/metadata');
    assert.equal(cap.status, 200);
    assert.deepEqual(validateBase(cap.json as Json & { resourceType: string }), []);
    const rest = ((cap.json as Json).rest as Json[])[0] as Json;
    const entry = (rest.resource as Json[]).find((r) => r.type === 'Communication');
    assert.ok(entry, 'Communication in the CapabilityStatement');
    assert.deepEqual(
      (entry.interaction as Json[]).map((i) => i.code),
      ['read', 'search-type', 'create', 'update'],
    );
  });
});
