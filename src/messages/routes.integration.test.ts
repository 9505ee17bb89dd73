// Secure messages over HTTP against a real Koepel (MG-9, ZL-10, MG-1): the citizen starts a conversation with an
// attachment, staff read, assign, note, answer with a template, close; the citizen reads the answer and sees "read".
// Bad input: oversized, too many and wrong-type files (an executable named .pdf, polyglots, a PDF with JavaScript)
// — each a clear message and nothing stored; another citizen's and another organisation's ids in every URL and form
// (404); an employee without messages:read (403); script in every free-text field (escaped); a double submit (one
// message); a missing or wrong CSRF token on the multipart forms (403). Message text never reaches the logs.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { activePdf, cleanPdf } from '../fhir/pdf-fixtures.testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { loginStaff } from '../staff/login.testkit.js';

// A 1×1 PNG and a minimal JPEG (SOI, APP0/JFIF, EOI): real magic bytes, real ends.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0', 'latin1'),
  Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
  Buffer.from([0xff, 0xd9]),
]);
/** A ZIP archive's local file header and end-of-central-directory record: what an unzip tool finds from the end. */
const ZIP = Buffer.concat([
  Buffer.from('PK\x03\x04', 'latin1'),
  Buffer.alloc(26),
  Buffer.from('PK\x05\x06', 'latin1'),
  Buffer.alloc(18),
]);
const SECRET = 'Mijn geheime klacht over de bloeddruk';
const SCRIPT = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>';

type Part = { name: string; value: string } | { name: string; file: Buffer; filename: string; type?: string };

describe('secure messages over HTTP (MG-9)', () => {
  let k: TestKoepel;
  let gp: string;
  let hospital: string;
  let suzanne: string;
  let s: HttpClient;
  let p: HttpClient;
  let assistant: HttpClient;
  let doctor: HttpClient;
  let hospitalDoctor: HttpClient;
  let privacy: HttpClient;
  let conversation: string;
  let attachment: string;
  const logs: string[] = [];

  before(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString('utf8'));
        cb();
      },
    });
    k = await startKoepel({}, { logStream });
    gp = await orgId(k.db, DEMO.gp);
    hospital = await orgId(k.db, DEMO.hospital);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    s = new HttpClient(k.url);
    p = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    assert.equal((await loginWithDigid(p, DEMO.pieter)).status, 303);
    assistant = (await loginStaff(k.url, 'assistent@delinde.example')).client;
    doctor = (await loginStaff(k.url, 'huisarts@delinde.example')).client;
    hospitalDoctor = (await loginStaff(k.url, 'arts@rivierenland.example')).client;
    privacy = (await loginStaff(k.url, 'privacy@delinde.example')).client;
  });
  after(async () => {
    await k.close();
  });

  const count = async (table: 'conversation' | 'conversation_message' | 'message_attachment' | 'conversation_note') =>
    Number(
      (
        await k.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const counts = async () => ({
    conversations: await count('conversation'),
    messages: await count('conversation_message'),
    attachments: await count('message_attachment'),
  });

  /** A multipart form as a browser sends it: fields in document order, _csrf first (unless a test says otherwise). */
  async function multipart(c: HttpClient, path: string, parts: Part[]): Promise<Response> {
    const form = new FormData();
    for (const part of parts) {
      if ('file' in part)
        form.append(
          part.name,
          new Blob([new Uint8Array(part.file)], { type: part.type ?? 'application/octet-stream' }),
          part.filename,
        );
      else form.append(part.name, part.value);
    }
    const res = await fetch(k.url + path, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { cookie: [...c.cookies].map(([n, v]) => `${n}=${v}`).join('; ') },
    });
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
  }

  /** The new-message form of the GP for this citizen: its CSRF token and idempotency key. */
  async function newForm(c: HttpClient, org = gp) {
    const page = await c.get(`/messages/new?org=${org}`);
    assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
    return {
      csrf: csrfFrom(page.text),
      key: /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] ?? '',
    };
  }

  const start = async (
    c: HttpClient,
    o: {
      subject?: string;
      body?: string;
      files?: { file: Buffer; filename: string; type?: string }[];
      key?: string;
      org?: string;
    },
  ) => {
    const f = await newForm(c, o.org ?? gp);
    return multipart(c, '/messages', [
      { name: '_csrf', value: f.csrf },
      { name: 'key', value: o.key ?? f.key },
      { name: 'org', value: o.org ?? gp },
      { name: 'subject', value: o.subject ?? 'Vraag over bloeddruk' },
      { name: 'body', value: o.body ?? SECRET },
      ...(o.files ?? []).map((x) => ({ name: 'files', ...x })),
    ]);
  };

  test('[MG-9] the citizen starts a conversation with a PDF and a photo; staff see it in the inbox', async () => {
    const before = await counts();
    const res = await start(s, {
      files: [
        { file: await cleanPdf(), filename: 'verwijzing.pdf', type: 'application/pdf' },
        { file: JPEG, filename: 'foto van mijn arm.JPG', type: 'image/jpeg' },
      ],
    });
    assert.equal(res.status, 303, pageText(res.text).slice(0, 400));
    conversation = /\/messages\/([0-9a-f-]{36})/.exec(res.location ?? '')?.[1] ?? '';
    assert.ok(conversation);
    const after = await counts();
    assert.equal(after.conversations, before.conversations + 1);
    assert.equal(after.messages, before.messages + 1);
    assert.equal(after.attachments, before.attachments + 2);
    // Stored encrypted: neither the text nor the file names are in the raw rows.
    const raw = await sql<{
      t: string;
    }>`select concat(c.subject::text, m.body::text, a.file_name::text, a.content::text) as t
      from conversation c join conversation_message m on m.conversation_id = c.id
      join message_attachment a on a.message_id = m.id where c.id = ${conversation}::uuid`.execute(k.db);
    for (const r of raw.rows) {
      assert.ok(!Buffer.from(r.t.replace(/\\x/g, ''), 'hex').toString('latin1').includes('bloeddruk'));
      assert.ok(!Buffer.from(r.t.replace(/\\x/g, ''), 'hex').toString('latin1').includes('verwijzing'));
    }
    const page = await s.get(res.location ?? '');
    assert.equal(page.status, 200);
    assert.match(pageText(page.text), /Uw bericht is verstuurd/);
    assert.match(pageText(page.text), /Nog niet gelezen/);
    attachment = /\/attachments\/([0-9a-f-]{36})"[^>]*>Download verwijzing/.exec(page.text)?.[1] ?? '';
    assert.ok(attachment);
    // The staff inbox lists it, unread and unassigned; the menu counts it.
    const inbox = await assistant.get('/staff/messages?state=unread&who=unassigned');
    assert.equal(inbox.status, 200);
    assert.match(inbox.text, new RegExp(conversation));
    assert.match(pageText(inbox.text), /Vraag over bloeddruk/);
    assert.match(inbox.text, /koepel-badge/);
  });

  test('[MG-9] attachments download as attachments, nosniff, no-store, the checked type; audited', async () => {
    const before =
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from audit_log where event_code = 'message.attachment.download'`.execute(k.db)
      ).rows[0]?.n ?? 0;
    const res = await s.get(`/messages/${conversation}/attachments/${attachment}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="verwijzing.pdf"; filename*=UTF-8''verwijzing.pdf`,
    );
    const page = await s.get(`/messages/${conversation}`);
    const photo = /\/attachments\/([0-9a-f-]{36})"[^>]*>Download foto/.exec(page.text)?.[1] ?? '';
    const jpg = await s.get(`/messages/${conversation}/attachments/${photo}`);
    assert.equal(jpg.headers.get('content-type'), 'image/jpeg');
    // The name keeps its spaces in the UTF-8 form and gets the checked extension.
    assert.match(jpg.headers.get('content-disposition') ?? '', /filename\*=UTF-8''foto%20van%20mijn%20arm\.jpg$/);
    const staff = await assistant.get(`/staff/messages/${conversation}/attachments/${attachment}`);
    assert.equal(staff.status, 200);
    const after =
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from audit_log where event_code = 'message.attachment.download'`.execute(k.db)
      ).rows[0]?.n ?? 0;
    assert.equal(after, before + 3);
  });

  test('[MG-9] refused files: a clear message, and nothing of the message is stored', async () => {
    const cases: { what: string; file: Buffer; filename: string; type?: string; status: number; message: RegExp }[] = [
      {
        what: 'an executable named .pdf',
        file: Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(200, 1)]),
        filename: 'uitslag.pdf',
        type: 'application/pdf',
        status: 422,
        message: /is geen PDF, JPEG of PNG/,
      },
      {
        what: 'a PDF with JavaScript',
        file: await activePdf('document-javascript'),
        filename: 'brief.pdf',
        status: 422,
        message: /PDF met scripts/,
      },
      {
        what: 'a PDF that launches a program',
        file: await activePdf('launch'),
        filename: 'brief.pdf',
        status: 422,
        message: /PDF met scripts/,
      },
      {
        what: 'a JPEG with a ZIP behind it (polyglot)',
        file: Buffer.concat([JPEG, ZIP]),
        filename: 'foto.jpg',
        type: 'image/jpeg',
        status: 422,
        message: /na het einde van de afbeelding/,
      },
      {
        what: 'a PDF with an HTML page and script behind it (polyglot)',
        file: Buffer.concat([await cleanPdf(), Buffer.from(`\n<html><body>${SCRIPT}</body></html>`)]),
        filename: 'brief.pdf',
        status: 422,
        message: /na het einde van de afbeelding of PDF/,
      },
      {
        what: 'an HTML page with a PDF header further on (polyglot)',
        file: Buffer.concat([Buffer.from(`<html>${SCRIPT}`), await cleanPdf()]),
        filename: 'brief.pdf',
        type: 'application/pdf',
        status: 422,
        message: /is geen PDF, JPEG of PNG/,
      },
      {
        what: 'an SVG (script-capable image)',
        file: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${SCRIPT}</svg>`),
        filename: 'plaatje.png',
        type: 'image/png',
        status: 422,
        message: /is geen PDF, JPEG of PNG/,
      },
      {
        what: 'an oversized file (stopped while streaming)',
        file: Buffer.concat([
          JPEG.subarray(0, JPEG.length - 2),
          Buffer.alloc(10 * 1024 * 1024),
          Buffer.from([0xff, 0xd9]),
        ]),
        filename: 'groot.jpg',
        status: 413,
        message: /groter dan 10 MB/,
      },
    ];
    for (const c of cases) {
      const before = await counts();
      const res = await start(s, { files: [{ file: PNG, filename: 'ok.png' }, c] });
      assert.equal(res.status, c.status, `${c.what}: ${pageText(res.text).slice(0, 300)}`);
      assert.match(pageText(res.text), c.message, c.what);
      assert.match(pageText(res.text), /Er is niets verstuurd/, c.what);
      // The text the citizen wrote is kept in the form; the files must be chosen again.
      assert.match(res.text, /Vraag over bloeddruk/, c.what);
      assert.deepEqual(await counts(), before, `${c.what}: nothing stored`);
    }
    // Four files: the fourth stops the upload.
    const before = await counts();
    const four = await start(s, {
      files: [1, 2, 3, 4].map((i) => ({ file: PNG, filename: `scan${i}.png`, type: 'image/png' })),
    });
    assert.equal(four.status, 413);
    assert.match(pageText(four.text), /hoogstens 3 bestanden/);
    assert.deepEqual(await counts(), before);
    // Three files of 9 MB: more than 20 MB together.
    const big = Buffer.concat([
      JPEG.subarray(0, JPEG.length - 2),
      Buffer.alloc(9 * 1024 * 1024),
      Buffer.from([0xff, 0xd9]),
    ]);
    const total = await start(s, { files: [1, 2, 3].map((i) => ({ file: big, filename: `f${i}.jpg` })) });
    assert.equal(total.status, 413);
    assert.match(pageText(total.text), /samen groter dan 20 MB/);
    assert.deepEqual(await counts(), before);
  });

  test('[MG-9] a double submit makes one conversation and one message', async () => {
    const f = await newForm(s);
    const form = (): Part[] => [
      { name: '_csrf', value: f.csrf },
      { name: 'key', value: f.key },
      { name: 'org', value: gp },
      { name: 'subject', value: 'Twee keer verstuurd' },
      { name: 'body', value: 'Eén bericht graag' },
      { name: 'files', file: PNG, filename: 'scan.png' },
    ];
    const before = await counts();
    const [a, b] = await Promise.all([multipart(s, '/messages', form()), multipart(s, '/messages', form())]);
    assert.equal(a.status, 303);
    assert.equal(b.status, 303);
    assert.equal(a.location, b.location);
    const after = await counts();
    assert.deepEqual(after, {
      conversations: before.conversations + 1,
      messages: before.messages + 1,
      attachments: before.attachments + 1,
    });
    // A reply sent twice, too.
    const id = /\/messages\/([0-9a-f-]{36})/.exec(a.location ?? '')?.[1] ?? '';
    const page = await s.get(`/messages/${id}`);
    const key = /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] ?? '';
    const reply = (): Part[] => [
      { name: '_csrf', value: csrfFrom(page.text) },
      { name: 'key', value: key },
      { name: 'body', value: 'Nog iets' },
    ];
    await multipart(s, `/messages/${id}/reply`, reply());
    await multipart(s, `/messages/${id}/reply`, reply());
    assert.equal((await counts()).messages, after.messages + 1);
  });

  test('[MG-9] a refused upload leaves the connection usable: the next request on it is answered', async () => {
    // One keep-alive connection for both requests, as a browser reuses it. An upload refused part way (a file over
    // the limit, or no CSRF token first) must not leave the rest of its body to be read as the next request.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { hostname, port } = new URL(k.url);
    const cookie = [...s.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    const send = (method: string, path: string, body?: Buffer, type?: string) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const req = request(
          { agent, hostname, port, method, path, headers: { cookie, ...(type ? { 'content-type': type } : {}) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          },
        );
        // A hang, not a speed limit: without the fix the answer came only when the server gave up the connection
        // (its headers timeout, about 73 s).
        const deadline = setTimeout(() => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)), 15_000);
        req.on('close', () => clearTimeout(deadline));
        req.on('error', reject);
        req.end(body);
      });
    try {
      const f = await newForm(s);
      const boundary = 'koepel-test-boundary';
      const field = (name: string, value: string) =>
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      for (const first of [field('_csrf', f.csrf), field('subject', 'no token first')]) {
        const body = Buffer.concat([
          Buffer.from(
            first +
              field('key', f.key) +
              field('org', gp) +
              `--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="big.png"\r\n` +
              'content-type: image/png\r\n\r\n',
          ),
          PNG,
          Buffer.alloc(11 * 1024 * 1024, 1),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        const refused = await send('POST', '/messages', body, `multipart/form-data; boundary=${boundary}`);
        assert.ok([403, 413].includes(refused.status), String(refused.status));
        const next = await send('GET', '/messages');
        assert.equal(next.status, 200);
      }
    } finally {
      agent.destroy();
    }
  });

  test('[MG-9] CSRF: the multipart forms need the token as their first field', async () => {
    const f = await newForm(s);
    const before = await counts();
    const fields = (csrf: Part[]): Part[] => [
      ...csrf,
      { name: 'key', value: f.key },
      { name: 'org', value: gp },
      { name: 'subject', value: 'x' },
      { name: 'body', value: 'y' },
    ];
    assert.equal((await multipart(s, '/messages', fields([]))).status, 403, 'no token');
    assert.equal((await multipart(s, '/messages', fields([{ name: '_csrf', value: 'wrong' }]))).status, 403, 'wrong');
    // The token somewhere later does not count: it must come first, before any file byte is read.
    const late = [...fields([]), { name: '_csrf', value: f.csrf }];
    assert.equal((await multipart(s, '/messages', late)).status, 403, 'not first');
    // Another session's token.
    const other = await newForm(p);
    assert.equal((await multipart(s, '/messages', fields([{ name: '_csrf', value: other.csrf }]))).status, 403);
    // A url-encoded post without a token is refused by the kernel as always.
    assert.equal((await s.post('/messages', { key: f.key, org: gp, subject: 'x', body: 'y' })).status, 403);
    assert.equal((await assistant.post(`/staff/messages/${conversation}/notes`, { note: 'x' })).status, 403);
    assert.deepEqual(await counts(), before);
  });

  test('[MG-9] another citizen’s conversation and attachment ids, in every URL and form: 404', async () => {
    const before = await counts();
    assert.equal((await p.get(`/messages/${conversation}`)).status, 404);
    assert.equal((await p.get(`/messages/${conversation}/attachments/${attachment}`)).status, 404);
    // An attachment of another conversation under the citizen's own conversation id.
    const own = await start(p, { subject: 'Pieter', body: 'Van Pieter' });
    const pieterConversation = /\/messages\/([0-9a-f-]{36})/.exec(own.location ?? '')?.[1] ?? '';
    assert.equal((await p.get(`/messages/${pieterConversation}/attachments/${attachment}`)).status, 404);
    const page = await p.get(`/messages/${pieterConversation}`);
    const csrf = csrfFrom(page.text);
    const reply = await multipart(p, `/messages/${conversation}/reply`, [
      { name: '_csrf', value: csrf },
      { name: 'key', value: crypto.randomUUID() },
      { name: 'body', value: 'ingebroken' },
    ]);
    assert.equal(reply.status, 404);
    // Following someone else's conversation, or starting one at an organisation without a relationship.
    assert.equal((await p.get(`/messages/new?org=${gp}&follows=${conversation}`)).status, 404);
    assert.equal((await p.get(`/messages/new?org=${hospital}`)).status, 404);
    const withFollows = await multipart(p, '/messages', [
      { name: '_csrf', value: csrf },
      { name: 'key', value: crypto.randomUUID() },
      { name: 'org', value: gp },
      { name: 'follows', value: conversation },
      { name: 'subject', value: 'x' },
      { name: 'body', value: 'y' },
    ]);
    assert.equal(withFollows.status, 404);
    const elsewhere = await multipart(p, '/messages', [
      { name: '_csrf', value: csrf },
      { name: 'key', value: crypto.randomUUID() },
      { name: 'org', value: hospital },
      { name: 'subject', value: 'x' },
      { name: 'body', value: 'y' },
    ]);
    assert.equal(elsewhere.status, 404);
    assert.equal((await p.get('/messages/not-a-uuid')).status, 404);
    const after = await counts();
    assert.equal(after.messages, before.messages + 1, 'only Pieter’s own new conversation');
  });

  test('[ZL-10] another organisation’s staff get 404 everywhere; an employee without messages:read 403', async () => {
    const before = await count('conversation_note');
    const base = `/staff/messages/${conversation}`;
    assert.equal((await hospitalDoctor.get(base)).status, 404);
    assert.equal((await hospitalDoctor.get(`${base}/attachments/${attachment}`)).status, 404);
    const inbox = await hospitalDoctor.get('/staff/messages?state=open&who=all');
    assert.equal(inbox.status, 200);
    assert.doesNotMatch(inbox.text, new RegExp(conversation));
    const csrf = csrfFrom(inbox.text);
    for (const [path, form] of [
      [`${base}/notes`, { note: 'x' }],
      [`${base}/assign`, { to: '' }],
      [`${base}/close`, {}],
      [`${base}/reopen`, {}],
    ] as const) {
      assert.equal((await hospitalDoctor.post(path, { _csrf: csrf, ...form })).status, 404, path);
    }
    const answer = await multipart(hospitalDoctor, `${base}/answer`, [
      { name: '_csrf', value: csrf },
      { name: 'key', value: crypto.randomUUID() },
      { name: 'body', value: 'x' },
    ]);
    assert.equal(answer.status, 404);
    // The privacy officer of the same practice has no messages:read.
    assert.equal((await privacy.get('/staff/messages')).status, 403);
    assert.equal((await privacy.get(base)).status, 403);
    assert.equal((await privacy.get(`${base}/attachments/${attachment}`)).status, 403);
    assert.doesNotMatch((await privacy.get('/staff')).text, /href="\/staff\/messages"/);
    // Assigning to someone of another organisation, or without the right: 404.
    const page = await assistant.get(base);
    const hospitalDoctorId = (
      await k.db
        .selectFrom('staff_account')
        .select('id')
        .where('email', '=', 'arts@rivierenland.example')
        .executeTakeFirstOrThrow()
    ).id;
    assert.equal(
      (await assistant.post(`${base}/assign`, { _csrf: csrfFrom(page.text), to: hospitalDoctorId })).status,
      404,
    );
    assert.equal(await count('conversation_note'), before);
    const c = await k.db
      .selectFrom('conversation')
      .select(['assigned_to', 'status'])
      .where('id', '=', conversation)
      .executeTakeFirstOrThrow();
    assert.equal(c.assigned_to, null);
  });

  test('[MG-9] staff: read (marks read), assign, note, template, answer; the citizen reads it and sees "read"', async () => {
    // A template, with script in it.
    let page = await assistant.get('/staff/messages/templates');
    assert.equal(page.status, 200);
    let res = await assistant.post('/staff/messages/templates', {
      _csrf: csrfFrom(page.text),
      title: `Uitslag ${SCRIPT}`,
      body: `Uw uitslag is goed. ${SCRIPT}`,
    });
    assert.equal(res.status, 303);
    page = await assistant.get('/staff/messages/templates');
    assert.doesNotMatch(page.text, /<script>document/);
    assert.match(page.text, /&lt;script/);
    const template = (
      await k.db
        .selectFrom('message_template')
        .select('id')
        .where('organisation_id', '=', gp)
        .where('title', '=', `Uitslag ${SCRIPT}`)
        .executeTakeFirstOrThrow()
    ).id;
    // Open: the citizen's message is marked read by this employee.
    page = await assistant.get(`/staff/messages/${conversation}`);
    assert.equal(page.status, 200);
    assert.match(pageText(page.text), new RegExp(SECRET));
    const read = await k.db
      .selectFrom('conversation_message')
      .select(['read_at', 'read_by'])
      .where('conversation_id', '=', conversation)
      .where('sender', '=', 'citizen')
      .executeTakeFirstOrThrow();
    assert.ok(read.read_at);
    // Assign to me.
    res = await assistant.post(`/staff/messages/${conversation}/assign`, {
      _csrf: csrfFrom(page.text),
      me: '1',
      to: '',
    });
    assert.equal(res.status, 303);
    const mine = await assistant.get('/staff/messages?state=open&who=mine');
    assert.match(mine.text, new RegExp(conversation));
    // An internal note, with script.
    res = await assistant.post(`/staff/messages/${conversation}/notes`, {
      _csrf: csrfFrom(page.text),
      note: `Intern: bel terug ${SCRIPT}`,
    });
    assert.equal(res.status, 303);
    // The template fills the answer box without JavaScript.
    page = await assistant.get(`/staff/messages/${conversation}?template=${template}`);
    assert.match(page.text, /<textarea[^>]*name="body"[^>]*>\s*Uw uitslag is goed\. &lt;script/);
    assert.doesNotMatch(page.text, /<script>document/);
    assert.match(pageText(page.text), /Intern: bel terug/);
    assert.equal((await assistant.get(`/staff/messages/${conversation}?template=${crypto.randomUUID()}`)).status, 404);
    const key = /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1] ?? '';
    res = await multipart(assistant, `/staff/messages/${conversation}/answer`, [
      { name: '_csrf', value: csrfFrom(page.text) },
      { name: 'key', value: key },
      { name: 'body', value: `Uw uitslag is goed. ${SCRIPT}` },
      { name: 'files', file: PNG, filename: 'uitslag.png' },
    ]);
    assert.equal(res.status, 303, pageText(res.text).slice(0, 300));
    // The citizen: an unread answer in the menu, the answer, their own message "read", never the note.
    const list = await s.get('/messages');
    assert.match(list.text, /koepel-badge/);
    assert.match(pageText(list.text), /Ongelezen/);
    const thread = await s.get(`/messages/${conversation}`);
    const text = pageText(thread.text);
    assert.match(text, /Gelezen op/);
    assert.match(text, /Uw uitslag is goed/);
    assert.match(text, /L\. de Boer/);
    assert.doesNotMatch(text, /Intern: bel terug/);
    assert.doesNotMatch(thread.text, /<script>document/);
    assert.match(thread.text, /&lt;script/);
    // The staff side now sees "read by the patient".
    assert.match(pageText((await assistant.get(`/staff/messages/${conversation}`)).text), /Gelezen door de patiënt op/);
  });

  test('[MG-9] closed: the citizen cannot answer, and starts a new conversation linked to it', async () => {
    let page = await doctor.get(`/staff/messages/${conversation}`);
    let res = await doctor.post(`/staff/messages/${conversation}/close`, { _csrf: csrfFrom(page.text) });
    assert.equal(res.status, 303);
    const thread = await s.get(`/messages/${conversation}`);
    assert.match(pageText(thread.text), /gesloten/);
    assert.doesNotMatch(thread.text, new RegExp(`action="/messages/${conversation}/reply"`));
    const before = await counts();
    const reply = await multipart(s, `/messages/${conversation}/reply`, [
      { name: '_csrf', value: csrfFrom(thread.text) },
      { name: 'key', value: crypto.randomUUID() },
      { name: 'body', value: 'toch nog' },
    ]);
    assert.equal(reply.status, 303);
    assert.deepEqual(await counts(), before);
    const link = new RegExp(`/messages/new\\?org=${gp}&amp;follows=${conversation}`);
    assert.match(thread.text, link);
    const form = await s.get(`/messages/new?org=${gp}&follows=${conversation}`);
    assert.equal(form.status, 200);
    const f = { csrf: csrfFrom(form.text), key: /name="key" value="([0-9a-f-]{36})"/.exec(form.text)?.[1] ?? '' };
    const next = await multipart(s, '/messages', [
      { name: '_csrf', value: f.csrf },
      { name: 'key', value: f.key },
      { name: 'org', value: gp },
      { name: 'follows', value: conversation },
      { name: 'subject', value: `Vervolg ${SCRIPT}` },
      { name: 'body', value: 'Nog een vraag' },
    ]);
    assert.equal(next.status, 303);
    const nextPage = await s.get(next.location ?? '');
    assert.match(nextPage.text, new RegExp(`href="/messages/${conversation}"`));
    assert.doesNotMatch(nextPage.text, /<script>document/);
    // Reopen.
    page = await doctor.get(`/staff/messages/${conversation}`);
    res = await doctor.post(`/staff/messages/${conversation}/reopen`, { _csrf: csrfFrom(page.text) });
    assert.equal(res.status, 303);
    const c = await k.db
      .selectFrom('conversation')
      .select('status')
      .where('id', '=', conversation)
      .executeTakeFirstOrThrow();
    assert.equal(c.status, 'answered');
  });

  test('[MG-1] only organisations that offer messages, with an active relationship', async () => {
    const page = await s.get('/messages/new?choose=1');
    assert.equal(page.status, 200);
    const offered = [...page.text.matchAll(/<option value="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.ok(offered.includes(gp));
    await k.db
      .updateTable('organisation')
      .set({ functions: sql`array_remove(functions, 'messages')` })
      .where('id', '=', gp)
      .execute();
    try {
      const again = await s.get('/messages/new?choose=1');
      assert.ok(![...again.text.matchAll(/<option value="([0-9a-f-]{36})"/g)].some((m) => m[1] === gp));
      assert.equal((await s.get(`/messages/new?org=${gp}`)).status, 404);
    } finally {
      await k.db
        .updateTable('organisation')
        .set({ functions: sql`array_append(functions, 'messages')` })
        .where('id', '=', gp)
        .execute();
    }
  });

  test('[MG-9] a named employee, where the organisation allows it (admin switch)', async () => {
    let form = await s.get(`/messages/new?org=${gp}`);
    assert.doesNotMatch(form.text, /name="to"/);
    const admin = (await loginStaff(k.url, 'beheer@apotheekcentrum.example')).client;
    // The pharmacy's admin switches it on for the pharmacy (the GP is another organisation).
    const settings = await admin.get('/staff/messages/settings');
    assert.equal(settings.status, 200);
    assert.equal(
      (await admin.post('/staff/messages/settings', { _csrf: csrfFrom(settings.text), toStaff: 'on' })).status,
      303,
    );
    const pharmacy = await orgId(k.db, DEMO.pharmacy);
    form = await s.get(`/messages/new?org=${pharmacy}`);
    assert.match(form.text, /name="to"/);
    assert.match(pageText(form.text), /R\. Mulder/);
    assert.doesNotMatch(pageText(form.text), /K\. Dekker/, 'the admin has no messages:read');
    const pharmacist = /<option value="([0-9a-f-]{36})"[^>]*>R\. Mulder/.exec(form.text)?.[1] ?? '';
    const res = await multipart(s, '/messages', [
      { name: '_csrf', value: csrfFrom(form.text) },
      { name: 'key', value: /name="key" value="([0-9a-f-]{36})"/.exec(form.text)?.[1] ?? '' },
      { name: 'org', value: pharmacy },
      { name: 'to', value: pharmacist },
      { name: 'subject', value: 'Voor de apotheker' },
      { name: 'body', value: 'Vraag' },
    ]);
    assert.equal(res.status, 303, pageText(res.text).slice(0, 300));
    const id = /\/messages\/([0-9a-f-]{36})/.exec(res.location ?? '')?.[1] ?? '';
    const c = await k.db
      .selectFrom('conversation')
      .select(['assigned_to', 'addressed_to_name'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(c.assigned_to, pharmacist);
    assert.equal(c.addressed_to_name, 'R. Mulder');
    // Addressing someone who is not offered: refused.
    const bad = await multipart(s, '/messages', [
      { name: '_csrf', value: csrfFrom(form.text) },
      { name: 'key', value: crypto.randomUUID() },
      { name: 'org', value: pharmacy },
      { name: 'to', value: crypto.randomUUID() },
      { name: 'subject', value: 'x' },
      { name: 'body', value: 'y' },
    ]);
    assert.equal(bad.status, 400);
    // A care employee cannot change the switch.
    assert.equal((await assistant.get('/staff/messages/settings')).status, 403);
  });

  test('[MG-9] message text, subjects and file names never reach the logs', async () => {
    const all = logs.join('');
    assert.ok(all.length > 0);
    for (const secret of [
      'bloeddruk',
      'Eén bericht',
      'verwijzing',
      'Intern: bel terug',
      'Uw uitslag is goed',
      'pwned',
    ]) {
      assert.ok(!all.includes(secret), `"${secret}" in the logs`);
    }
    // Nor in the audit log.
    const audit = await sql<{
      t: string;
    }>`select string_agg(concat_ws(' ', event_code, resource_type, resource_id, reason), ' ') as t from audit_log`.execute(
      k.db,
    );
    assert.ok(!(audit.rows[0]?.t ?? '').includes('bloeddruk'));
    assert.ok((audit.rows[0]?.t ?? '').includes('message.staff.read'));
    // The citizen's own log names the staff's reads of the conversation.
    const own = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_log where citizen_id = ${suzanne}::uuid and event_code = 'message.staff.read'`.execute(
      k.db,
    );
    assert.ok((own.rows[0]?.n ?? 0) > 0);
  });
});
