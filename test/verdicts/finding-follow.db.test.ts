import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingFollowUp } from '../../reports/findings.js';
import { departments, findings, systems, transfers } from '../../src/db/schema/index.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TZ, cityFixture, ids, probeDayRows } from './fixture.js';

describe('findingFollowUp (pure)', () => {
  it('escalates on a worse verdict, adds newly established reasons, and never softens a finding', () => {
    expect(findingFollowUp({ verdict: 'semi_zombie', reasonCodes: ['availability_low'] }, { status: 'zombie', reasonCodes: ['unreachable'] })).toBe('escalate');
    expect(findingFollowUp({ verdict: 'zombie', reasonCodes: ['unreachable'] }, { status: 'zombie', reasonCodes: ['unreachable', 'dns_gone'] })).toBe('reasons');
    expect(findingFollowUp({ verdict: 'zombie', reasonCodes: ['unreachable', 'dns_gone'] }, { status: 'zombie', reasonCodes: ['unreachable'] })).toBeNull();
    expect(findingFollowUp({ verdict: 'zombie', reasonCodes: ['unreachable'] }, { status: 'semi_zombie', reasonCodes: ['availability_low'] })).toBeNull();
    expect(findingFollowUp({ verdict: 'semi_zombie', reasonCodes: ['availability_low'] }, { status: 'active', reasonCodes: [] })).toBeNull();
  });
});

describe.each(backends)('findings follow their system on %s', (backend) => {
  let t: TestApp;
  let clock = NOW;
  let flaky = 0;
  const tokens: Record<string, string> = {};
  const finding = async (id: number, token?: string) => t.call('GET', `/api/v1/findings/${id}`, { token });

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => clock });
    await cityFixture(t);
    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    const [row] = await t.database.db.select({ id: findings.id }).from(findings).innerJoin(systems, eq(systems.id, findings.systemId)).where(eq(systems.code, 'FLAKY'));
    flaky = row!.id;
    tokens.lanshan = await t.token('department', '371302');
    tokens.luozhuang = await t.token('department', '371311');
    tokens.dsj = await t.token('department', '371300-DSJ');
  });
  afterAll(async () => t?.close());

  it('escalates an open finding when its system becomes a zombie: verdict, reasons and a timeline entry', async () => {
    const opened = await (await finding(flaky)).json();
    expect(opened).toMatchObject({ verdict: 'semi_zombie', version: 1 });
    expect(opened.reasons.map((r: { code: string }) => r.code)).toEqual(['availability_low']);

    // From 10-10 on nothing answers: 44 days later FLAKY is unreachable.
    const s = await ids(t.database.db);
    await probeDayRows(t.database.db, s.FLAKY!.id, '2026-10-10', '2026-11-22', () => ({ probes: 24, ok: 0, outcomes: { connect_refused: 24 } }));
    clock = new Date(NOW.getTime() + 2 * 86_400_000);
    const r = await classifyAll(t.database.db, { now: clock, timeZone: TZ });
    expect(r.findingIds).toEqual([]); // no second finding for the same system
    expect(r.findingsUpdated).toContain(flaky);

    const after = await (await finding(flaky)).json();
    expect(after).toMatchObject({ verdict: 'zombie', status: 'open', version: 2, evidenceSha256: opened.evidenceSha256 });
    expect(after.reasons.map((x: { code: string }) => x.code)).toContain('unreachable');
    const entry = after.history.find((h: { action: string }) => h.action === 'escalate');
    expect(entry).toMatchObject({ actor: 'classifier (admin)', status: 'open' });
    expect(entry.note).toMatch(/^semi_zombie \(availability_low\) → zombie \(.*unreachable.*\)$/);

    // The same evidence again changes nothing.
    const again = await classifyAll(t.database.db, { now: clock, timeZone: TZ });
    expect(again.findingsUpdated).toEqual([]);
  });

  it('moves open findings with their system when departmentCode is changed; authorization follows', async () => {
    expect((await finding(flaky, tokens.lanshan)).status).toBe(200);
    expect((await finding(flaky, tokens.luozhuang)).status).toBe(403);
    const res = await t.call('PATCH', '/api/v1/systems/FLAKY', { body: { departmentCode: '371311' } });
    expect(res.status, await res.clone().text()).toBe(200);

    expect((await finding(flaky, tokens.lanshan)).status).toBe(403);
    const moved = await finding(flaky, tokens.luozhuang);
    expect(moved.status).toBe(200);
    const body = await moved.json();
    expect(body).toMatchObject({ departmentCode: '371311' });
    expect(body.history.find((h: { action: string }) => h.action === 'transfer')).toMatchObject({ note: '371302 → 371311' });
    // The old owner can no longer answer; the new one can.
    const answer = { action: 'answer', answer: { type: 'decommission', dueBy: '2026-12-31' } };
    expect((await t.call('PATCH', `/api/v1/findings/${flaky}`, { token: tokens.lanshan, body: answer })).status).toBe(403);
    const list = await (await t.call('GET', '/api/v1/findings', { token: tokens.luozhuang })).json();
    expect(list.items.map((f: { id: number }) => f.id)).toContain(flaky);
  });

  it('moves open findings with their system on an accepted transfer; authorization follows', async () => {
    const { db } = t.database;
    const dept = async (code: string) => (await db.select({ id: departments.id }).from(departments).where(eq(departments.code, code)))[0]!.id;
    const [sys] = await db.select({ id: systems.id }).from(systems).where(eq(systems.code, 'FLAKY'));
    const [tr] = await db
      .insert(transfers)
      .values({ systemId: sys!.id, fromDepartmentId: await dept('371311'), toDepartmentId: await dept('371300-DSJ'), state: 'pending', requestedBy: '罗庄区' })
      .returning({ id: transfers.id });
    const res = await t.call('POST', `/api/v1/transfers/${tr!.id}/accept`, { body: { note: '划转市大数据局' } });
    expect(res.status, await res.clone().text()).toBeLessThan(300);

    expect((await finding(flaky, tokens.luozhuang)).status).toBe(403);
    const moved = await finding(flaky, tokens.dsj);
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ departmentCode: '371300-DSJ' });
    const answer = { action: 'answer', answer: { type: 'decommission', dueBy: '2026-12-31' } };
    expect((await t.call('PATCH', `/api/v1/findings/${flaky}`, { token: tokens.luozhuang, body: answer })).status).toBe(403);
    expect((await t.call('PATCH', `/api/v1/findings/${flaky}`, { body: { action: 'notify' } })).status).toBe(200);
    const ok = await t.call('PATCH', `/api/v1/findings/${flaky}`, { token: tokens.dsj, body: answer });
    expect(ok.status, await ok.clone().text()).toBe(200);
  });
});
