import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localDay } from '../../probes/time.js';
import { addDays } from '../../reports/dates.js';
import { startServe } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A whole run of the real `xuncha serve` at LOG_LEVEL=debug: the bootstrap admin token, API tokens,
 * department links, web sessions, bad bearer values. Not one of these secrets may appear in any line
 * the process wrote (stdout is the JSON log stream; stderr is no terminal here).
 */
describe('secrets stay out of the logs', () => {
  it('a full run logs none of the secrets it created or was sent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'xuncha-secrets-'));
    dirs.push(dataDir);
    const server = await startServe({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '1', LOG_LEVEL: 'debug', SWEEP_CRON: '', REMINDER_CRON: '' }, 180_000);
    const secrets: string[] = [];
    let stopped = false;
    try {
      const tokenFile = join(dataDir, 'admin-token');
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const admin = readFileSync(tokenFile, 'utf8').trim();
      expect(admin).toMatch(/^xc_[A-Za-z0-9_-]{40,}$/);
      secrets.push(admin);
      const api = async (method: string, path: string, body?: unknown, token = admin) =>
        fetch(`${server.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });

      for (const role of ['auditor', 'viewer']) {
        const res = await api('POST', '/tokens', { role, name: `${role} for the test` });
        expect(res.status).toBe(201);
        const { token } = (await res.json()) as { token: string };
        secrets.push(token);
        expect((await api('GET', '/systems?limit=5', undefined, token)).status).toBe(200);
      }
      // Bad bearer values are secrets too: someone's mistyped (or stolen) token.
      for (const bad of ['xc_not-a-real-token-but-secret-0123456789', 'plain-secret-value-42']) {
        secrets.push(bad);
        expect((await api('GET', '/systems', undefined, bad)).status).toBe(401);
      }

      const departments = (await (await api('GET', '/departments?limit=200')).json()) as { items: Array<{ code: string; level: string }> };
      const counties = departments.items.filter((d) => d.level === 'county').map((d) => d.code).slice(0, 2);
      expect(counties.length).toBeGreaterThan(0);
      const created = await api('POST', '/campaigns', { name: '日志保密核查', deadline: addDays(localDay(new Date(), 'Asia/Shanghai'), 20), scope: { counties } });
      expect(created.status, await created.clone().text()).toBe(201);
      const { id } = (await created.json()) as { id: number };
      const links = (await (await api('GET', `/campaigns/${id}/links`)).json()) as { items: Array<{ url: string }> };
      expect(links.items.length).toBeGreaterThan(0);
      for (const link of links.items) {
        const path = new URL(link.url).pathname;
        const linkToken = path.split('/')[2]!;
        secrets.push(linkToken);
        expect((await fetch(`${server.url}${path}`)).status).toBe(200);
        expect((await fetch(`${server.url}${path}/systems/999999`)).status).toBeGreaterThanOrEqual(400);
        await fetch(`${server.url}${path}`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      }
      const forged = '1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      secrets.push(forged);
      expect((await fetch(`${server.url}/confirm/${forged}`)).status).toBeGreaterThanOrEqual(400);

      // A web sign-in: the session cookie is a credential as well.
      const loginPage = await fetch(`${server.url}/login`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
      const cookies = loginPage.headers.getSetCookie().map((c) => c.split(';')[0]!);
      const login = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') },
        body: new URLSearchParams({ _csrf: csrf, token: admin }).toString(),
      });
      expect(login.status).toBe(303);
      const session = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
      for (const c of session) secrets.push(c.slice(c.indexOf('=') + 1));
      expect((await fetch(`${server.url}/inventory`, { headers: { cookie: session.join('; ') } })).status).toBe(200);

      expect(await server.stop()).toBe(0);
      stopped = true;
      const lines = `${server.output()}\n${server.errors()}`.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(20);
      for (const secret of secrets.filter((s) => s.length >= 12)) {
        const leaking = lines.filter((l) => l.includes(secret));
        expect(leaking, `secret ${secret.slice(0, 6)}… is in the log`).toEqual([]);
      }
      // What the log does say: where the bootstrap token is, and that department pages were asked for.
      expect(lines.some((l) => l.includes(tokenFile) && !l.includes(admin))).toBe(true);
      expect(lines.some((l) => l.includes('"path":"/confirm/[redacted]"'))).toBe(true);
    } finally {
      if (!stopped) await server.stop();
    }
  }, 180_000);
});
