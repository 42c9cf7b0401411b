import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Correction, Official } from '../campaigns/schemas.js';
import { ENDPOINT_ROLES, type EndpointRole } from '../db/schema/enums.js';
import { formatPath, type FieldError } from '../errors.js';
import type { LinkItem } from '../campaigns/actions.js';
import { isHttps } from './i18n.js';
import type { FormError } from './pages/confirm.js';

/** Form bodies as plain strings (repeated fields as arrays); anything else is ignored. */
export type FormBody = Record<string, string | string[]>;

export async function readForm(c: Context): Promise<FormBody> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
  const body = await c.req.parseBody({ all: true });
  const out: FormBody = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

export function str(body: FormBody, key: string): string {
  const v = body[key];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

export function strs(body: FormBody, key: string): string[] {
  const v = body[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Plain string values of a form, to fill it in again after an error. */
export function formValues(body: FormBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k !== '_csrf') out[k] = Array.isArray(v) ? (v[0] ?? '') : v;
  return out;
}

export function zodErrors(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, field: (path: string) => string): FormError[] {
  return issues.map((i) => ({ field: field(formatPath(i.path)), message: `${formatPath(i.path)}: ${i.message}` }));
}

/** The answering official is remembered per link, so the next form comes filled in. */
const OFFICIAL_COOKIE = 'xc_official';

export function rememberOfficial(c: Context, linkBase: string, official: Official): void {
  setCookie(c, OFFICIAL_COOKIE, Buffer.from(JSON.stringify(official)).toString('base64url'), {
    path: linkBase,
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    maxAge: 30 * 86400,
  });
}

export function rememberedOfficial(c: Context): { name: string; phone: string } {
  try {
    const raw = getCookie(c, OFFICIAL_COOKIE);
    if (!raw || raw.length > 600) return { name: '', phone: '' };
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { name?: unknown; phone?: unknown };
    return { name: typeof v.name === 'string' ? v.name.slice(0, 50) : '', phone: typeof v.phone === 'string' ? v.phone.slice(0, 40) : '' };
  } catch {
    return { name: '', phone: '' };
  }
}

/** `url [role]` per line; a known URL keeps its role when none is given. */
export function parseEndpointLines(text: string, current: LinkItem['endpoints']): { endpoints: Array<{ url: string; role: EndpointRole }>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const endpoints: Array<{ url: string; role: EndpointRole }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const parts = raw.trim().split(/\s+/).filter(Boolean);
    if (!parts.length) return;
    const [url, role, ...rest] = parts as [string, string | undefined, ...string[]];
    const line = String(i + 1);
    if (rest.length) errors.push({ path: 'endpoints', message: `line ${line}: one address and at most one role`, reason: 'endpoint_line', params: { line } });
    if (role !== undefined && !(ENDPOINT_ROLES as readonly string[]).includes(role)) {
      const roles = ENDPOINT_ROLES.join(', ');
      errors.push({ path: 'endpoints', message: `line ${line}: role must be one of ${roles}`, reason: 'endpoint_role', params: { line, roles } });
      return;
    }
    const known = current.find((e) => e.url === url);
    endpoints.push({ url, role: (role ?? known?.role ?? 'portal') as EndpointRole });
  });
  return { endpoints, errors };
}

/** Only the fields that changed, so an unchanged form makes no new version. */
export function correctionPatch(body: FormBody, item: LinkItem, endpoints: Array<{ url: string; role: EndpointRole }>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const norm = (s: string) => s.trim();
  const same = (a: string, b: string | null) => norm(a) === (b ?? '');
  if (!same(str(body, 'name'), item.name)) patch.name = str(body, 'name');
  if (!same(str(body, 'operatorUnit'), item.operatorUnit)) patch.operatorUnit = str(body, 'operatorUnit');
  if (!same(str(body, 'contractor'), item.contractor)) patch.contractor = str(body, 'contractor');
  if (!same(str(body, 'description'), item.description)) patch.description = str(body, 'description');
  if (!same(str(body, 'contactName'), item.contactName) || !same(str(body, 'contactPhone'), item.contactPhone) || !same(str(body, 'contactEmail'), item.contactEmail)) {
    patch.contact = { name: str(body, 'contactName'), phone: str(body, 'contactPhone'), email: str(body, 'contactEmail') };
  }
  const before = item.endpoints.map((e) => `${e.url} ${e.role}`).join('\n');
  const after = endpoints.map((e) => `${e.url} ${e.role}`).join('\n');
  if (before !== after) patch.endpoints = endpoints;
  return patch;
}

/** Where a correction field error shows on the form. */
export function correctionField(path: string): string {
  if (path.startsWith('contact.')) return `contact${path.slice(8, 9).toUpperCase()}${path.slice(9)}`;
  if (path.startsWith('endpoints')) return 'endpoints';
  return path.split('.')[0]!.split('[')[0]!;
}

export type { Correction };
