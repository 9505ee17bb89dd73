// For tests only: walks a cookie-keeping HTTP client (test/support/http-client.ts) through the DigiD login with the
// built-in simulator, the way a browser without JavaScript would. Not imported by the application.
import type { DigidLevelKey } from './levels.js';

interface Answer {
  status: number;
  text: string;
  location: string | null;
}

export interface FlowClient {
  get(path: string): Promise<Answer>;
  post(path: string, form: Record<string, string>): Promise<Answer>;
}

function decode(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The hidden fields of a page's forms (the simulator's authorization request and the CSRF token). */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) out[decode(m[1])] = decode(m[2]);
  }
  return out;
}

/** GET /login/digid and the simulator's login page it leads to. */
export async function openSimulator(c: FlowClient): Promise<{ page: Answer; form: Record<string, string> }> {
  const start = await c.get('/login/digid');
  if (start.status !== 303 || !start.location) throw new Error(`login start answered ${start.status}`);
  const page = await c.get(start.location);
  if (page.status !== 200) throw new Error(`simulator page answered ${page.status}`);
  return { page, form: hiddenFields(page.text) };
}

export interface Choice {
  /** A fixture person's BSN (radio button) … */
  person?: string;
  /** … or a typed BSN, which wins. */
  bsn?: string;
  level?: DigidLevelKey;
  action?: 'login' | 'cancel';
}

/** Submits the simulator's form; a good choice answers 303 to the callback URL. */
export async function choose(c: FlowClient, form: Record<string, string>, choice: Choice): Promise<Answer> {
  return c.post('/digid-simulator/authorize', {
    ...form,
    person: choice.person ?? '',
    bsn: choice.bsn ?? '',
    level: choice.level ?? 'substantieel',
    action: choice.action ?? 'login',
  });
}

/** The callback URL the simulator sends the browser back to, for this person and level (not yet visited). */
export async function callbackUrlFor(
  c: FlowClient,
  person: string,
  level: DigidLevelKey = 'substantieel',
): Promise<string> {
  const { form } = await openSimulator(c);
  const chosen = await choose(c, form, { person, level });
  if (chosen.status !== 303 || !chosen.location) throw new Error(`simulator answered ${chosen.status}`);
  return chosen.location;
}

/** The whole login; returns the callback's answer (303 to /home on success). */
export async function loginWithDigid(
  c: FlowClient,
  person: string,
  level: DigidLevelKey = 'substantieel',
): Promise<Answer> {
  return c.get(await callbackUrlFor(c, person, level));
}
