// Redirect URI rules (RFC 9700 §2.1, RFC 8252 §7): what an operator may register, what an app may send, and how the
// answer is appended without changing what was registered.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkRedirectUri, formActionSource, redirectBack, redirectMatches } from './registry.js';

describe('redirect URIs', () => {
  test('registering: https, http on loopback only, reverse-domain app schemes; nothing else', () => {
    for (const ok of [
      'https://app.voorbeeld.nl/callback',
      'https://app.voorbeeld.nl/cb?tenant=a%20b',
      'http://127.0.0.1:8080/cb',
      'http://[::1]/cb',
      'nl.voorbeeld.app:/callback',
    ]) {
      assert.equal(checkRedirectUri(ok), ok, ok);
    }
    for (const bad of [
      '',
      'http://example.com/cb',
      'http://localhost:8080/cb',
      'https://app.voorbeeld.nl/cb#frag',
      'https://user:pw@app.voorbeeld.nl/cb',
      'https://app.voorbeeld.nl/cb?code=1',
      'https://app.voorbeeld.nl/cb?state=x',
      'javascript:alert(1)',
      'data:text/html,x',
      'myapp:/cb',
      'https://app.voorbeeld.nl/\u0000cb',
      'https://app.voorbeeld.nl/ cb',
      `https://app.voorbeeld.nl/${'x'.repeat(500)}`,
    ]) {
      assert.equal(checkRedirectUri(bad), null, bad);
    }
  });

  test('matching: exact as written, except the port on loopback', () => {
    const registered = ['https://a.voorbeeld.nl/cb?x=a%20b', 'http://127.0.0.1:8080/cb', 'nl.voorbeeld.app:/cb'];
    assert.ok(redirectMatches(registered, 'https://a.voorbeeld.nl/cb?x=a%20b'));
    assert.ok(!redirectMatches(registered, 'https://a.voorbeeld.nl/cb?x=a+b'));
    assert.ok(!redirectMatches(registered, 'https://a.voorbeeld.nl/cb'));
    assert.ok(!redirectMatches(registered, 'https://a.voorbeeld.nl/cb?x=a%20b&y=1'));
    assert.ok(!redirectMatches(registered, 'HTTPS://a.voorbeeld.nl/cb?x=a%20b'));
    assert.ok(redirectMatches(registered, 'http://127.0.0.1:51234/cb'));
    assert.ok(redirectMatches(registered, 'http://127.0.0.1/cb'));
    assert.ok(!redirectMatches(registered, 'http://127.0.0.1:51234/cb/more'));
    assert.ok(!redirectMatches(registered, 'http://[::1]:8080/cb'));
    assert.ok(!redirectMatches(registered, 'http://127.0.0.1:51234/cb#x'));
    assert.ok(redirectMatches(registered, 'nl.voorbeeld.app:/cb'));
    assert.ok(!redirectMatches(registered, 'nl.voorbeeld.app:/cb2'));
  });

  test('the answer is appended; the registered query stays as written', () => {
    assert.equal(
      redirectBack('https://a.voorbeeld.nl/cb?x=a%20b', { code: 'c-1', state: 's 1', iss: null }),
      'https://a.voorbeeld.nl/cb?x=a%20b&code=c-1&state=s+1',
    );
    assert.equal(
      redirectBack('nl.voorbeeld.app:/cb', { error: 'access_denied' }),
      'nl.voorbeeld.app:/cb?error=access_denied',
    );
  });

  test('the CSP form-action source: the origin, or the scheme of an app', () => {
    assert.equal(formActionSource('https://a.voorbeeld.nl/cb?x=1'), 'https://a.voorbeeld.nl');
    assert.equal(formActionSource('http://127.0.0.1:5000/cb'), 'http://127.0.0.1:5000');
    assert.equal(formActionSource('nl.voorbeeld.app:/cb'), 'nl.voorbeeld.app:');
  });
});
