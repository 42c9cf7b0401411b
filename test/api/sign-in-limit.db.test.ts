import pino from 'pino';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { TokenVerifier, createToken } from '../../src/auth/tokens.js';
import { auditLog } from '../../src/db/schema/index.js';
import { SignInLimiter } from '../../src/http/sign-in-limit.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/db.js';

/** Two "processes" (apps with their own limiter and caches) over one database, with a settable clock. */
describe.each(backends)('failed sign-ins are limited per client on %s', (backend) => {
  let database: TestDatabase;
  let at = new Date('2026-12-01T08:00:00Z');
  const now = () => new Date(at);
  const apps: Array<ReturnType<typeof createApp>> = [];
  let good: string;

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    good = (await createToken(database.db, { role: 'viewer', name: 'good' })).token;
    for (let i = 0; i < 2; i++) {
      apps.push(
        createApp({
          db: database.db,
          logger: pino({ level: 'silent' }),
          now,
          verifier: new TokenVerifier(database.db, undefined, now, 0),
          signInLimiter: new SignInLimiter(database.db, { maxFailures: 4, windowSeconds: 600, blockSeconds: 300, now }, 0),
          clientAddress: (c) => c.req.header('x-test-client'),
        }),
      );
    }
  });
  afterAll(() => database.close());

  const api = (app: number, client: string, token: string) =>
    apps[app]!.request('/api/v1/systems', { headers: { authorization: `Bearer ${token}`, 'x-test-client': client } });

  it('answers 429 problem+json with Retry-After after too many bad tokens, in every process, and audits the block', async () => {
    // Failures alternate between the two processes: the count is shared.
    for (let i = 0; i < 4; i++) expect((await api(i % 2, '10.0.0.7', `xc_wrong-guess-number-${i}-aaaaaaaa`)).status).toBe(401);
    for (const app of [0, 1]) {
      const limited = await api(app, '10.0.0.7', good);
      expect(limited.status, `process ${app}`).toBe(429);
      expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(limited.headers.get('retry-after')).toBe('300');
      expect(await limited.json()).toMatchObject({ status: 429, code: 'too_many_requests' });
    }
    // Another client is not affected.
    expect((await api(1, '10.0.0.8', good)).status).toBe(200);

    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sign_in_limited')).orderBy(desc(auditLog.id));
    expect(entry).toMatchObject({ entity: 'client', entityId: '10.0.0.7', actor: 'client 10.0.0.7' });
    expect((entry!.after as { failures: number }).failures).toBe(4);

    // Retry-After counts down with the clock, and the block ends when it says.
    at = new Date(at.getTime() + 200_000);
    expect((await api(0, '10.0.0.7', good)).headers.get('retry-after')).toBe('100');
    at = new Date(at.getTime() + 100_000);
    expect((await api(0, '10.0.0.7', good)).status).toBe(200);
    expect((await api(1, '10.0.0.7', good)).status).toBe(200);
  });

  it('counts bad web logins too, and forgets failures older than the window', async () => {
    const login = async (client: string) => {
      const page = await apps[0]!.request('/login', { headers: { 'x-test-client': client } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      return apps[0]!.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-test-client': client, cookie },
        body: new URLSearchParams({ _csrf: csrf, token: 'bad-token-123456' }).toString(),
      });
    };
    for (let i = 0; i < 3; i++) expect((await login('10.0.0.9')).status).toBe(401);
    expect((await api(1, '10.0.0.9', 'xc_wrong-last-cccccccccccccccc')).status).toBe(401);
    expect((await api(0, '10.0.0.9', good)).status).toBe(429);
    expect((await login('10.0.0.9')).status).toBe(429);

    // Three failures, then the window passes: the count starts again.
    for (let i = 0; i < 3; i++) expect((await api(1, '10.0.0.10', `xc_wrong-${i}-bbbbbbbbbbbbbbbb`)).status).toBe(401);
    at = new Date(at.getTime() + 601_000);
    for (let i = 0; i < 3; i++) expect((await api(0, '10.0.0.10', `xc_wrong-${i}-dddddddddddddddd`)).status).toBe(401);
    expect((await api(0, '10.0.0.10', good)).status).toBe(200);
  });
});
