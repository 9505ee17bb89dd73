// Where a login returns to after a session ended on a staff page (/staff/login?return=/staff/…). Only a path of the
// staff workplace (or the operator's pages) itself, in plain characters: never another host, scheme, protocol-relative or encoded path, so the
// parameter cannot send anyone elsewhere (no open redirect).
const RETURN_PATH = /^\/(staff|operator)(\/[A-Za-z0-9_-]+)*\/?$/;

export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 200) return null;
  if (!RETURN_PATH.test(value)) return null;
  if (value === '/staff/login' || value.startsWith('/staff/login/') || value.startsWith('/staff/set-password'))
    return null;
  return value;
}
