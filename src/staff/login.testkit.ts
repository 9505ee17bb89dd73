// For tests: logs a staff member in over HTTP like a browser would (password, then TOTP enrolment or a TOTP code),
// remembering each account's TOTP secret and the last time step used so that consecutive logins never replay a
// code. Used by the staff, patient search and operator tests; other capabilities' tests may use it too.
import { Secret } from 'otpauth';
import { HttpClient, csrfFrom, type Response } from '../../test/support/http-client.js';
import { DEMO_PASSWORD } from '../demo/seed.js';
import { codeAt } from './totp.js';

const PERIOD_MS = 30_000;

export interface StaffLogin {
  client: HttpClient;
  /** The answer of the last step (normally the staff home or the operator's alerts page, already followed). */
  page: Response;
  secret: Uint8Array | null;
}

interface Enrolled {
  secret: Uint8Array;
  lastStep: number;
}

/** TOTP secrets per server and e-mail address, learnt at enrolment. */
const enrolled = new Map<string, Enrolled>();

/**
 * The code that confirms an enrolment of this secret (over HTTP or in a browser): the current step's, which is then
 * remembered as used, with the secret, for the account's next logins.
 */
export function enrolmentCode(base: string, email: string, secret: Uint8Array): string {
  const step = Math.floor(Date.now() / PERIOD_MS);
  enrolled.set(`${base} ${email}`, { secret, lastStep: step });
  return codeAt(secret, step * PERIOD_MS + 1000);
}

export function enrolledSecret(base: string, email: string): Uint8Array | null {
  return enrolled.get(`${base} ${email}`)?.secret ?? null;
}

/** A code for a time step after the last one used (waiting for the clock when needed). */
export async function freshCode(base: string, email: string): Promise<string> {
  const e = enrolled.get(`${base} ${email}`);
  if (!e) throw new Error('this account has no TOTP secret known to the test');
  for (;;) {
    const now = Date.now();
    const current = Math.floor(now / PERIOD_MS);
    // ±1 step is accepted; take the first step not used yet.
    const step = Math.max(current - 1, e.lastStep + 1);
    if (step <= current + 1) {
      e.lastStep = step;
      return codeAt(e.secret, step * PERIOD_MS + 1000);
    }
    await new Promise((r) => setTimeout(r, (current + 1) * PERIOD_MS - now + 50));
  }
}

export function manualKeyFrom(html: string): string {
  const m = /id="totp-secret"[^>]*>([A-Z2-7 ]+)</.exec(html);
  if (!m?.[1]) throw new Error('no manual TOTP key on the page');
  return m[1].replace(/ /g, '');
}

/** Submits the enrolment form on `page` with a code computed from the key shown; remembers the secret. */
export async function enrolOn(
  client: HttpClient,
  page: Response,
  action: string,
  base: string,
  email: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const secret = Secret.fromBase32(manualKeyFrom(page.text)).bytes;
  return client.post(action, { _csrf: csrfFrom(page.text), code: enrolmentCode(base, email, secret) }, headers);
}

export async function loginStaff(
  base: string,
  email: string,
  opts: { password?: string; headers?: Record<string, string>; organisation?: string } = {},
): Promise<StaffLogin> {
  const headers = opts.headers ?? {};
  const client = new HttpClient(base);
  const form = await client.get('/staff/login', headers);
  let r = await client.post(
    '/staff/login',
    { _csrf: csrfFrom(form.text), email, password: opts.password ?? DEMO_PASSWORD },
    headers,
  );
  if (r.status !== 303) throw new Error(`staff login failed with ${r.status}`);
  if (r.location === '/staff/totp/enrol') {
    const page = await client.get('/staff/totp/enrol', headers);
    r = await enrolOn(client, page, '/staff/totp/enrol', base, email, headers);
  } else if (r.location === '/staff/login/totp') {
    const page = await client.get('/staff/login/totp', headers);
    r = await client.post(
      '/staff/login/totp',
      { _csrf: csrfFrom(page.text), code: await freshCode(base, email) },
      headers,
    );
  }
  if (r.location === '/staff/login/organisation') {
    const page = await client.get('/staff/login/organisation', headers);
    const value = opts.organisation ?? /name="organisation"[^>]*value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    r = await client.post('/staff/login/organisation', { _csrf: csrfFrom(page.text), organisation: value }, headers);
  }
  if (r.status !== 303 || (r.location !== '/staff' && r.location !== '/operator/alerts')) {
    throw new Error(`staff login did not finish: ${r.status} ${r.location ?? ''}`);
  }
  const page = await client.follow(r);
  return { client, page, secret: enrolledSecret(base, email) };
}
