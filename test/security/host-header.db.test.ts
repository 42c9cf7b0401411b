/**
 * Links handed out (department confirmation links) come from PUBLIC_URL only, never from the request's
 * Host header: a forged Host would otherwise mint links to an attacker's site. Without PUBLIC_URL the
 * service refuses to mint links (409 problem+json; a zh/en page message) and changes nothing.
 */
import { serve } from '@hono/node-server';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignDepartments } from '../../src/db/schema/index.js';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { campaignInventory, createCampaign } from '../campaigns/fixtures.js';
import { FormClient } from '../web/client.js';

/** A raw HTTP request over loopback with a Host header of our choosing (fetch would not send one). */
function rawGet(port: number, path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const FORGED = ['evil.example', 'evil.example:8443', '169.254.169.254', '[::1]:1', 'xuncha.linyi.example.evil.example'];

describe.each(backends)('link addresses and the Host header on %s', (backend) => {
  let withUrl: TestApp;
  let withoutUrl: TestApp;
  let server: ReturnType<typeof serve>;
  let port: number;
  let campaignId: number;

  beforeAll(async () => {
    withUrl = await startTestApp(backend, { publicUrl: 'https://xuncha.linyi.example/' });
    await campaignInventory(withUrl);
    campaignId = await createCampaign(withUrl, { name: '一季度核查', deadline: '2026-12-20', scope: { departments: ['371300'] } });
    // The same database served by a process without PUBLIC_URL.
    withoutUrl = await startTestApp(backend, { database: withUrl.database, publicUrl: null });
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: withUrl.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await withoutUrl?.close();
    await withUrl?.close();
  });

  it('with PUBLIC_URL, every link uses it whatever Host or X-Forwarded-Host the request says', async () => {
    for (const host of FORGED) {
      const res = await rawGet(port, `/api/v1/campaigns/${campaignId}/links`, host, { authorization: `Bearer ${ADMIN}`, 'x-forwarded-host': 'evil.example' });
      expect(res.status, host).toBe(200);
      const items = (JSON.parse(res.body) as { items: Array<{ url: string }> }).items;
      expect(items.length).toBeGreaterThan(0);
      for (const { url } of items) expect(url, host).toMatch(/^https:\/\/xuncha\.linyi\.example\/confirm\/\d+\.\d+\.[\w-]{43}$/);
      expect(res.body).not.toContain('evil');
      expect(res.body).not.toContain('169.254');
    }
  });

  it('without PUBLIC_URL, the API refuses to mint links (409 problem+json naming PUBLIC_URL) and rotates nothing', async () => {
    const before = await withUrl.database.db.select().from(campaignDepartments);
    for (const [method, path] of [
      ['GET', `/api/v1/campaigns/${campaignId}/links`],
      ['POST', `/api/v1/campaigns/${campaignId}/links/371302/rotate`],
    ] as const) {
      const res = await withoutUrl.app.request(`http://evil.example${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, host: 'evil.example' } });
      expect(res.status, path).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('conflict');
      expect(body.detail).toContain('PUBLIC_URL');
      expect(JSON.stringify(body)).not.toContain('evil.example/confirm');
    }
    expect(await withUrl.database.db.select().from(campaignDepartments)).toEqual(before);
  });

  it('without PUBLIC_URL, the campaign page still shows the campaign and says in Chinese and English why there are no links', async () => {
    const b = new FormClient(withoutUrl);
    await b.login(ADMIN);
    const zh = await b.request('GET', `/campaigns/${campaignId}`, { headers: { host: 'evil.example' } });
    expect(zh.res.status).toBe(200);
    expect(zh.html).toContain('请管理员将 PUBLIC_URL 设置为本服务的访问地址');
    expect(zh.html).toContain('id="h-links"');
    expect(zh.html).toContain('id="campaign-progress"');
    expect(zh.html).not.toContain('class="link-url"');
    // The links sheet cannot be made either: that download answers 409 with the same words.
    const sheet = await b.request('GET', `/campaigns/${campaignId}/links.xlsx`);
    expect(sheet.res.status).toBe(409);
    expect(sheet.html).toContain('PUBLIC_URL');
    expect(zh.html).not.toContain('/confirm/');
    const en = await b.request('GET', `/campaigns/${campaignId}?lang=en`, { headers: { host: 'evil.example' } });
    expect(en.html).toContain('the administrator must set PUBLIC_URL');
    expect(en.html).not.toContain('/confirm/');
  });
});
