import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_VERSION } from '../../reports/policy.js';
import { auditLog, policies, statusHistory, systemPolicies, systems } from '../../src/db/schema/index.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TZ, cityFixture } from './fixture.js';

describe.each(backends)('policies over HTTP on %s', (backend) => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const count = async (table: typeof policies | typeof systemPolicies) => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
    tokens.auditor = await t.token('auditor');
    tokens.viewer = await t.token('viewer');
    tokens.dept = await t.token('department', '371302');
  });
  afterAll(async () => t?.close());

  it('lists the default as effective before anything is stored, and stores it on first classification', async () => {
    const before = await (await t.call('GET', '/api/v1/policies', { token: tokens.viewer })).json();
    expect(before).toEqual({ items: [], active: null, effective: DEFAULT_POLICY_VERSION });
    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    const after = await (await t.call('GET', '/api/v1/policies')).json();
    expect(after.active).toBe(DEFAULT_POLICY_VERSION);
    expect(after.items).toHaveLength(1);
    expect(after.items[0].body.zombie).toEqual({ unreachableDays: 30, dnsGoneDays: 7, noUsageDays: 90, noContentChangeDays: 180 });
  });

  it('refuses a policy with wrong types or unknown fields: 400 with every field path, nothing stored', async () => {
    const res = await t.call('POST', '/api/v1/policies', {
      token: tokens.auditor,
      body: { version: '2026-12-bad', zombie: { unreachableDays: 'thirty' }, semiZombie: { availabilityMin: 1.5 }, probes: { minDayz: 3 } },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const p = await res.json();
    expect(p.code).toBe('validation_failed');
    expect(p.errors.map((e: { path: string }) => e.path)).toEqual(['probes.minDayz', 'semiZombie.availabilityMin', 'zombie.unreachableDays']);
    expect(p.errors.find((e: { path: string }) => e.path === 'probes.minDayz').message).toBe('unknown field');

    const noVersion = await t.call('POST', '/api/v1/policies', { token: tokens.auditor, body: { zombie: { unreachableDays: 20 } } });
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).errors[0].path).toBe('version');
    expect((await t.call('POST', '/api/v1/policies', { token: tokens.auditor, body: [1, 2] })).status).toBe(400);
    expect((await t.call('POST', '/api/v1/policies', { token: tokens.auditor, rawBody: '{"version":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect(await count(policies)).toBe(1);
  });

  it('stores a new version inactive, refuses a duplicate version, and activates on request (admin, auditor only)', async () => {
    for (const token of [tokens.viewer, tokens.dept]) {
      expect((await t.call('POST', '/api/v1/policies', { token, body: { version: '2026-12-strict' } })).status).toBe(403);
    }
    const created = await t.call('POST', '/api/v1/policies', { token: tokens.auditor, body: { version: '2026-12-strict', zombie: { unreachableDays: 14 } } });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await created.json()).toMatchObject({ version: '2026-12-strict', active: false, body: { zombie: { unreachableDays: 14, dnsGoneDays: 7 } } });
    expect((await t.call('POST', '/api/v1/policies', { token: tokens.auditor, body: { version: '2026-12-strict' } })).status).toBe(409);

    expect((await t.call('POST', '/api/v1/policies/2026-12-strict/activate', { token: tokens.viewer })).status).toBe(403);
    expect((await t.call('POST', '/api/v1/policies/nope/activate', { token: tokens.auditor })).status).toBe(404);
    const act = await t.call('POST', '/api/v1/policies/2026-12-strict/activate', { token: tokens.auditor });
    expect(act.status).toBe(200);
    const list = await (await t.call('GET', '/api/v1/policies')).json();
    expect(list.active).toBe('2026-12-strict');
    expect(list.items.filter((p: { active: boolean }) => p.active)).toHaveLength(1);

    const r = await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    expect(r.policyVersion).toBe('2026-12-strict');
    const latest = await t.database.db.select({ v: statusHistory.policyVersion }).from(statusHistory).where(eq(statusHistory.policyVersion, '2026-12-strict'));
    expect(latest).toHaveLength(7); // the policy changed, so every system gets a history row naming it

    const audit = await t.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entity, 'policy'));
    expect(audit.map((a) => a.action)).toEqual(['create', 'activate']);
    // Back to the default for the other tests.
    expect((await t.call('POST', `/api/v1/policies/${DEFAULT_POLICY_VERSION}/activate`, { token: tokens.auditor })).status).toBe(200);
  });

  it('sets a system policy: season, exemption and duplicates, validated', async () => {
    const url = '/api/v1/systems/NEW/policy';
    expect((await t.call('PUT', url, { token: tokens.dept, body: { season: 'flood_season' } })).status).toBe(403);
    const noReason = await t.call('PUT', url, { token: tokens.auditor, body: { exemptUntil: '2027-01-31' } });
    expect(noReason.status).toBe(400);
    expect((await noReason.json()).errors).toEqual([{ path: 'exemptReason', message: 'an exemption needs a reason' }]);
    const badDup = await t.call('PUT', url, { token: tokens.auditor, body: { duplicates: ['ALIVE', 'NO-SUCH', 'NEW'] } });
    expect(badDup.status).toBe(400);
    expect((await badDup.json()).errors.map((e: { path: string }) => e.path).sort()).toEqual(['duplicates[1]', 'duplicates[2]']);
    expect((await t.call('PUT', url, { token: tokens.auditor, body: { exemptUntil: '2027-02-30', exemptReason: 'x' } })).status).toBe(400);
    expect((await t.call('PUT', '/api/v1/systems/NOPE/policy', { token: tokens.auditor, body: {} })).status).toBe(404);
    expect(await count(systemPolicies)).toBe(0);

    const ok = await t.call('PUT', url, { token: tokens.auditor, body: { season: 'flood_season', exemptUntil: '2027-01-31', exemptReason: '试运行期', duplicates: ['ALIVE'] } });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await ok.json()).toMatchObject({ systemCode: 'NEW', season: 'flood_season', exemptUntil: '2027-01-31', exemptReason: '试运行期', duplicates: ['ALIVE'] });
    expect(await (await t.call('GET', url, { token: tokens.dept })).json()).toMatchObject({ exemptUntil: '2027-01-31' });

    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    const [sys] = await t.database.db.select({ status: systems.status, reasons: systems.statusReasons }).from(systems).where(eq(systems.code, 'NEW'));
    expect(sys!.status).toBe('exempt');
    // The reason the exemption covers is still recorded.
    expect((sys!.reasons as { code: string }[]).map((r) => r.code)).toContain('duplicate_function');
  });
});
