import type { TestApp } from '../support/app.js';

/**
 * A browser in miniature over `app.request`: keeps cookies, posts urlencoded forms and reads the
 * hidden CSRF field of a page, so page tests go through the same forms a user fills in.
 */
export class FormClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly t: TestApp) {}

  private cookieHeader(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (gone || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<{ res: Response; html: string }> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    const res = await this.t.app.request(path, { method, headers, body: init.body, redirect: 'manual' });
    this.keep(res);
    return { res, html: await res.text() };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  post(path: string, fields: Record<string, string | string[] | undefined>) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
    }
    return this.request('POST', path, { body: p.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Loads the page and posts one of its forms with its CSRF token. */
  async submit(pagePath: string, action: string, fields: Record<string, string | string[] | undefined>) {
    const page = await this.get(pagePath);
    if (page.res.status !== 200) throw new Error(`GET ${pagePath}: ${page.res.status}`);
    return this.post(action, { _csrf: csrfOf(page.html), ...fields });
  }

  async login(token: string): Promise<Response> {
    const page = await this.get('/login');
    const { res } = await this.post('/login', { _csrf: csrfOf(page.html), token });
    return res;
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}

/** The department's link path from the links API. */
export async function linksOf(t: TestApp, campaignId: number): Promise<Map<string, string>> {
  const res = await t.call('GET', `/api/v1/campaigns/${campaignId}/links`);
  if (res.status !== 200) throw new Error(`links: ${res.status}`);
  const body = (await res.json()) as { items: Array<{ departmentCode: string; url: string }> };
  return new Map(body.items.map((l) => [l.departmentCode, new URL(l.url).pathname]));
}
