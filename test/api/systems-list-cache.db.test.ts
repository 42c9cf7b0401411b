import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createApp } from '../../src/app.js';
import { InstanceKeys } from '../../src/auth/keys.js';
import { TokenVerifier } from '../../src/auth/tokens.js';
import { connectPostgres } from '../../src/db/postgres.js';
import { silentLog } from '../../src/logger.js';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { smallInventory } from '../support/inventory.js';

/** The app behind a real HTTP server on 127.0.0.1, as a client (and its conditional requests) sees it. */
async function listen(app: { fetch: (r: Request) => Response | Promise<Response> }) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: (path: string, headers: Record<string, string> = {}) => fetch(base + path, { headers: { authorization: `Bearer ${ADMIN}`, ...headers } }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const LIST = '/api/v1/systems?limit=50';

describe.each(backends)('systems list caching and conditional requests on %s', (backend) => {
  let t: TestApp;
  let http: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await smallInventory(t);
    http = await listen(t.app);
  }, 120_000);
  afterAll(async () => {
    await http?.close();
    await t?.close();
  });

  it('sends compact JSON with a strong ETag, and 304 with no body for If-None-Match of it', async () => {
    const res = await http.get(LIST);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const text = await res.text();
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    expect(text).not.toContain('" : ');
    expect(JSON.parse(text).items.map((s: { code: string }) => s.code)).toEqual(['LS-PORTAL', 'LS-OA', 'LZ-PORTAL']);

    const again = await http.get(LIST, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    expect((await http.get(LIST, { 'if-none-match': `"0000", W/${etag}` })).status).toBe(304);
    const stale = await http.get(LIST, { 'if-none-match': '"00000000000000000000000000000000"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(text);
  });

  it('a different page or scope has its own ETag; a department token sees only its subtree', async () => {
    const all = await http.get(LIST);
    const one = await http.get('/api/v1/systems?limit=1');
    expect(one.headers.get('etag')).not.toBe(all.headers.get('etag'));
    const dept = await t.token('department', '371311');
    const scoped = await http.get(LIST, { authorization: `Bearer ${dept}` });
    expect((await scoped.json()).items.map((s: { code: string }) => s.code)).toEqual(['LZ-PORTAL']);
    expect(scoped.headers.get('etag')).not.toBe(all.headers.get('etag'));
    // The admin's cached page is not served to a narrower scope, nor answered 304 for it.
    expect((await http.get(LIST, { authorization: `Bearer ${dept}`, 'if-none-match': all.headers.get('etag')! })).status).toBe(200);
  });

  it('a write through the API changes the ETag and the page', async () => {
    const before = await http.get(LIST);
    const etag = before.headers.get('etag')!;
    const res = await t.call('PATCH', '/api/v1/systems/LS-OA', { body: { name: '兰山街道协同办公平台' } });
    expect(res.status).toBe(200);
    const after = await http.get(LIST, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect((await after.json()).items.find((s: { code: string }) => s.code === 'LS-OA').name).toBe('兰山街道协同办公平台');
  });

  it('a write made outside the service (plain SQL on another connection) is seen on the next request', async () => {
    const before = await http.get(LIST);
    const etag = before.headers.get('etag')!;
    if (t.database.url) {
      const other = postgres(t.database.url, { max: 1, onnotice: () => {} });
      await other`update departments set name = '罗庄区政府' where code = '371311'`;
      await other.end();
    } else {
      await t.database.db.execute(sql`update departments set name = '罗庄区政府' where code = '371311'`);
    }
    const after = await http.get(LIST, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect((await after.json()).items.find((s: { code: string }) => s.code === 'LZ-PORTAL').departmentName).toBe('罗庄区政府');
    // Rolled back writes do not count: the ETag stays.
    const settled = (await http.get(LIST)).headers.get('etag')!;
    await t.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`update systems set name = 'x' where code = 'LS-OA'`);
        throw new Error('rollback');
      })
      .catch(() => {});
    expect((await http.get(LIST, { 'if-none-match': settled })).status).toBe(304);
  });

  it.runIf(backend === 'postgres')('two server processes on one database: a write through one is seen by the other at once', async () => {
    // A second app with its own database pool and cache, as a second `xuncha serve` would have.
    const second = connectPostgres(t.database.url!);
    const now = () => new Date();
    const app2 = createApp({ db: second.db, logger: silentLog, now, verifier: new TokenVerifier(second.db, ADMIN, now, 0), keys: new InstanceKeys(second.db, undefined) });
    const http2 = await listen(app2);
    try {
      const first = await http.get(LIST);
      const etag = first.headers.get('etag')!;
      expect((await http2.get(LIST, { 'if-none-match': etag })).status).toBe(304);
      const res = await app2.request('/api/v1/systems/LZ-PORTAL', {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ description: '改版中' }),
      });
      expect(res.status).toBe(200);
      const seen = await http.get(LIST, { 'if-none-match': etag });
      expect(seen.status).toBe(200);
      expect((await seen.json()).items.find((s: { code: string }) => s.code === 'LZ-PORTAL').description).toBe('改版中');
    } finally {
      await http2.close();
      await second.close();
    }
  });
});
