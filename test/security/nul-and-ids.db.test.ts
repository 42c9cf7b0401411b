/**
 * U+0000 in JSON fields, path and query parameters and the unauthenticated /confirm forms, and ids past
 * PostgreSQL's integer range: a 400 (or 404) problem+json that says where, never a 500, nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { fingerprint } from '../inventory/helpers.js';

describe.each(backends)('NUL characters and huge ids on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    expect((await t.call('POST', '/api/v1/departments', { body: { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' } })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  async function problem(res: Response, status: number[]) {
    expect(status, `${res.status} ${await res.clone().text()}`).toContain(res.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as { code: string; errors?: Array<{ path: string }> };
  }

  /** As an HTTP client sends it: with its Content-Length. */
  const post = (path: string, text: string) => t.call('POST', path, { rawBody: text, headers: { 'content-length': String(Buffer.byteLength(text)) } });

  it('JSON fields holding U+0000 (raw or escaped) are refused with the field path', async () => {
    const before = await fingerprint(t.database.db);
    const body = { code: '371302', name: '兰山区\u0000人民政府', level: 'county', kind: 'government', parentCode: '371300' };
    const p = await problem(await post('/api/v1/departments', JSON.stringify(body)), [400]);
    expect(p.errors?.[0]?.path).toBe('name');
    // Without a length (chunked), the database's refusal is still a 400.
    await problem(await t.call('POST', '/api/v1/departments', { body }), [400]);
    const raw = '{"code":"371302","name":"兰山区","shortName":"x\\u0000","level":"county","kind":"government","parentCode":"371300"}';
    expect((await problem(await post('/api/v1/departments', raw), [400])).errors?.[0]?.path).toBe('shortName');
    const key = '{"code":"371302","name":"兰山区","level":"county","kind":"government","parentCode":"371300","a\\u0000":1}';
    await problem(await post('/api/v1/departments', key), [400]);
    expect(await fingerprint(t.database.db)).toEqual(before);
  });

  it('path and query parameters holding U+0000 are refused', async () => {
    await problem(await t.call('GET', '/api/v1/departments/371300%00'), [400]);
    await problem(await t.call('GET', '/api/v1/systems?q=%00'), [400]);
    await problem(await t.call('GET', '/api/v1/systems?department=371300%00'), [400]);
    await problem(await t.call('GET', '/api/v1/audit?entity=%00'), [400]);
    // A '+' decodes to a space, never to U+0000; plain (unencoded) queries take the fast path and pass.
    expect((await t.call('GET', '/api/v1/systems?q=a+b')).status).toBe(200);
    expect((await t.call('GET', '/api/v1/systems?limit=1')).status).toBe(200);
  });

  it('a URL that is not valid percent-encoded UTF-8 is a 400 naming the URL, not a 500', async () => {
    for (const bad of ['/api/v1/systems?q=%E0%A4%A', '/api/v1/systems?q=%ZZ', '/api/v1/departments/%C0']) {
      const p = await problem(await t.call('GET', bad), [400]);
      expect((p as { detail?: string }).detail).toContain('percent-encoded');
    }
  });

  it('the unauthenticated /confirm forms refuse U+0000 without a 500', async () => {
    const res = await t.app.request('/confirm/not-a-real-token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '24' },
      body: 'name=%E5%BC%A0%00&csrf=x',
    });
    expect(res.status).toBeLessThan(500);
    expect(res.status).toBeGreaterThanOrEqual(400);
    const path = await t.app.request('/confirm/abc%00def');
    expect(path.status).toBe(400);
  });

  it.each(['/api/v1/sweeps/2147483648', '/api/v1/sweeps/99999999999999999999', '/api/v1/tokens/2147483648', '/api/v1/tokens/9007199254740993'])(
    'GET/DELETE %s is a 400 or 404, never a 500',
    async (path) => {
      await problem(await t.call('GET', path), [400, 404, 405]);
      await problem(await t.call('DELETE', path), [400, 404, 405]);
    },
  );
});
