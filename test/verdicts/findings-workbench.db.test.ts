import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/tokens.js';
import { findings, systems } from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { explainDecommission, listFindings, notifyFindings, patchFinding } from '../../src/verdicts/findings.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TZ, cityFixture } from './fixture.js';

const auditor: Principal = { tokenId: null, name: '审计员', role: 'auditor', departmentId: null, departmentPath: null, departmentCode: null };
const viewer: Principal = { ...auditor, name: 'viewer', role: 'viewer' };

/** The findings service as the workbench pages use it: county filter with a total, bulk notify, why a close waits. */
describe.each(backends)('findings for the workbench on %s', (backend) => {
  let t: TestApp;
  const ctx = { now: NOW, timeZone: TZ };
  const idOf: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    const rows = await t.database.db.select({ id: findings.id, code: systems.code }).from(findings).innerJoin(systems, eq(systems.id, findings.systemId));
    for (const r of rows) idOf[r.code] = r.id;
  });
  afterAll(() => t?.close());

  it('filters by county (its government and every bureau under it) and counts the whole filter', async () => {
    const db = t.database.db;
    const all = await listFindings(db, auditor, { limit: 100, withTotal: true }, ctx);
    expect(all.total).toBe(all.items.length);
    const lanshan = await listFindings(db, auditor, { county: '371302', limit: 1, withTotal: true }, ctx);
    const codes = (await listFindings(db, auditor, { county: '371302', limit: 100 }, ctx)).items.map((f) => f.systemCode).sort();
    expect(codes).toEqual(['DEAD', 'FLAKY']);
    // A page of one still counts both.
    expect(lanshan).toMatchObject({ total: 2 });
    expect(lanshan.items).toHaveLength(1);
    expect(lanshan.nextCursor).not.toBeNull();
    await expect(listFindings(db, auditor, { county: 'NOPE', limit: 10 }, ctx)).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('notifies several cases at once, listing (not throwing) the ones that cannot be', async () => {
    const db = t.database.db;
    const ids = [idOf.DEAD!, idOf.FLAKY!];
    const first = await notifyFindings(db, { principal: auditor }, ids, ctx);
    expect(first).toEqual({ notified: ids, refused: [] });
    const again = await notifyFindings(db, { principal: auditor }, ids, ctx);
    expect(again.notified).toEqual([]);
    expect(again.refused.map((r) => [r.id, r.code])).toEqual(ids.map((id) => [id, 'conflict']));
    await expect(notifyFindings(db, { principal: viewer }, ids, ctx)).rejects.toBeInstanceOf(AppError);
  });

  it('says why a decommission cannot be closed yet, in either language', async () => {
    const db = t.database.db;
    const id = idOf.DEAD!;
    expect(await explainDecommission(db, auditor, id, 'zh')).toEqual({ stale: [], decision: null, summary: [] });
    await patchFinding(db, { principal: auditor }, id, { action: 'answer', answer: { type: 'decommission' } }, undefined, { ...ctx, now: new Date(NOW.getTime() + 60_000) });
    const why = await explainDecommission(db, auditor, id, 'zh');
    expect(why).toEqual({ stale: ['http://edu.lanshan.example/'], decision: null, summary: [] });
    await expect(patchFinding(db, { principal: auditor }, id, { action: 'close' }, undefined, ctx)).rejects.toMatchObject({ code: 'conflict', errors: [{ path: 'endpoints', message: 'http://edu.lanshan.example/' }] });
  });
});
