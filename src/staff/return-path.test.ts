import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeReturnPath } from './return-path.js';

test('a return path is a plain path of the staff workplace, nothing else', () => {
  for (const ok of ['/staff', '/staff/record-requests', '/staff/record-requests/6f1c2a3e-1111-4222-8333-944445555666'])
    assert.equal(safeReturnPath(ok), ok);
  for (const bad of [
    'https://evil.example/staff',
    '//evil.example/staff',
    '/\\evil.example',
    '/staff//evil.example',
    '/staff/../home',
    '/staff/%2e%2e/x',
    '/staffing',
    '/home',
    '/staff/login',
    '/staff/login/totp',
    '/staff?x=1',
    '/staff/a b',
    'javascript:alert(1)',
    `/staff/${'a'.repeat(300)}`,
    '',
    undefined,
    ['/staff'],
  ])
    assert.equal(safeReturnPath(bad), null, String(bad));
});
