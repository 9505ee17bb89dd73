// Bidirectional-override and isolate characters in a provider system's text are not passed on to the page: a
// right-to-left override in a lab result's name would otherwise turn around how the rest of the line reads. The
// stored resource keeps what the sender sent; the page (every page: sendPage) leaves the controls out.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { NO_ACCESS_POINT, writeAudit } from '../../src/platform/audit/audit.js';
import { withPrincipal, type Principal } from '../../src/platform/db/principal.js';
import { writeResources } from '../../src/record/store.js';

const CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;

describe('bidirectional controls in provider text', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(async () => {
    await k.close();
  });

  test('are left out of the citizen pages that show it', async () => {
    const gp = await orgId(k.db, DEMO.gp);
    const citizen = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    const row = await k.db
      .insertInto('api_client')
      .values({
        organisation_id: gp,
        name: 'test system',
        client_id: `kc_test_${randomBytes(10).toString('hex')}`,
        secret_hash: randomBytes(32),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const principal: Principal = { kind: 'client', clientId: row.id, organisationId: gp };
    const name =
      'Glucose \u202Enuchter\u202C \u2067nuchter\u2069 \u2066x\u2069 \u202Ay\u202C \u202Bz\u202C \u202Dw\u202C';
    await withPrincipal(k.db, principal, (tx) =>
      writeResources(
        { tx, principal, keys: k.koepel.keys, audit: (...e) => writeAudit(tx, principal, NO_ACCESS_POINT, e) },
        [
          {
            citizenId: citizen,
            resourceType: 'Observation',
            sourceKey: `urn:test|${randomUUID()}`,
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { coding: [{ system: 'http://loinc.org', code: '14771-0', display: name }], text: name },
              effectiveDateTime: new Date().toISOString(),
              valueQuantity: { value: 5.1, unit: 'mmol/L' },
            },
          },
        ],
      ),
    );
    const c = new HttpClient(k.url);
    assert.equal((await loginWithDigid(c, DEMO.suzanne)).status, 303);
    const lab = await c.get('/dossier/lab');
    assert.equal(lab.status, 200);
    assert.match(lab.text, /Glucose nuchter nuchter x y z w/, 'the text is shown, without the controls');
    assert.doesNotMatch(lab.text, CONTROLS);
    const id = /href="(\/dossier\/lab\/[0-9a-f-]{36})"[^>]*>Glucose nuchter/.exec(lab.text)?.[1];
    assert.ok(id, 'a link to the result');
    const detail = await c.get(id);
    assert.equal(detail.status, 200);
    assert.match(detail.text, /Glucose nuchter nuchter/);
    assert.doesNotMatch(detail.text, CONTROLS);
  });
});
