// [MG-16] Medical data is never shared with other parties or used for other purposes.
//
// A GP system pushes a record with a unique marker for Suzanne over the real FHIR API. Then:
//   (a) nobody but the GP and Suzanne can read it at the SQL level: not the hospital (which also treats her), not
//       the pharmacy, not another citizen, not the operator, not an anonymous principal;
//   (b) the events for the notifications capability hold codes only;
//   (c) the server's log (trace level, no redaction) never contains the marker or the BSN — during ingestion, a
//       refused ingestion that echoes the marker back, the citizen's login and her pages;
//   (d) Koepel opens no network connection to anyone but its database and itself while it handles the data, and
//       only the DigiD and BRP clients in src/ can make outbound requests at all (a static check).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createApiClient, fhir, tokenFor, type TestApiClient } from '../../src/fhir/ingest.testkit.js';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { writeAudit, NO_ACCESS_POINT } from '../../src/platform/audit/audit.js';
import { withPrincipal, type Principal } from '../../src/platform/db/principal.js';
import { listAttachments, readAttachment, readResources } from '../../src/record/store.js';
import { startKoepel, testDatabaseUrl, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';
import { citizenId, DEMO, orgId, staffPrincipal } from '../support/principals.js';

const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
const MARKER = `MG16-${randomBytes(6).toString('hex')}`;

/** Every socket Koepel (or this test) opens, from before boot to the end: host and port, or a socket path. */
const connections: string[] = [];
type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
const originalConnect = Object.getOwnPropertyDescriptor(net.Socket.prototype, 'connect')?.value as Connect;
function recordConnections(): void {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its normalised arguments as an array; direct calls pass (options) or (port, host).
    const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
    const o =
      typeof first === 'object' && first !== null
        ? (first as { host?: string; port?: number; path?: string })
        : { port: Number(first), host: typeof args[1] === 'string' ? args[1] : 'localhost' };
    connections.push(o.path ?? `${o.host ?? 'localhost'}:${String(o.port)}`);
    return originalConnect.apply(this, args);
  };
}

describe('[MG-16] medical data is never shared with other parties or used for other purposes', () => {
  const lines: string[] = [];
  let k: TestKoepel;
  let gp: TestApiClient;
  let suzanne: string;
  let documentId: string;
  const pages: { path: string; status: number; showsMarker: boolean }[] = [];

  before(async () => {
    recordConnections();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    k = await startKoepel({}, { logStream: sink });
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    gp = await createApiClient(k.db, await orgId(k.db, DEMO.gp), 'HIS De Linde');
    const token = await tokenFor(k.url, gp);
    const letter = Buffer.from(`%PDF-1.4\nVerwijsbrief internist ${MARKER}\n%%EOF\n`);
    const res = await fhir(k.url, token, 'POST', '/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:7d1d7c1e-0000-4000-8000-000000000001',
          resource: { resourceType: 'Patient', identifier: [{ system: BSN_SYSTEM, value: DEMO.suzanne }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: {
            resourceType: 'Observation',
            identifier: [{ system: 'urn:oid:2.16.840.1.113883.2.4.6.1.01012345', value: `lab-${MARKER}` }],
            status: 'final',
            code: {
              coding: [{ system: 'http://loinc.org', code: '4548-4', display: `HbA1c ${MARKER}` }],
              text: `HbA1c ${MARKER}`,
            },
            subject: { reference: 'urn:uuid:7d1d7c1e-0000-4000-8000-000000000001' },
            effectiveDateTime: '2026-10-05T08:30:00+02:00',
            valueQuantity: { value: 61, unit: 'mmol/mol' },
            note: [{ text: `Verhoogd, ${MARKER}` }],
          },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          resource: {
            resourceType: 'Condition',
            identifier: [{ system: 'urn:oid:2.16.840.1.113883.2.4.6.1.01012345', value: `ep-${MARKER}` }],
            clinicalStatus: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
            },
            code: {
              coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'P76', display: `Depressie ${MARKER}` }],
              text: `Depressie ${MARKER}`,
            },
            subject: { reference: 'urn:uuid:7d1d7c1e-0000-4000-8000-000000000001' },
            onsetDateTime: '2026-09-01',
          },
          request: { method: 'POST', url: 'Condition' },
        },
        {
          resource: {
            resourceType: 'DocumentReference',
            identifier: [{ system: 'urn:oid:2.16.840.1.113883.2.4.6.1.01012345', value: `doc-${MARKER}` }],
            status: 'current',
            type: { coding: [{ system: 'http://loinc.org', code: '57133-1', display: 'Verwijsbrief' }] },
            subject: { reference: 'urn:uuid:7d1d7c1e-0000-4000-8000-000000000001' },
            date: '2026-10-06T10:00:00+02:00',
            description: `Verwijzing ${MARKER}`,
            content: [
              {
                attachment: {
                  contentType: 'application/pdf',
                  title: `Brief ${MARKER}`,
                  data: letter.toString('base64'),
                },
              },
            ],
          },
          request: { method: 'POST', url: 'DocumentReference' },
        },
      ],
    });
    assert.equal(res.status, 200, res.text.slice(0, 500));
    // A refused ingestion whose answer names the bad field: the marker goes in, and must not come out in the log.
    const bad = await fhir(k.url, token, 'POST', '/fhir/Observation', {
      resourceType: 'Observation',
      identifier: [{ system: 'urn:test', value: `bad-${MARKER}` }],
      status: `not-a-status-${MARKER}`,
      code: { text: MARKER },
      subject: { identifier: { system: BSN_SYSTEM, value: DEMO.suzanne } },
      valueQuantity: { value: `NaN-${MARKER}` },
    });
    assert.ok(bad.status >= 400 && bad.status < 500, `bad input answered ${bad.status}`);
    const broken = await fhir(k.url, token, 'POST', '/fhir', `{"resourceType":"Bundle","note":"${MARKER}"`);
    assert.ok(broken.status >= 400 && broken.status < 500, `malformed JSON answered ${broken.status}`);

    documentId = (
      await k.db
        .selectFrom('record_resource')
        .select('id')
        .where('resource_type', '=', 'DocumentReference')
        .where('source_key', 'like', `%doc-${MARKER}`)
        .executeTakeFirstOrThrow()
    ).id;

    // The demo GP does not offer documents; it granted them to Suzanne on her request (MG-7).
    await k.db
      .insertInto('record_category_grant')
      .values({ organisation_id: gp.organisationId, citizen_id: suzanne, category: 'documents' })
      .execute();

    // Suzanne logs in and looks at everything the portal shows her.
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, DEMO.suzanne)).status, 303);
    for (const path of [
      '/home',
      '/dossier',
      '/dossier/lab',
      '/dossier/episodes',
      '/dossier/documents',
      '/dossier/medication',
      '/dossier/sensitivities',
      '/dossier/careteam',
      '/dossier/appointments',
      `/dossier/documents/${documentId}`,
      `/dossier/documents/${documentId}/0`,
      '/access-log',
    ]) {
      const r = await c.get(path);
      pages.push({ path, status: r.status, showsMarker: r.text.includes(MARKER) });
    }
  });
  after(async () => {
    net.Socket.prototype.connect = originalConnect;
    await k.close();
  });

  /** What a principal can see of Suzanne at the SQL level, after auditing her like the app does. */
  async function seenBy(p: Principal): Promise<string> {
    return withPrincipal(k.db, p, async (tx) => {
      await writeAudit(tx, p, NO_ACCESS_POINT, [{ event: 'test.read', action: 'R', citizenId: suzanne }]);
      const parts: string[] = [];
      // Every record table as text (what a query could return), then what the store decrypts for this principal.
      for (const t of ['record_resource', 'record_attachment', 'record_event', 'directory_resource'] as const) {
        const rows = (await sql<{ r: string }>`select t::text as r from ${sql.table(t)} t`.execute(tx)).rows;
        parts.push(...rows.map((r) => r.r));
      }
      const resources = await readResources({ tx, keys: k.koepel.keys }, { citizenId: suzanne });
      parts.push(...resources.map((r) => JSON.stringify(r.resource)));
      for (const a of await listAttachments(
        tx,
        resources.map((r) => r.id),
      )) {
        const got = await readAttachment({ tx, keys: k.koepel.keys }, a.resourceId, a.position);
        if (got) parts.push(got.data.toString('latin1'));
      }
      return parts.join('\n');
    });
  }

  test('(a) nobody but the organisation that sent it and the citizen can read it', async () => {
    // Positive controls: the marker is in the data, for those who may see it.
    assert.ok((await seenBy(gp.principal)).includes(MARKER), 'the GP system reads its own record');
    assert.ok(
      (await seenBy(await staffPrincipal(k.db, 'huisarts@delinde.example'))).includes(MARKER),
      'the GP reads it',
    );
    const portalId = (await k.db.selectFrom('portal').select('id').executeTakeFirstOrThrow()).id;
    const self: Principal = { kind: 'citizen', citizenId: suzanne, portalId };
    assert.ok((await seenBy(self)).includes(MARKER), 'Suzanne reads it');

    const hospitalClient = await createApiClient(k.db, await orgId(k.db, DEMO.hospital), 'EPD Rivierenland');
    const operatorId = (
      await k.db.selectFrom('staff_account').select('id').where('is_operator', '=', true).executeTakeFirstOrThrow()
    ).id;
    const others: [string, Principal][] = [
      ['hospital doctor (Suzanne is their patient too)', await staffPrincipal(k.db, 'arts@rivierenland.example')],
      ['hospital system', hospitalClient.principal],
      ['pharmacist (Suzanne is their patient too)', await staffPrincipal(k.db, 'apotheker@apotheekcentrum.example')],
      ['physiotherapist', await staffPrincipal(k.db, 'fysio@beweegwijs.example')],
      ['GP privacy officer (audit rights, no record rights)', await staffPrincipal(k.db, 'privacy@delinde.example')],
      ['another citizen', { kind: 'citizen', citizenId: await citizenId(k.db, k.koepel.keys, DEMO.pieter), portalId }],
      ['the operator', { kind: 'operator', staffId: operatorId }],
    ];
    for (const [who, p] of others) {
      assert.ok(!(await seenBy(p)).includes(MARKER), `${who} can read the record`);
    }
    const anonymous = await withPrincipal(k.db, { kind: 'anonymous' }, async (tx) => {
      const parts: string[] = [];
      for (const t of ['record_resource', 'record_attachment', 'record_event', 'audit_log'] as const) {
        parts.push(
          ...(await sql<{ r: string }>`select t::text as r from ${sql.table(t)} t`.execute(tx)).rows.map((r) => r.r),
        );
      }
      return parts;
    });
    assert.deepEqual(anonymous, [], 'an anonymous principal sees rows');
  });

  test('(b) the events for notifications hold codes only', async () => {
    const columns = (
      await sql<{ column_name: string }>`
        select column_name from information_schema.columns
        where table_schema = 'public' and table_name = 'record_event' order by column_name`.execute(k.db)
    ).rows.map((r) => r.column_name);
    // A new free-text column would be a place for medical content: this list changes only with a review.
    assert.deepEqual(columns, [
      'category',
      'citizen_id',
      'created_at',
      'id',
      'kind',
      'organisation_id',
      'processed_at',
      'resource_id',
    ]);
    const events = await k.db
      .selectFrom('record_event')
      .selectAll()
      .where('citizen_id', '=', suzanne)
      .where('organisation_id', '=', gp.organisationId)
      .execute();
    assert.ok(events.length >= 3, 'the lab result, the episode and the letter each made an event');
    const codes = new Set(['appointments', 'episodes', 'sensitivities', 'lab', 'documents', 'medication', 'careteam']);
    const kinds = new Set(['result.new', 'document.new', 'record.new', 'record.changed']);
    for (const e of events) {
      assert.ok(codes.has(e.category), `event category is not a code: ${e.category.length} chars`);
      assert.ok(kinds.has(e.kind));
    }
    const raw = (await sql<{ r: string }>`select t::text as r from record_event t`.execute(k.db)).rows
      .map((r) => r.r)
      .join('\n');
    for (const text of [MARKER, 'HbA1c', 'Depressie', 'Verwijsbrief', DEMO.suzanne]) {
      assert.ok(!raw.includes(text), 'medical content or a BSN in record_event');
    }
  });

  test('(c) the server log holds no medical content and no BSN', () => {
    // The log really captured this file's traffic (request lines at trace/info level).
    assert.ok(lines.length > 10, `only ${lines.length} log lines`);
    assert.ok(
      lines.some((l) => l.includes('/fhir')),
      'the FHIR requests were logged',
    );
    assert.equal(pages.find((p) => p.path === '/home')?.status, 200);
    // Where the dossier exists, it showed the marker: the data went through the server, and still not into the log.
    const dossier = pages.filter((p) => p.path.startsWith('/dossier') && p.status === 200);
    if (dossier.length > 0)
      assert.ok(
        dossier.some((p) => p.showsMarker),
        'the dossier shows the record',
      );
    const leaks = lines.filter((l) => l.includes(MARKER) || l.includes(DEMO.suzanne));
    assert.deepEqual(
      leaks.map((l) => l.slice(0, 300)),
      [],
      'log lines with the marker or the BSN',
    );
    // The scan can fail: a probe through the app's own logger lands in the captured lines.
    k.koepel.app.log.info({ probe: `probe-${MARKER}` }, 'scan check');
    assert.ok(lines.some((l) => l.includes(`probe-${MARKER}`)));
  });

  test('(d) while handling the data Koepel connected to nobody but its database and itself', () => {
    const own = `${new URL(k.url).hostname}:${new URL(k.url).port}`;
    const allowed = new Set([own]);
    if (testDatabaseUrl) {
      const db = new URL(testDatabaseUrl);
      allowed.add(`${db.hostname}:${db.port || '5432'}`);
    }
    assert.ok(connections.length > 0, 'the connection recorder saw nothing at all');
    const foreign = connections.filter((c) => !allowed.has(c));
    assert.deepEqual(foreign, [], 'connections to other hosts');
  });

  test('(d) only the DigiD and BRP clients, the mailer and the delivery to the organisation’s own system in src/ can make outbound requests', () => {
    // Outbound capabilities: Node's network modules, fetch, HTTP client libraries, sockets, child processes (curl).
    const OUTBOUND =
      /from\s+['"](?:node:)?(?:http|https|http2|net|tls|dgram|child_process)['"]|require\(\s*['"](?:node:)?(?:http|https|http2|net|tls|dgram|child_process)['"]|from\s+['"](?:undici|axios|got|node-fetch|superagent|request|needle|ky|ws|openid-client|nodemailer)['"]|\bfetch\s*\(|\bnew\s+(?:WebSocket|EventSource|XMLHttpRequest)\b|\bglobalThis\.fetch\b/;
    const ALLOWED = new Map([
      [
        join('src', 'identity', 'brp', 'brp-client.ts'),
        'BRP Personen bevragen: sends a BSN, receives name and address',
      ],
      [
        join('src', 'identity', 'brp', 'https-fetch.ts'),
        "the BRP client's HTTPS transport when the supplier requires mutual TLS (used only by brp-client.ts)",
      ],
      [join('src', 'identity', 'digid', 'oidc-client.ts'), 'DigiD bridge (OpenID Connect relying party)'],
      // Issue 14, reviewed for MG-16: the citizen's own e-mail notifications, through the operator's SMTP relay. The
      // templates receive only the event, the language and the portal (src/notifications/templates.ts), and a test
      // puts medical data around every template and finds none in the mail.
      [join('src', 'notifications', 'mailer.ts'), "e-mail to the citizen's own confirmed address (no medical content)"],
      // Issue 14, reviewed for MG-16 (and MG-5): events to the organisation's OWN system, at the URL its admin
      // registered — the organisation the citizen is in care with, not another party. Identifiers and event types
      // only; the system reads the resource back over the FHIR API with its own token (src/org-delivery).
      [join('src', 'org-delivery', 'http.ts'), "event ids to the organisation's own registered system"],
    ]);
    const files = sources('src');
    assert.ok(files.length > 30);
    const offenders = files.filter((f) => !ALLOWED.has(f) && OUTBOUND.test(stripComments(readFileSync(f, 'utf8'))));
    assert.deepEqual(offenders, [], 'code with an outbound network capability outside the DigiD and BRP clients');
    for (const f of ALLOWED.keys()) assert.ok(files.includes(f), `${f} moved: update this list`);

    // The allowed clients never reach record code, even indirectly, so record data has no path into them.
    for (const f of ALLOWED.keys()) {
      const reached = importsOf(f);
      const recordCode = [...reached].filter((r) =>
        /^src[\\/](record|fhir|dossier|access-log|record-requests)[\\/]|^src[\\/]patients[\\/]record/.test(r),
      );
      assert.deepEqual(recordCode, [], `${f} imports record code`);
    }

    // And no dependency is an HTTP client or mailer (a new one needs a review of this promise).
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const clients = Object.keys(pkg.dependencies).filter((d) =>
      /^(undici|axios|got|node-fetch|superagent|request|needle|ky|ws|nodemailer|cross-fetch|isomorphic-fetch)$/.test(d),
    );
    // nodemailer: reviewed with src/notifications/mailer.ts above (issue 14).
    assert.deepEqual(clients, ['nodemailer']);
  });
});

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (/\.(ts|tsx)$/.test(entry) && !/\.test(kit)?\.tsx?$/.test(entry) && !/test-driver\.ts$/.test(entry)) {
      out.push(full);
    }
  }
  return out;
}

/** Comments may mention fetch; code may not. (Good enough for our sources: no `//` inside strings that matter.) */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The relative imports of a source file, transitively (src/ only). */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const spec = m[1] ?? '';
    const base = normalize(join(dirname(file), spec)).replace(/\.js$/, '');
    const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    if (target && !seen.has(target)) {
      seen.add(target);
      importsOf(target, seen);
    }
  }
  return seen;
}
