// FHIR XML (application/fhir+xml) over real HTTP against a real database: a provider system writes in XML and the
// citizen reads it back as XML and as JSON; refused XML answers with an OperationOutcome in XML, storing nothing;
// /fhir/metadata, 401 and 404 answer in XML when asked; an attachment's bytes are never converted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { RECORD_CATEGORIES } from '../record/categories.js';
import { fhirJsonToXml, fhirXmlToJson } from '../platform/fhir/xml.js';
import { countRows, createApiClient, tokenFor, type TestApiClient } from './ingest.testkit.js';
import { newApiClient, pushEveryType } from './read/testkit.js';

const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
const XML = 'application/fhir+xml';
const XML_TYPE = /^application\/fhir\+xml; charset=utf-8$/;
const JSON_TYPE = /^application\/fhir\+json/;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The answer as FHIR JSON, whichever format it came in; asserts the Content-Type matches the format. */
function resourceOf(a: Answer, format: 'xml' | 'json'): Record<string, unknown> {
  const type = a.headers.get('content-type') ?? '';
  if (format === 'xml') {
    assert.match(type, XML_TYPE, a.text.slice(0, 300));
    assert.ok(a.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), a.text.slice(0, 300));
    return fhirXmlToJson(a.text);
  }
  assert.match(type, JSON_TYPE, a.text.slice(0, 300));
  return JSON.parse(a.text) as Record<string, unknown>;
}

function outcomeCode(a: Answer, status: number, format: 'xml' | 'json'): string {
  assert.equal(a.status, status, a.text.slice(0, 500));
  const outcome = resourceOf(a, format);
  assert.equal(outcome.resourceType, 'OperationOutcome');
  return (outcome.issue as { code: string }[])[0]?.code ?? '';
}

const conditionXml = (bsn: string, code = 'T90') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<!-- A problem as a GP system sends it -->
<Condition xmlns="http://hl7.org/fhir">
  <identifier><system value="urn:test:episode"/><value value="xml-${code}"/></identifier>
  <clinicalStatus><coding><system value="http://terminology.hl7.org/CodeSystem/condition-clinical"/><code value="active"/></coding></clinicalStatus>
  <code><coding><system value="http://hl7.org/fhir/sid/icpc-1-nl"/><code value="${code}"/><display value="Diabetes mellitus type 2 &amp; &#233;&#235;n"/></coding></code>
  <subject><identifier><system value="${BSN_SYSTEM}"/><value value="${bsn}"/></identifier></subject>
  <onsetDateTime value="2026-03-01"/>
  <note><text value="Controle &lt;3 maanden&gt;"/></note>
</Condition>`;

const observationXml = (bsn: string) =>
  `<Observation xmlns="http://hl7.org/fhir">
  <identifier><system value="urn:test:lab"/><value value="xml-hb-1"/></identifier>
  <status value="final"/>
  <code><coding><system value="http://loinc.org"/><code value="59260-0"/><display value="Hemoglobin [Moles/volume] in Blood"/></coding></code>
  <subject><identifier><system value="${BSN_SYSTEM}"/><value value="${bsn}"/></identifier></subject>
  <effectiveDateTime value="2026-10-01T09:00:00+02:00"/>
  <valueQuantity><value value="8.25"/><unit value="mmol/L"/></valueQuantity>
</Observation>`;

describe('FHIR XML over HTTP', () => {
  let k: TestKoepel;
  let gp: TestApiClient;
  let token: string;
  let citizen: HttpClient;
  let suzanne: string;
  let docId: string;

  const write = (method: string, path: string, body: string, headers: Record<string, string> = {}) =>
    request(`${k.url}${path}`, method, { authorization: `Bearer ${token}`, 'content-type': XML, ...headers }, body);

  /** Sends what must be refused, and proves the record tables did not change and no BSN came back. */
  async function refused(send: () => Promise<Answer>): Promise<Answer> {
    const before = await countRows(k.db);
    const res = await send();
    assert.deepEqual(await countRows(k.db), before, 'nothing may be stored');
    assert.ok(!res.text.includes(DEMO.suzanne), 'no BSN in errors');
    assert.ok(!res.text.includes('99999'), 'no BSN-like value in errors');
    return res;
  }

  before(async () => {
    k = await startKoepel();
    const gpOrg = await orgId(k.db, DEMO.gp);
    gp = await createApiClient(k.db, gpOrg, 'HIS De Linde');
    token = await tokenFor(k.url, gp);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const written = await pushEveryType(k.db, k.koepel.keys, await newApiClient(k.db, gpOrg), suzanne, 'HA-X');
    docId = written.find((w) => w.resourceType === 'DocumentReference')?.id ?? '';
    await k.db
      .updateTable('organisation')
      .set({ record_categories: [...RECORD_CATEGORIES] })
      .execute();
    citizen = new HttpClient(k.url);
    assert.equal((await loginWithDigid(citizen, DEMO.suzanne)).status, 303);
  });
  after(async () => {
    await k.close();
  });

  test('/fhir/metadata: XML when Accept or _format asks for it, JSON by default; both say so', async () => {
    const json = await request(`${k.url}/fhir/metadata`, 'GET', {});
    const cs = resourceOf(json, 'json');
    assert.deepEqual(cs.format, ['application/fhir+json', 'json', 'application/fhir+xml', 'xml']);
    assert.match(json.headers.get('vary') ?? '', /Accept/);
    for (const [path, headers] of [
      ['/fhir/metadata', { accept: XML }],
      ['/fhir/metadata', { accept: 'application/xml' }],
      ['/fhir/metadata', { accept: 'application/fhir+json;q=0.5, application/fhir+xml' }],
      ['/fhir/metadata?_format=xml', {}],
      ['/fhir/metadata?_format=application/fhir%2Bxml', { accept: 'application/fhir+json' }],
    ] as const) {
      const xml = await request(`${k.url}${path}`, 'GET', headers);
      assert.equal(xml.status, 200, path);
      assert.deepEqual(resourceOf(xml, 'xml'), cs, `${path} ${JSON.stringify(headers)}`);
      assert.match(xml.text, /<CapabilityStatement xmlns="http:\/\/hl7.org\/fhir">/);
    }
    for (const [path, headers] of [
      ['/fhir/metadata?_format=json', { accept: XML }],
      ['/fhir/metadata', { accept: 'application/fhir+json, application/fhir+xml;q=0.9' }],
      ['/fhir/metadata', { accept: '*/*' }],
      ['/fhir/metadata', { accept: 'text/html' }],
    ] as const) {
      const answer = await request(`${k.url}${path}`, 'GET', headers);
      assert.deepEqual(resourceOf(answer, 'json'), cs, `${path} ${JSON.stringify(headers)}`);
    }
    // An unknown _format is refused (406), in the default format, without quoting it.
    const yaml = await request(`${k.url}/fhir/metadata?_format=yaml`, 'GET', {});
    assert.equal(outcomeCode(yaml, 406, 'json'), 'not-supported');
    assert.doesNotMatch(yaml.text, /yaml/);
  });

  test('PUT a Condition in XML, read it back as XML and as JSON', async () => {
    const put = await write('PUT', '/fhir/Condition/xml-cond-1', conditionXml(DEMO.suzanne), { accept: XML });
    assert.equal(put.status, 201, put.text);
    assert.equal(outcomeCode(put, 201, 'xml'), 'informational');
    // The Location names the sender's id; the citizen reads the resource under Koepel's own id.
    assert.equal(put.headers.get('location'), `${k.url}/fhir/Condition/xml-cond-1/_history/1`);
    const { id } = await k.db
      .selectFrom('record_resource')
      .select('id')
      .where('logical_id', '=', 'xml-cond-1')
      .executeTakeFirstOrThrow();
    // The same XML again: the same resource, unchanged (200), the answer in XML because the body was XML.
    const again = await write('PUT', '/fhir/Condition/xml-cond-1', conditionXml(DEMO.suzanne));
    assert.equal(outcomeCode(again, 200, 'xml'), 'informational');

    const asXml = await citizen.get(`/fhir/Condition/${id}`, { accept: XML });
    assert.equal(asXml.status, 200, asXml.text);
    const fromXml = resourceOf(asXml, 'xml');
    const asJson = await citizen.get(`/fhir/Condition/${id}`);
    const fromJson = resourceOf(asJson, 'json');
    assert.deepEqual(fromXml, fromJson);
    assert.equal(asXml.headers.get('etag'), asJson.headers.get('etag'));
    assert.equal(fromJson.resourceType, 'Condition');
    assert.deepEqual(fromJson.code, {
      coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: 'T90', display: 'Diabetes mellitus type 2 & éën' }],
    });
    assert.deepEqual(fromJson.note, [{ text: 'Controle <3 maanden>' }]);
    assert.equal(fromJson.onsetDateTime, '2026-03-01');
    assert.deepEqual(fromJson.subject, { reference: `Patient/${suzanne}` });
    // The XML the citizen gets is the JSON written as XML, nothing more or less.
    assert.equal(asXml.text, fhirJsonToXml(fromJson));

    // In a searchset Bundle too.
    const search = await citizen.get('/fhir/Condition?_format=xml');
    const bundle = resourceOf(search, 'xml');
    assert.equal(bundle.resourceType, 'Bundle');
    const found = (bundle.entry as { resource: { id: string } }[]).find((e) => e.resource.id === id);
    assert.deepEqual(found?.resource, fromJson);
  });

  test('an Observation in XML keeps its decimal as a number; a transaction Bundle in XML answers in XML', async () => {
    const post = await write('POST', '/fhir/Observation', observationXml(DEMO.suzanne), { accept: 'application/json' });
    assert.equal(post.status, 201, post.text);
    resourceOf(post, 'json');
    const id = /Observation\/([0-9a-f-]{36})/.exec(post.headers.get('location') ?? '')?.[1] ?? '';
    const read = resourceOf(await citizen.get(`/fhir/Observation/${id}`), 'json');
    assert.deepEqual(read.valueQuantity, { value: 8.25, unit: 'mmol/L' });

    const bundle = fhirJsonToXml({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:0b8a3c1e-5f59-4a46-9d0e-000000000001',
          resource: fhirXmlToJson(conditionXml(DEMO.suzanne, 'K86')),
          request: { method: 'POST', url: 'Condition' },
        },
      ],
    });
    const tx = await write('POST', '/fhir', bundle);
    assert.equal(tx.status, 200, tx.text);
    const answer = resourceOf(tx, 'xml');
    assert.equal(answer.type, 'transaction-response');
    assert.match((answer.entry as { response: { status: string } }[])[0]?.response.status ?? '', /^201/);
  });

  test('a refused XML body answers with an OperationOutcome in XML and stores nothing', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
      conditionXml(DEMO.suzanne)
        .replace(/^<\?xml[^>]*>/, '')
        .replace('Controle', '&lol2;');
    assert.equal(
      outcomeCode(await refused(() => write('PUT', '/fhir/Condition/c-x', laughs)), 400, 'xml'),
      'not-supported',
    );
    const xxe = `<!DOCTYPE Condition [<!ENTITY x SYSTEM "file:///etc/passwd">]>${conditionXml(DEMO.suzanne).replace(/^<\?xml[^>]*>/, '')}`;
    const refusedXxe = await refused(() => write('POST', '/fhir/Condition', xxe));
    assert.equal(outcomeCode(refusedXxe, 400, 'xml'), 'not-supported');
    assert.doesNotMatch(refusedXxe.text, /root:/);

    const unknownElement = conditionXml(DEMO.suzanne).replace(
      '<onsetDateTime',
      '<bsn value="999993653"/><onsetDateTime',
    );
    const unknown = await refused(() => write('POST', '/fhir/Condition', unknownElement));
    assert.equal(outcomeCode(unknown, 400, 'xml'), 'structure');
    assert.match(unknown.text, /does not define/);

    const malformed = await refused(() => write('POST', '/fhir/Condition', conditionXml(DEMO.suzanne).slice(0, -12)));
    assert.equal(outcomeCode(malformed, 400, 'xml'), 'structure');
    const deep = `<Condition xmlns="http://hl7.org/fhir">${'<extension url="http://e">'.repeat(200)}${'</extension>'.repeat(200)}</Condition>`;
    assert.match((await refused(() => write('POST', '/fhir/Condition', deep))).text, /nested deeper than/);
    const noNamespace = await refused(() => write('POST', '/fhir/Condition', '<Condition/>'));
    assert.equal(outcomeCode(noNamespace, 400, 'xml'), 'structure');

    // Accept wins over the body's format; application/xml is FHIR XML too.
    const asJson = await refused(() =>
      write('POST', '/fhir/Condition', '<Condition/>', {
        accept: 'application/fhir+json',
        'content-type': 'application/xml',
      }),
    );
    assert.equal(outcomeCode(asJson, 400, 'json'), 'structure');

    // XML in any other encoding than UTF-8, and content types that are neither JSON nor XML.
    const latin = await refused(() =>
      write('POST', '/fhir/Condition', conditionXml(DEMO.suzanne), { 'content-type': `${XML}; charset=ISO-8859-1` }),
    );
    assert.equal(outcomeCode(latin, 415, 'xml'), 'not-supported');
    const plain = await refused(() =>
      write('POST', '/fhir/Condition', conditionXml(DEMO.suzanne), { 'content-type': 'text/plain', accept: XML }),
    );
    assert.equal(outcomeCode(plain, 415, 'xml'), 'not-supported');
    assert.match(plain.text, /application\/fhir\+json or application\/fhir\+xml/);
  });

  test('401, 404 and a wrong token answer in XML when asked', async () => {
    const noToken = await request(
      `${k.url}/fhir/Condition`,
      'POST',
      { 'content-type': XML },
      conditionXml(DEMO.suzanne),
    );
    assert.equal(outcomeCode(noToken, 401, 'xml'), 'login');
    assert.ok(noToken.headers.get('www-authenticate'));
    const unknownPath = await request(`${k.url}/fhir/Nope/x/y`, 'GET', { accept: XML });
    assert.equal(outcomeCode(unknownPath, 404, 'xml'), 'not-found');
    const notLoggedIn = await request(`${k.url}/fhir/Condition?_format=xml`, 'GET', {});
    assert.equal(outcomeCode(notLoggedIn, 401, 'xml'), 'login');
  });

  test('an attachment downloads as its bytes, never converted; as a Binary resource in XML when asked', async () => {
    for (const accept of [BROWSER_ACCEPT, XML.replace('fhir+', ''), '*/*']) {
      const raw = await citizen.get(`/fhir/Binary/${docId}-0`, { accept });
      assert.equal(raw.status, 200, accept);
      assert.equal(raw.headers.get('content-type'), 'application/pdf', accept);
      assert.equal(raw.text, '%PDF-1.4 brief HA-X', accept);
    }
    for (const [path, headers] of [
      [`/fhir/Binary/${docId}-0`, { accept: XML }],
      [`/fhir/Binary/${docId}-0?_format=xml`, {}],
    ] as const) {
      const binary = resourceOf(await citizen.get(path, headers), 'xml');
      assert.equal(binary.resourceType, 'Binary');
      assert.equal(binary.contentType, 'application/pdf');
      assert.equal(Buffer.from(String(binary.data), 'base64').toString(), '%PDF-1.4 brief HA-X');
    }
  });
});
