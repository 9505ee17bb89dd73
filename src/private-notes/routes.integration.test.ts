// The citizen's private notes over HTTP against a real Koepel (issue 13, LU-3): write, read, list, edit, delete; a
// note about an appointment and about a lab result, shown on that page to its citizen; and bad input: an empty and
// a too long note, script in the text, a link to another citizen's appointment or result, a double submit, a missing
// CSRF token, another citizen's note id in every URL and form — each a clear 4xx that writes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { csrfFrom, HttpClient, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { withPrincipal } from '../platform/db/principal.js';
import { insertAppointment, staffId } from '../video-consult/video.testkit.js';
import { NOTE_MAX } from './notes.js';

const DOCTOR = 'huisarts@delinde.example';

describe('private notes (LU-3): the citizen’s pages', () => {
  let k: TestKoepel;
  let suzanne: string;
  let pieter: string;
  let s: HttpClient;
  let p: HttpClient;
  let appointmentS: string;
  let appointmentP: string;
  let labS: string;
  let labP: string;

  before(async () => {
    k = await startKoepel();
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    const gp = await orgId(k.db, DEMO.gp);
    const doctor = await staffId(k.db, DOCTOR);
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);
    appointmentS = await insertAppointment(k.db, {
      organisationId: gp,
      citizenId: suzanne,
      staffId: doctor,
      start: inDays(3),
      end: new Date(inDays(3).getTime() + 600_000),
      video: false,
    });
    appointmentP = await insertAppointment(k.db, {
      organisationId: gp,
      citizenId: pieter,
      staffId: doctor,
      start: inDays(4),
      end: new Date(inDays(4).getTime() + 600_000),
      video: false,
    });
    const lab = async (c: string) =>
      (
        await k.db
          .selectFrom('record_resource')
          .select('id')
          .where('citizen_id', '=', c)
          .where('organisation_id', '=', gp)
          .where('category', '=', 'lab')
          .where('resource_type', '=', 'Observation')
          .where('deleted_at', 'is', null)
          .orderBy('effective_at', 'desc')
          .executeTakeFirstOrThrow()
      ).id;
    labS = await lab(suzanne);
    labP = await lab(pieter);
    s = new HttpClient(k.url);
    p = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    assert.equal((await loginWithDigid(p, DEMO.pieter)).status, 303);
  });
  after(async () => {
    await k.close();
  });

  const notes = async (citizen?: string) =>
    Number(
      (
        await k.db
          .selectFrom('private_note')
          .select((eb) => eb.fn.countAll().as('n'))
          .$if(citizen !== undefined, (q) => q.where('citizen_id', '=', citizen ?? ''))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const post = (c: HttpClient, path: string, form: Record<string, string>): Promise<Response> => c.post(path, form);

  /** The new-note form's fields (CSRF token, idempotency key, link). */
  async function newForm(c: HttpClient, query = ''): Promise<Record<string, string>> {
    const page = await c.get(`/notes/new${query}`);
    assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
    const key = /name="key" value="([0-9a-f-]{36})"/.exec(page.text)?.[1];
    assert.ok(key, 'an idempotency key on the form');
    const form: Record<string, string> = { _csrf: csrfFrom(page.text), key };
    for (const name of ['appointment', 'record']) {
      const v = new RegExp(`name="${name}" value="([0-9a-f-]{36})"`).exec(page.text)?.[1];
      if (v) form[name] = v;
    }
    return form;
  }

  async function write(c: HttpClient, text: string, query = ''): Promise<string> {
    const form = await newForm(c, query);
    const res = await post(c, '/notes', { ...form, text });
    assert.equal(res.status, 303, pageText(res.text).slice(0, 300));
    const id = /^\/notes\/([0-9a-f-]{36})\?notice=saved$/.exec(res.location ?? '')?.[1];
    assert.ok(id, res.location ?? '');
    return id;
  }

  test('[LU-3] write, read, list, edit and delete a note; stored sealed, audited without any of it', async () => {
    const before = await notes(suzanne);
    const since = new Date(Date.now() - 1000);
    const text = 'Vragen voor de huisarts:\nwaarom die pijn in mijn knie? Sleutelwoord-ZEBRA-7731';
    const id = await write(s, text);
    assert.equal(await notes(suzanne), before + 1);

    const one = await s.get(`/notes/${id}?notice=saved`);
    assert.equal(one.status, 200);
    assert.match(pageText(one.text), /Sleutelwoord-ZEBRA-7731/);
    assert.match(one.text, /Uw notitie is opgeslagen/);
    assert.equal(one.headers.get('cache-control'), 'no-store');
    const list = await s.get('/notes');
    assert.equal(list.status, 200);
    assert.match(pageText(list.text), /Sleutelwoord-ZEBRA-7731/);

    // Sealed: the row holds no plaintext; its AAD names the note, so it does not open as another note.
    const row = await k.db.selectFrom('private_note').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.citizen_id, suzanne);
    assert.ok(!Buffer.from(row.body_ciphertext).toString('latin1').includes('ZEBRA'));
    assert.ok(!Buffer.from(row.body_ciphertext).toString('utf8').includes('ZEBRA'));

    // Edit.
    const edit = await s.get(`/notes/${id}/edit`);
    assert.equal(edit.status, 200);
    assert.match(edit.text, /Sleutelwoord-ZEBRA-7731/);
    const saved = await post(s, `/notes/${id}`, { _csrf: csrfFrom(edit.text), text: 'Gewijzigd: GIRAFFE-4411' });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, `/notes/${id}?notice=updated`);
    const after = pageText((await s.get(`/notes/${id}`)).text);
    assert.match(after, /GIRAFFE-4411/);
    assert.doesNotMatch(after, /ZEBRA/);

    // Delete: confirm page, then the row is gone; a second submit is a 404 that writes nothing.
    const confirm = await s.get(`/notes/${id}/delete`);
    assert.equal(confirm.status, 200);
    const deleted = await post(s, `/notes/${id}/delete`, { _csrf: csrfFrom(confirm.text) });
    assert.equal(deleted.status, 303);
    assert.equal(deleted.location, '/notes?notice=deleted');
    assert.equal(await k.db.selectFrom('private_note').select('id').where('id', '=', id).executeTakeFirst(), undefined);
    assert.equal((await post(s, `/notes/${id}/delete`, { _csrf: csrfFrom(confirm.text) })).status, 404);
    assert.equal((await s.get(`/notes/${id}`)).status, 404);

    // Every step is in the citizen's own log — with nothing of the note: no id, no text, no link.
    const audits = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'citizen_id', 'resource_id', 'reason', 'actor_type', 'actor_organisation_id'])
      .where('event_code', 'like', 'private-note.%')
      .where('occurred_at', '>=', since)
      .execute();
    const events = new Set(audits.map((a) => a.event_code));
    for (const e of ['create', 'read', 'list', 'update', 'delete']) assert.ok(events.has(`private-note.${e}`), e);
    for (const a of audits) {
      assert.equal(a.citizen_id, suzanne);
      assert.equal(a.actor_type, 'citizen');
      assert.equal(a.actor_organisation_id, null, 'no organisation’s privacy officer sees these records');
      assert.equal(a.resource_id, null);
      assert.equal(a.reason, null);
    }
    const dump = (
      await sql<{
        r: string;
      }>`select string_agg(a::text, ' ') as r from audit_log a where occurred_at >= ${since}`.execute(k.db)
    ).rows[0]?.r;
    assert.ok(!/ZEBRA|GIRAFFE/.test(dump ?? ''), 'no note text in the audit log');
    // The access log names the events in words.
    const accessLog = pageText((await s.get('/access-log?who=all')).text);
    assert.match(accessLog, /Een notitie geschreven/);
  });

  test('[LU-3] a note about an appointment and one about a lab result show on those pages, to their citizen only', async () => {
    const aboutAppointment = await write(s, 'Over de afspraak: OKAPI-5150', `?appointment=${appointmentS}`);
    const aboutLab = await write(s, 'Over de uitslag: IBIS-8080', `?record=${labS}`);
    const rows = await k.db
      .selectFrom('private_note')
      .select(['id', 'appointment_id', 'record_resource_id'])
      .where('id', 'in', [aboutAppointment, aboutLab])
      .execute();
    assert.equal(rows.find((r) => r.id === aboutAppointment)?.appointment_id, appointmentS);
    assert.equal(rows.find((r) => r.id === aboutLab)?.record_resource_id, labS);

    const appointmentPage = await s.get(`/appointments/${appointmentS}`);
    assert.equal(appointmentPage.status, 200);
    assert.match(pageText(appointmentPage.text), /OKAPI-5150/);
    assert.doesNotMatch(pageText(appointmentPage.text), /IBIS-8080/);
    assert.match(appointmentPage.text, new RegExp(`href="/notes/new\\?appointment=${appointmentS}"`));
    const labPage = await s.get(`/dossier/lab/${labS}`);
    assert.equal(labPage.status, 200);
    assert.match(pageText(labPage.text), /IBIS-8080/);
    assert.match(labPage.text, new RegExp(`href="/notes/new\\?record=${labS}"`));
    // The note's page links back to what it is about.
    assert.match((await s.get(`/notes/${aboutAppointment}`)).text, new RegExp(`href="/appointments/${appointmentS}"`));
    assert.match((await s.get(`/notes/${aboutLab}`)).text, new RegExp(`href="/dossier/lab/${labS}"`));

    // Pieter's own lab page and appointment page show none of Suzanne's notes.
    const pLab = await p.get(`/dossier/lab/${labP}`);
    assert.equal(pLab.status, 200);
    assert.doesNotMatch(pageText(pLab.text), /IBIS|OKAPI/);

    // Editing can remove the link; the note stays.
    const edit = await s.get(`/notes/${aboutAppointment}/edit`);
    const res = await post(s, `/notes/${aboutAppointment}`, {
      _csrf: csrfFrom(edit.text),
      text: 'Over de afspraak: OKAPI-5150',
      unlink: 'yes',
    });
    assert.equal(res.status, 303);
    const unlinked = await k.db
      .selectFrom('private_note')
      .select('appointment_id')
      .where('id', '=', aboutAppointment)
      .executeTakeFirstOrThrow();
    assert.equal(unlinked.appointment_id, null);
    assert.doesNotMatch(pageText((await s.get(`/appointments/${appointmentS}`)).text), /OKAPI-5150/);
  });

  test('[LU-3] an empty or too long note is refused with a clear message, and nothing is written', async () => {
    const before = await notes();
    const form = await newForm(s);
    for (const text of ['', '   \n\t ']) {
      const res = await post(s, '/notes', { ...form, text });
      assert.equal(res.status, 400);
      assert.match(pageText(res.text), /Schrijf eerst iets in uw notitie/);
      assert.match(res.text, /<title>Er is een probleem/);
    }
    const tooLong = 'a'.repeat(NOTE_MAX + 1);
    const res = await post(s, '/notes', { ...form, text: tooLong });
    assert.equal(res.status, 400);
    assert.match(
      pageText(res.text),
      new RegExp(`maximaal ${NOTE_MAX.toLocaleString('nl-NL')} tekens|maximaal ${NOTE_MAX} tekens`),
    );
    // Exactly the limit is fine; CRLF counts as one character, as in the browser.
    const exact = await post(s, '/notes', { ...(await newForm(s)), text: `${'b'.repeat(NOTE_MAX - 2)}\r\nc` });
    assert.equal(exact.status, 303, pageText(exact.text).slice(0, 200));
    assert.equal(await notes(), before + 1);
    // An edit to empty or too long is refused too, and the note keeps its text.
    const id = /\/notes\/([0-9a-f-]{36})/.exec(exact.location ?? '')?.[1] ?? '';
    const edit = await s.get(`/notes/${id}/edit`);
    for (const text of ['', tooLong]) {
      assert.equal((await post(s, `/notes/${id}`, { _csrf: csrfFrom(edit.text), text })).status, 400);
    }
    assert.match(pageText((await s.get(`/notes/${id}`)).text), /bbbb/);
  });

  test('[LU-3] script in a note is shown as text', async () => {
    const script = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';
    const id = await write(s, script);
    for (const path of [`/notes/${id}`, '/notes', `/notes/${id}/edit`, `/notes/${id}/delete`]) {
      const page = await s.get(path);
      assert.equal(page.status, 200, path);
      assert.ok(!page.text.includes('<script>window.__pwned'), path);
      assert.ok(!page.text.includes('<img src=x'), path);
      assert.ok(page.text.includes('&lt;script>window.__pwned=1'), path);
    }
  });

  test('[LU-3] a double submit writes one note', async () => {
    const before = await notes();
    const form = { ...(await newForm(s)), text: 'Twee keer verstuurd' };
    const [a, b] = await Promise.all([post(s, '/notes', form), post(s, '/notes', form)]);
    const c = await post(s, '/notes', form);
    assert.deepEqual([a.status, b.status, c.status], [303, 303, 303]);
    assert.equal(a.location, b.location);
    assert.equal(a.location, c.location);
    assert.equal(await notes(), before + 1);
  });

  test('[LU-3] without the CSRF token nothing is written, changed or deleted', async () => {
    const id = await write(s, 'Met token geschreven');
    const before = await notes();
    const form = await newForm(s);
    const withoutToken = { ...form };
    delete withoutToken._csrf;
    assert.equal((await post(s, '/notes', { ...withoutToken, text: 'zonder token' })).status, 403);
    assert.equal((await post(s, '/notes', { ...withoutToken, _csrf: 'x'.repeat(43), text: 'fout token' })).status, 403);
    assert.equal((await post(s, `/notes/${id}`, { text: 'zonder token' })).status, 403);
    assert.equal((await post(s, `/notes/${id}/delete`, {})).status, 403);
    assert.equal(await notes(), before);
    assert.match(pageText((await s.get(`/notes/${id}`)).text), /Met token geschreven/);
  });

  test('[LU-3] a link to another citizen’s appointment or result is refused (404), and nothing is written', async () => {
    const before = await notes();
    for (const q of [
      `?appointment=${appointmentP}`,
      `?record=${labP}`,
      `?appointment=${labS}`,
      `?record=${appointmentS}`,
    ]) {
      assert.equal((await s.get(`/notes/new${q}`)).status, 404, q);
    }
    assert.equal((await s.get(`/notes/new?appointment=${appointmentS}&record=${labS}`)).status, 404);
    assert.equal((await s.get('/notes/new?appointment=not-a-uuid')).status, 404);
    const form = await newForm(s);
    const links: Record<string, string>[] = [
      { appointment: appointmentP },
      { record: labP },
      { appointment: appointmentS, record: labS },
    ];
    for (const link of links) {
      const res = await post(s, '/notes', { ...form, ...link, text: 'verkeerde koppeling' });
      assert.equal(res.status, 404, JSON.stringify(link));
    }
    assert.equal(await notes(), before);
    // Not even the database lets it through (the link trigger), whatever the code does.
    const portalId = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    await assert.rejects(
      withPrincipal(k.db, { kind: 'citizen', citizenId: suzanne, portalId }, async (tx) => {
        await sql`select set_config('koepel.audited_citizens', ${`${suzanne},`}, true)`.execute(tx);
        await tx
          .insertInto('private_note')
          .values({
            id: randomUUID(),
            citizen_id: suzanne,
            body_ciphertext: Buffer.from('x'),
            appointment_id: appointmentP,
            idempotency_key: randomUUID(),
          })
          .execute();
      }),
      /not an appointment of this citizen/,
    );
  });

  test('[LU-3] another citizen’s note id in every URL and form is a 404, and the note stays as it was', async () => {
    const id = await write(s, 'Alleen van Suzanne: WALRUS-2626', `?appointment=${appointmentS}`);
    const csrf = csrfFrom((await p.get('/notes')).text);
    for (const path of [`/notes/${id}`, `/notes/${id}/edit`, `/notes/${id}/delete`]) {
      const res = await p.get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.text, /WALRUS/);
    }
    assert.equal((await post(p, `/notes/${id}`, { _csrf: csrf, text: 'overschreven' })).status, 404);
    assert.equal((await post(p, `/notes/${id}`, { _csrf: csrf, text: 'overschreven', unlink: 'yes' })).status, 404);
    assert.equal((await post(p, `/notes/${id}/delete`, { _csrf: csrf })).status, 404);
    // Pieter's list and his own note forms know nothing of it; his appointment pages cannot be reached.
    assert.doesNotMatch((await p.get('/notes')).text, /WALRUS/);
    assert.equal((await p.get(`/appointments/${appointmentS}`)).status, 404);
    assert.equal((await p.get(`/notes/new?appointment=${appointmentS}`)).status, 404);
    // Malformed ids.
    for (const bad of ['x', `${id}x`, '0', '..%2f..%2fhome'])
      assert.equal((await s.get(`/notes/${bad}`)).status, 404, bad);
    const row = await k.db.selectFrom('private_note').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.appointment_id, appointmentS);
    assert.match(pageText((await s.get(`/notes/${id}`)).text), /WALRUS-2626/);
  });

  test('[LU-3] the notes need a citizen: anonymous visitors are sent to log in', async () => {
    const anon = new HttpClient(k.url);
    const res = await anon.get('/notes');
    assert.ok([302, 303, 401].includes(res.status), String(res.status));
    assert.doesNotMatch(res.text, /WALRUS|ZEBRA/);
  });
});
