// A tiny browser stand-in for HTTP-level tests: keeps cookies, follows nothing by itself, finds CSRF tokens.
export interface Response {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export class HttpClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: globalThis.Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    path: string,
    body?: Record<string, string> | string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : this.base + path;
    const h: Record<string, string> = { ...headers };
    if (this.cookies.size > 0) h.cookie = this.cookieHeader();
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body) {
      payload = new URLSearchParams(body).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(url, { method, headers: h, body: payload, redirect: 'manual' });
    this.remember(res);
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
  }

  get(path: string, headers?: Record<string, string>): Promise<Response> {
    return this.request('GET', path, undefined, headers);
  }

  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response> {
    return this.request('POST', path, form, headers);
  }

  /** Follows redirects (GET) until a non-redirect answer, as a browser would. */
  async follow(res: Response, max = 10): Promise<Response> {
    let r = res;
    for (let i = 0; i < max && r.location && r.status >= 300 && r.status < 400; i++) r = await this.get(r.location);
    return r;
  }
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token in page');
  return m[1];
}
