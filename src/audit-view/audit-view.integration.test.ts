// The privacy officer's audit log screen through real HTTP: who may see it, organisation isolation (also with crafted
// filters and at the database), each filter, bad input, the CSV export, the audit of the audit, no BSN in any URL or
// log line, and the chain status (intact, then broken after a superuser's rewrite).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient, csrfFrom, type Response } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../../test/support/principals.js';
import { pageText, tableRows } from '../../test/support/html.js';
import { NO_ACCESS_POINT, writeAudit, type AuditEvent } from '../platform/audit/audit.js';
import { withPrincipal, type Principal } from '../platform/db/principal.js';
import { loginStaff } from '../staff/login.testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';

/** Table rows: [time, event, action, outcome, who, citizen, access point, reason]. */
const rows = (html: string): string[][] => tableRows(html, { firstTableOnly: true });

function memoryLog(): { stream: Writable; text: () => string } {
  const lines: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
    text: () => lines.join(''),
  };
}

describe('audit log screen for the privacy officer', () => {
  let k: TestKoepel;
  const log = memoryLog();
  let gp: string;
  let pharmacy: string;
  let suzanne: string;
  let doctor: Extract<Principal, { kind: 'staff' }>;
  let pharmacist: Extract<Principal, { kind: 'staff' }>;
  let officer: HttpClient;
  /** Every URL the tests saw: request paths, redirect targets and links in pages. */
  const urls: string[] = [];

  async function write(p: Principal, ...events: AuditEvent[]): Promise<void> {
    await withPrincipal(k.db, p, (tx) => writeAudit(tx, p, NO_ACCESS_POINT, events));
  }

  async function get(c: HttpClient, path: string, status = 200): Promise<Response> {
    urls.push(path);
    const res = await c.get(path);
    assert.equal(res.status, status, `${path}: ${res.status}`);
    for (const m of res.text.matchAll(/href="([^"]+)"/g)) urls.push(m[1] ?? '');
    return res;
  }

  /** Submits the search form as the browser does (POST) and returns the answer (a redirect when the filter is fine). */
  async function search(c: HttpClient, form: Record<string, string>): Promise<Response> {
    const page = await c.get('/staff/audit');
    const res = await c.post('/staff/audit', { _csrf: csrfFrom(page.text), ...form });
    if (res.location) urls.push(res.location);
    return res;
  }

  before(async () => {
    k = await startKoepel({}, { logStream: log.stream });
    gp = await orgId(k.db, DEMO.gp);
    pharmacy = await orgId(k.db, DEMO.pharmacy);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    doctor = await staffPrincipal(k.db, 'huisarts@delinde.example');
    pharmacist = await staffPrincipal(k.db, 'apotheker@apotheekcentrum.example');
    // The pharmacy's admin is also its privacy officer (rights per employee, ZL-10).
    await k.db
      .updateTable('membership')
      .set({ permissions: sql<string[]>`array_append(permissions, 'audit:read')` })
      .where('organisation_id', '=', pharmacy)
      .where('staff_id', '=', (await staffPrincipal(k.db, 'beheer@apotheekcentrum.example')).staffId)
      .execute();
    await write(
      doctor,
      { event: 'patient.record.view', action: 'R', citizenId: suzanne, resourceType: 'citizen', resourceId: suzanne },
      { event: 'organisation.categories.update', action: 'U', reason: '=HYPERLINK("http://evil.example","x")' },
      { event: 'organisation.categories.update', action: 'U', reason: '+1+2' },
      { event: 'organisation.categories.update', action: 'U', reason: '@SUM(A1)' },
      { event: 'organisation.categories.update', action: 'U', reason: '-2-3' },
    );
    await write(pharmacist, {
      event: 'patient.record.view',
      action: 'R',
      citizenId: suzanne,
      resourceType: 'citizen',
      resourceId: suzanne,
      reason: 'pharmacy-only',
    });
    officer = (await loginStaff(k.url, 'privacy@delinde.example')).client;
  });

  after(async () => {
    await k.close();
  });

  test('[ZL-10] only staff with audit:read get the screen, the search, the export and the check', async () => {
    const anonymous = new HttpClient(k.url);
    assert.notEqual((await anonymous.get('/staff/audit')).status, 200);
    assert.notEqual((await anonymous.get('/staff/audit/export.csv')).status, 200);

    const doc = (await loginStaff(k.url, 'huisarts@delinde.example')).client;
    assert.equal((await doc.get('/staff/audit')).status, 403);
    assert.equal((await doc.get('/staff/audit/export.csv')).status, 403);
    const home = await doc.get('/staff');
    assert.equal((await doc.post('/staff/audit', { _csrf: csrfFrom(home.text), citizen: DEMO.suzanne })).status, 403);
    assert.equal((await doc.post('/staff/audit/verify', { _csrf: csrfFrom(home.text) })).status, 403);

    const citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
    assert.notEqual((await citizen.get('/staff/audit')).status, 200);

    const page = await get(officer, '/staff/audit');
    assert.match(pageText(page.text), /Auditlog van uw organisatie/);
    assert.ok(rows(page.text).length > 0);

    // The menu link exists only for holders of audit:read.
    const link = k.koepel.app.koepel.navigation.links('staff').find((l) => l.href === '/staff/audit');
    assert.deepEqual(link?.permissions, ['audit:read']);
    assert.match(page.text, /href="\/staff\/audit"/, "on the officer's own menu");
    const other = await get(doc, '/staff');
    assert.doesNotMatch(other.text, /href="\/staff\/audit"/, 'not on the menu of staff without audit:read');
  });

  test("[ZL-1] an officer never sees another organisation's records, even with crafted filters", async () => {
    const all: string[][] = [];
    for (let p = 1; p <= 20; p++) {
      const html = (await get(officer, `/staff/audit?page=${p}`)).text;
      all.push(...rows(html));
      if (!html.includes('rel="next"')) break;
    }
    assert.ok(all.length > 0);
    assert.ok(!all.some((r) => r.includes('pharmacy-only')), "the pharmacy's record is not in the GP's log");
    assert.ok(!all.some((r) => (r[4] ?? '').startsWith('R. Mulder')));

    // Crafted: the pharmacist as employee, the citizen of both, the pharmacy's event — still only the GP's records.
    assert.deepEqual(rows((await get(officer, `/staff/audit?staff=${pharmacist.staffId}`)).text), []);
    const hers = rows((await get(officer, `/staff/audit?citizen=${suzanne}`)).text);
    assert.ok(hers.length > 0 && !hers.some((r) => r.includes('pharmacy-only')));
    const csv = (await get(officer, `/staff/audit/export.csv?staff=${pharmacist.staffId}`)).text;
    assert.equal(csv.trim().split('\r\n').length, 1, 'only the header line');

    // The pharmacy's officer does see it (the test can fail).
    const other = (await loginStaff(k.url, 'beheer@apotheekcentrum.example')).client;
    const theirs = rows((await get(other, '/staff/audit')).text);
    assert.ok(theirs.some((r) => r.includes('pharmacy-only')));
    assert.ok(!theirs.some((r) => (r[4] ?? '').startsWith('Dr. A. Huisman')));

    // At the database: the officer's principal reads no record of another organisation, whatever the query says.
    const p = await staffPrincipal(k.db, 'privacy@delinde.example');
    const foreign = await withPrincipal(k.db, p, (tx) =>
      tx
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => eb.or([eb('actor_organisation_id', '<>', gp), eb('actor_organisation_id', 'is', null)]))
        .executeTakeFirstOrThrow(),
    );
    assert.equal(foreign.n, 0);
    // Without audit:read, none at all.
    const withoutRight = await withPrincipal(k.db, doctor, (tx) =>
      tx
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    assert.equal(withoutRight.n, 0);
  });

  test("[ZL-1] the BSN lookup finds only citizens that the own organisation's log names", async () => {
    // Noor has no care relationship and nothing in the GP's log: "nothing about this citizen", not her id.
    const res = await search(officer, { citizen: DEMO.noor });
    assert.equal(res.status, 400);
    assert.match(pageText(res.text), /bevat niets over een burger met dit BSN/);
    // Suzanne is named in the GP's log.
    const found = await search(officer, { citizen: DEMO.suzanne });
    assert.equal(found.status, 303);
    assert.equal(found.location, `/staff/audit?citizen=${suzanne}`);
  });

  test('search by citizen (BSN or patient number), employee, period and event', async () => {
    // By BSN: a redirect to ids only; the page names her as a patient of this organisation.
    const byBsn = await search(officer, { citizen: DEMO.suzanne.replace(/(\d{3})/g, '$1 ').trim() });
    assert.equal(byBsn.status, 303);
    const html = (await get(officer, byBsn.location ?? '')).text;
    const hers = rows(html);
    assert.ok(hers.length > 0);
    for (const r of hers) assert.match(r[5] ?? '', /^Suzanne .*\(HA-1001\)$/);
    assert.match(pageText(html), /Gekozen burger: Suzanne/);
    // By patient number: the same citizen.
    const byNumber = await search(officer, { citizen: 'HA-1001' });
    assert.equal(byNumber.location, byBsn.location);

    // Employee.
    const byStaff = rows((await get(officer, `/staff/audit?staff=${doctor.staffId}`)).text);
    assert.ok(byStaff.length >= 5);
    for (const r of byStaff) assert.equal(r[4], 'Dr. A. Huisman (arts)');

    // Period: today has records; tomorrow and yesterday (of a past year) none.
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(new Date());
    const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
    assert.ok(rows((await get(officer, `/staff/audit?from=${today}&to=${today}`)).text).length > 0);
    assert.deepEqual(rows((await get(officer, `/staff/audit?from=${tomorrow}`)).text), []);
    assert.deepEqual(rows((await get(officer, '/staff/audit?to=2020-01-01')).text), []);

    // Event.
    const views = rows((await get(officer, '/staff/audit?event=patient.record.view')).text);
    assert.ok(views.length > 0);
    for (const r of views) assert.match(r[1] ?? '', /patient\.record\.view$/);
    for (const r of views) assert.equal(r[2], 'R (lezen)');

    // Together, through the form: employee + event + period.
    const combined = await search(officer, {
      staff: doctor.staffId,
      event: 'organisation.categories.update',
      from: today,
      to: today,
    });
    assert.equal(combined.status, 303);
    const four = rows((await get(officer, combined.location ?? '')).text);
    assert.equal(four.length, 4);
    assert.ok(four.every((r) => r[2] === 'U (wijzigen)'));
  });

  test('bad filter input gives a clear message and a 400, never a 500', async () => {
    const cases: [string, RegExp][] = [
      ['?citizen=not-a-uuid', /De gekozen burger is ongeldig/],
      ['?staff=1%27%20or%201%3D1', /Kies een medewerker uit de lijst/],
      ['?from=2026-13-45', /Vanaf datum/],
      ['?to=yesterday', /Tot en met datum/],
      ['?from=2026-05-01&to=2026-01-01', /moet vóór de datum/],
      ['?event=%3Cscript%3E', /Kies een gebeurtenis uit de lijst/],
      ['?page=0', /paginanummer bestaat niet/],
      ['?page=abc', /paginanummer bestaat niet/],
      ['?page=999999999999', /paginanummer bestaat niet/],
      ['?staff=a&staff=b', /Kies een medewerker/],
    ];
    for (const [query, message] of cases) {
      const res = await get(officer, `/staff/audit${query}`, 400);
      assert.match(pageText(res.text), message, query);
      assert.ok(!res.text.includes('<script>'), query);
      assert.equal((await officer.get(`/staff/audit/export.csv${query}`)).status, 400, `export ${query}`);
    }
    for (const citizen of ['12345', '123456789', 'x'.repeat(300)]) {
      const res = await search(officer, { citizen });
      assert.equal(res.status, 400, citizen);
      assert.match(pageText(res.text), /Vul een geldig BSN|bevat niets over een burger/);
    }
    const missingCsrf = await officer.post('/staff/audit', { citizen: DEMO.suzanne });
    assert.equal(missingCsrf.status, 403);
  });

  test('[PZ-12] the CSV export: the filter, a download, formulas neutralised; the view and the export are audited', async () => {
    const before = new Date();
    const res = await get(officer, `/staff/audit/export.csv?staff=${doctor.staffId}`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="auditlog-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    assert.equal(res.headers.get('cache-control'), 'no-store');
    // fetch's text() drops a BOM: look at the bytes.
    const raw = await fetch(`${k.url}/staff/audit/export.csv?staff=${doctor.staffId}`, {
      headers: { cookie: [...officer.cookies].map(([n, v]) => `${n}=${v}`).join('; ') },
    });
    assert.deepEqual([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)], [0xef, 0xbb, 0xbf], 'BOM for Excel');
    const lines = res.text.trim().split('\r\n');
    assert.match(
      lines[0] ?? '',
      /^Tijd;Gebeurtenis;Actie;Resultaat;Wie;Burger;Toegangspunt;User agent;Reden;Event code$/,
    );
    assert.ok(lines.some((l) => l.includes('Dr. A. Huisman (arts)') && /Suzanne .*\(HA-1001\)/.test(l)));
    // Cells a spreadsheet would run as a formula start with an apostrophe.
    for (const f of ['=HYPERLINK', '+1+2', '@SUM(A1)', '-2-3']) {
      assert.ok(
        lines.some((l) => l.includes(`'${f}`)),
        f,
      );
      assert.ok(!lines.some((l) => l.split(';').some((cell) => cell.replace(/^"/, '').startsWith(f))), f);
    }

    const records = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'action', 'actor_id', 'actor_organisation_id', 'citizen_id', 'reason'])
      .where('event_code', 'like', 'audit.log.%')
      .where('occurred_at', '>=', before)
      .execute();
    const officerId = (await staffPrincipal(k.db, 'privacy@delinde.example')).staffId;
    const exported = records.find((r) => r.event_code === 'audit.log.export');
    assert.ok(exported);
    assert.equal(exported.actor_id, officerId);
    assert.equal(exported.actor_organisation_id, gp);
    assert.equal(exported.reason, `export;staff=${doctor.staffId}`);
    assert.ok(records.some((r) => r.event_code === 'audit.log.export.citizen' && r.citizen_id === suzanne));

    // Viewing the page: one record for the view, one per citizen on the page.
    const since = new Date();
    await get(officer, `/staff/audit?citizen=${suzanne}`);
    const viewed = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'citizen_id', 'reason', 'actor_id'])
      .where('event_code', 'in', ['audit.log.view', 'audit.log.view.citizen'])
      .where('occurred_at', '>=', since)
      .execute();
    assert.deepEqual(
      viewed.map((v) => [v.event_code, v.citizen_id, v.reason, v.actor_id]).sort(),
      [
        ['audit.log.view', null, 'page=1;citizen-filter', officerId],
        ['audit.log.view.citizen', suzanne, null, officerId],
      ].sort(),
    );
    // And the officer sees their own view in the log on the next page load.
    const next = rows((await get(officer, '/staff/audit?event=audit.log.view.citizen')).text);
    assert.ok(next.some((r) => r[4] === 'M. Smit (privacyfunctionaris)' && /^Suzanne/.test(r[5] ?? '')));

    // The citizen sees the officer's look at her lines in her own access log, in words.
    const citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
    const accessLog = tableRows((await citizen.get('/access-log')).text, { firstTableOnly: true });
    assert.ok(
      accessLog.some(
        (r) =>
          r[1] === 'M. Smit' &&
          r[3] === 'privacyfunctionaris' &&
          r[4] === 'Uw regels in het auditlog van de organisatie bekeken (privacycontrole)',
      ),
    );
  });

  test('[PZ-12] no BSN in any URL, audit record or log line', async () => {
    await search(officer, { citizen: DEMO.suzanne });
    await search(officer, { citizen: DEMO.pieter });
    const refused = await search(officer, { citizen: DEMO.noor });
    assert.equal(refused.status, 400);
    assert.ok(!refused.text.includes(DEMO.noor), 'the BSN is not echoed back into the form');
    const bsns = [DEMO.suzanne, DEMO.pieter, DEMO.noor];
    for (const u of urls) for (const b of bsns) assert.ok(!u.includes(b), `BSN in ${u}`);
    const logText = log.text();
    assert.ok(logText.length > 0);
    for (const b of bsns) assert.ok(!logText.includes(b), 'BSN in the log');
    const reasons = await k.db.selectFrom('audit_log').select('reason').where('reason', 'is not', null).execute();
    for (const r of reasons) for (const b of bsns) assert.ok(!(r.reason ?? '').includes(b), 'BSN in an audit reason');
  });

  test('the chain status: intact, the latest signed checkpoint, and broken after a rewrite', async () => {
    const html = (await get(officer, '/staff/audit')).text;
    const text = pageText(html);
    assert.match(text, /Controle van de keten/);
    assert.match(text, /Status In orde: (de keten sluit|alle \d+ ketens sluiten)/);
    assert.match(text, /Laatst gecontroleerd \d{2}-\d{2}-\d{4}/);
    assert.match(text, /Laatste ondertekende controlepunt (Nog geen|\d{2}-\d{2}-\d{4})/);

    // A checkpoint now (as the server's timer would), then it is on the page.
    const { checkpointSigner, writeCheckpoint } = await import('../platform/audit/checkpoint.js');
    const signer = checkpointSigner({
      auditCheckpoint: { ...k.config.auditCheckpoint, privateKey: null },
      production: false,
    });
    await writeCheckpoint(k.db, signer, null);
    const withCheckpoint = pageText((await get(officer, '/staff/audit')).text);
    assert.match(
      withCheckpoint,
      new RegExp(`Laatste ondertekende controlepunt \\d{2}-\\d{2}-\\d{4}, [\\d:]+ \\(sleutel ${signer.keyId}\\)`),
    );

    // A superuser rewrites a record with the triggers off: the next check says so.
    await k.db.connection().execute(async (c) => {
      await sql`set session_replication_role = replica`.execute(c);
      try {
        await sql`update audit_log set reason = 'rewritten' where id = (select min(id) from audit_log)`.execute(c);
      } finally {
        await sql`set session_replication_role = origin`.execute(c);
      }
    });
    const page = await officer.get('/staff/audit');
    const check = await officer.post('/staff/audit/verify', { _csrf: csrfFrom(page.text) });
    assert.equal(check.status, 303);
    const broken = pageText((await get(officer, '/staff/audit')).text);
    assert.match(broken, /Verbroken: keten \d+, volgnummer \d+/);
    const started = await k.db
      .selectFrom('audit_log')
      .select('id')
      .where('event_code', '=', 'audit.chain.verify')
      .executeTakeFirst();
    assert.ok(started, 'the check itself is audited');
  });
});
