/**
 * Web sessions are server-side and end at once: on logout (even for a copy of the cookie), when the token
 * that signed in is revoked, and when the service restarts with another ADMIN_TOKEN (or none). Real HTTP:
 * the Node server on 127.0.0.1, one app per "process", two apps on one database for a restart.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { webSessions } from '../../src/db/schema/index.js';

interface Running {
  t: TestApp;
  base: string;
  stop(): Promise<void>;
}

async function run(backend: 'pglite' | 'postgres', database: TestDatabase, adminToken: string | null): Promise<Running> {
  const t = await startTestApp(backend, { database, adminToken });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { t, base, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

/** Signs in through the login form over HTTP; returns the session cookie value. */
async function signIn(base: string, token: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const nonce = page.headers.getSetCookie().find((c) => c.startsWith('xc_login='))!.split(';')[0]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: nonce },
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), token }).toString(),
  });
  expect(res.status).toBe(303);
  return /^xc_session=([^;]+)/.exec(res.headers.getSetCookie().find((c) => c.startsWith('xc_session='))!)![1]!;
}

/** Status of the inventory page with this cookie: 200 signed in, 303 to /login otherwise. */
async function inventory(base: string, sid: string): Promise<number> {
  const res = await fetch(`${base}/inventory`, { redirect: 'manual', headers: { cookie: `xc_session=${sid}` } });
  await res.arrayBuffer();
  return res.status;
}

describe.each(backends)('server-side web sessions on %s', (backend) => {
  let database: TestDatabase;
  let a: Running;

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    a = await run(backend, database, ADMIN);
  });
  afterAll(async () => {
    await a?.stop();
    await database?.close();
  });

  it('the cookie is an opaque random id; only its SHA-256 is stored', async () => {
    const sid = await signIn(a.base, ADMIN);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await database.db.select().from(webSessions);
    const mine = rows.find((r) => r.idHash === createHash('sha256').update(sid).digest('hex'));
    expect(mine).toBeDefined();
    expect(JSON.stringify(rows)).not.toContain(sid);
    expect(JSON.stringify(rows)).not.toContain(ADMIN);
    expect(mine!.tokenId).toBeNull();
    expect(mine!.expiresAt.getTime() - mine!.createdAt.getTime()).toBe(8 * 3600_000);
  });

  it('logout ends the session for every copy of the cookie', async () => {
    const sid = await signIn(a.base, ADMIN);
    expect(await inventory(a.base, sid)).toBe(200);
    const page = await fetch(`${a.base}/inventory`, { headers: { cookie: `xc_session=${sid}` } });
    const out = await fetch(`${a.base}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `xc_session=${sid}` },
      body: new URLSearchParams({ _csrf: csrfOf(await page.text()) }).toString(),
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login?m=out');
    // The browser dropped its cookie; an attacker who copied it replays it.
    expect(await inventory(a.base, sid)).toBe(303);
    const [row] = (await database.db.select().from(webSessions)).filter((r) => r.idHash === createHash('sha256').update(sid).digest('hex'));
    expect(row!.revokedAt).not.toBeNull();
  });

  it('revoking the token ends its sessions; other sessions go on', async () => {
    const created = (await (await a.t.call('POST', '/api/v1/tokens', { body: { role: 'auditor', name: '运维李工' } })).json()) as { id: number; token: string };
    const first = await signIn(a.base, created.token);
    const second = await signIn(a.base, created.token);
    const admin = await signIn(a.base, ADMIN);
    expect(await inventory(a.base, first)).toBe(200);
    const del = await fetch(`${a.base}/api/v1/tokens/${created.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(del.status).toBe(204);
    expect(await inventory(a.base, first)).toBe(303);
    expect(await inventory(a.base, second)).toBe(303);
    expect(await inventory(a.base, admin)).toBe(200);
  });

  it('a restart with another ADMIN_TOKEN, or none, ends the bootstrap sessions; the same token keeps them', async () => {
    const admin = await signIn(a.base, ADMIN);
    const stored = (await (await a.t.call('POST', '/api/v1/tokens', { body: { role: 'viewer', name: '只读' } })).json()) as { token: string };
    const viewer = await signIn(a.base, stored.token);
    await a.stop();

    const other = await run(backend, database, 'another-admin-token-9876543210');
    try {
      expect(await inventory(other.base, admin)).toBe(303);
      expect(await inventory(other.base, viewer)).toBe(200);
    } finally {
      await other.stop();
    }
    const none = await run(backend, database, null);
    try {
      expect(await inventory(none.base, admin)).toBe(303);
    } finally {
      await none.stop();
    }
    a = await run(backend, database, ADMIN);
    expect(await inventory(a.base, admin)).toBe(200);
  });

  it('made-up, malformed and old signed cookies are no session', async () => {
    for (const sid of ['A'.repeat(43), 'x', 'eyJ0aCI6ImFiYyIsInNpZCI6Inh5eiIsImV4cCI6OTk5OTk5OTk5OSwiZW52IjoxfQ.c2lnbmF0dXJl', '%00'.repeat(20)]) {
      expect(await inventory(a.base, sid), sid).toBe(303);
    }
  });
});
