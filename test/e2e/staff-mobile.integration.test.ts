// The staff workplace on a 390 px phone screen: every staff page linked from the staff home fits the screen and
// axe-core finds nothing (the sweep of citizen-mobile.integration.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSuite } from '../support/browser.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { phoneContext, sweep } from '../support/phone.js';

describe('the staff workplace on a 390 px phone screen', () => {
  const suite = browserSuite();

  test('the staff workplace fits the screen', async () => {
    const base = suite.k.url;
    const staff = await loginStaff(base, 'huisarts@delinde.example');
    const context = await phoneContext(suite);
    try {
      // The staff session from the HTTP login (a __Host- cookie: host only, path /, secure; localhost counts as secure).
      const host = new URL(base).hostname;
      await context.addCookies(
        [...staff.client.cookies].map(([name, value]) => ({ name, value, domain: host, path: '/', secure: true })),
      );
      const page = await context.newPage();
      const visited = await sweep(page, base, ['/staff'], /^\/(staff|organisation|patients)/, 15);
      assert.ok(visited.length > 1, visited.join(' '));
    } finally {
      await context.close();
    }
  });
});
