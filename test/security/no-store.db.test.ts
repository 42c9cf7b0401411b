/**
 * Every response that carries a secret says `Cache-Control: no-store`, so no proxy or browser cache keeps
 * it: a new token, department confirmation links (listed and rotated), the sign-in that sets the session
 * cookie, and the department's confirmation page (its URL is the credential). The list is checked against
 * the OpenAPI document: any operation whose success response has a `token`, `secret` or `password`
 * field, or that is about links and answers with URLs, must be in it (or in the list of masked ones).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { campaignInventory, createCampaign } from '../campaigns/fixtures.js';
import { csrfOf, FormClient } from '../web/client.js';

/** Operations (METHOD path, as in the OpenAPI document) whose response carries a secret in the clear. */
const SECRET_OPERATIONS = ['POST /tokens', 'GET /campaigns/{id}/links', 'POST /campaigns/{id}/links/{departmentCode}/rotate'];
/** Operations that mention a secret field but never return it whole. */
const MASKED = {
  'POST /webhooks': 'the robot URL comes back with its key/access_token masked',
  'GET /webhooks': 'the same masked URL',
} as Record<string, string>;
/** Operations whose field only looks like a secret by its name. */
const NOT_SECRET = {
  'GET /systems/{code}/inspection': 'its `links` are the link-check figures and broken links of a public portal',
} as Record<string, string>;

function secretFields(doc: any, schema: any, depth = 0): string[] {
  if (!schema || depth > 8) return [];
  if (schema.$ref) return secretFields(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()], depth + 1);
  const out: string[] = [];
  for (const [k, v] of Object.entries<any>(schema.properties ?? {})) {
    if (/^(token|secret|password|link|links)$/i.test(k) || /confirm/i.test(v?.description ?? '')) out.push(k);
    out.push(...secretFields(doc, v, depth + 1));
  }
  for (const k of ['allOf', 'anyOf', 'oneOf']) for (const s of schema[k] ?? []) out.push(...secretFields(doc, s, depth + 1));
  if (schema.items) out.push(...secretFields(doc, schema.items, depth + 1));
  return out;
}

function hasUrl(doc: any, schema: any, depth = 0): boolean {
  if (!schema || depth > 8) return false;
  if (schema.$ref) return hasUrl(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()], depth + 1);
  if ('url' in (schema.properties ?? {})) return true;
  const subs = [...Object.values<any>(schema.properties ?? {}), ...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.items ? [schema.items] : [])];
  return subs.some((s) => hasUrl(doc, s, depth + 1));
}

describe.each(backends)('Cache-Control: no-store on secrets on %s', (backend) => {
  let t: TestApp;
  let campaignId: number;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await campaignInventory(t);
    campaignId = await createCampaign(t, { name: '一季度核查', deadline: '2099-03-20', scope: { departments: ['371300'] } });
  });
  afterAll(() => t?.close());

  it('the OpenAPI document has no secret-bearing operation outside the list', async () => {
    const doc = await (await t.call('GET', '/api/v1/openapi.json')).json();
    const found: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const ok = Object.entries<any>(op.responses ?? {}).filter(([s]) => s.startsWith('2'));
        const fields = ok.flatMap(([, r]) => Object.values<any>(r.content ?? {}).flatMap((c) => secretFields(doc, c.schema)));
        // A link is a credential: an operation about links whose response holds URLs hands them out.
        const urls = ok.some(([, r]) => Object.values<any>(r.content ?? {}).some((c) => hasUrl(doc, c.schema)));
        if (fields.length || (/link/i.test(op.summary ?? '') && urls)) found.push(`${method.toUpperCase()} ${path}`);
      }
    }
    const unlisted = found.filter((o) => !SECRET_OPERATIONS.includes(o) && !(o in MASKED) && !(o in NOT_SECRET));
    expect(unlisted, 'operations that seem to return a secret: add them to SECRET_OPERATIONS (and send no-store) or to MASKED').toEqual([]);
    for (const o of SECRET_OPERATIONS) expect(found, o).toContain(o);
  });

  it('each listed response carries its secret and says no-store', async () => {
    const seen: string[] = [];
    const check = async (name: string, res: Response, secret: (body: any) => string) => {
      expect(res.status, name).toBeLessThan(300);
      const body = await res.json();
      expect(secret(body), name).toBeTruthy();
      expect(res.headers.get('cache-control'), name).toMatch(/\bno-store\b/);
      seen.push(name);
    };
    await check('POST /tokens', await t.call('POST', '/api/v1/tokens', { body: { role: 'viewer', name: '只读' } }), (b) => b.token);
    await check('GET /campaigns/{id}/links', await t.call('GET', `/api/v1/campaigns/${campaignId}/links`), (b) => b.items[0].url);
    await check('POST /campaigns/{id}/links/{departmentCode}/rotate', await t.call('POST', `/api/v1/campaigns/${campaignId}/links/371302/rotate`), (b) => b.url);
    expect(seen.sort()).toEqual([...SECRET_OPERATIONS].sort());

    // Masked ones: the key never comes back.
    const hook = await t.call('POST', '/api/v1/webhooks', { body: { name: '企业微信', kind: 'wecom', url: 'https://qyapi.weixin.qq.example/cgi-bin/webhook/send?key=SECRET-KEY-123456' } });
    expect(hook.status).toBe(201);
    expect(await hook.text()).not.toContain('SECRET-KEY-123456');
  });

  it('the sign-in that sets the session cookie, the signed-in pages and the confirmation page say no-store', async () => {
    const b = new FormClient(t);
    const page = await b.get('/login');
    expect(page.res.headers.get('cache-control')).toMatch(/no-store/);
    const { res } = await b.post('/login', { _csrf: csrfOf(page.html), token: ADMIN });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('xc_session='))).toBe(true);
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
    const campaign = await b.get(`/campaigns/${campaignId}`);
    expect(campaign.html).toContain('/confirm/');
    expect(campaign.res.headers.get('cache-control')).toMatch(/no-store/);
    const link = ((await (await t.call('GET', `/api/v1/campaigns/${campaignId}/links`)).json()) as { items: Array<{ url: string }> }).items[0]!.url;
    const confirm = await t.app.request(new URL(link).pathname);
    expect(confirm.status).toBe(200);
    expect(confirm.headers.get('cache-control')).toMatch(/no-store/);
  });
});
