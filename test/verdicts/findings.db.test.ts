import { createServer, type Server } from 'node:http';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../reports/canonical.js';
import { auditLog, findings, systemPolicies, systems } from '../../src/db/schema/index.js';
import { createNotifier } from '../../src/notify/index.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { runFindingReminders } from '../../src/verdicts/findings.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TODAY, TZ, cityFixture, ids, probeResult } from './fixture.js';

interface Received {
  event: string;
  dedupeKey: string;
  title: string;
  data: Record<string, unknown>;
}

describe.each(backends)('findings over HTTP on %s', (backend) => {
  let t: TestApp;
  let clock = NOW;
  let hook: Server;
  const received: Received[] = [];
  const tokens: Record<string, string> = {};
  const idOf: Record<string, number> = {};

  const call = (method: string, path: string, o: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) => t.call(method, path, o);
  const patch = (id: number, body: unknown, token?: string, headers: Record<string, string> = {}) => call('PATCH', `/api/v1/findings/${id}`, { body, token, headers });
  const row = async (id: number) => (await t.database.db.select().from(findings).where(eq(findings.id, id)))[0]!;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body) as Received);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    t = await startTestApp(backend, { now: () => clock });
    await cityFixture(t);
    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    const port = (hook.address() as { port: number }).port;
    const res = await call('POST', '/api/v1/webhooks', { body: { name: 'ops robot', kind: 'generic', url: `http://127.0.0.1:${port}/hook`, events: ['finding.*'] } });
    expect(res.status, await res.clone().text()).toBe(201);
    tokens.auditor = await t.token('auditor');
    tokens.viewer = await t.token('viewer');
    tokens.lanshan = await t.token('department', '371302');
    tokens.luozhuang = await t.token('department', '371311');
    tokens.dsj = await t.token('department', '371300-DSJ');
    const rows = await t.database.db.select({ id: findings.id, code: systems.code }).from(findings).innerJoin(systems, eq(systems.id, findings.systemId));
    for (const r of rows) idOf[r.code] = r.id;
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => hook?.close(r));
  });

  it('lists findings by status and department; department tokens see only their subtree', async () => {
    const all = await (await call('GET', '/api/v1/findings')).json();
    expect(all.items.map((f: { systemCode: string }) => f.systemCode).sort()).toEqual(['DEAD', 'FLAKY', 'GONE', 'ORPHAN', 'QUIET']);
    expect(all.items.every((f: { status: string; overdue: boolean }) => f.status === 'open' && f.overdue === false)).toBe(true);

    const lanshan = await (await call('GET', '/api/v1/findings', { token: tokens.lanshan })).json();
    expect(lanshan.items.map((f: { systemCode: string }) => f.systemCode).sort()).toEqual(['DEAD', 'FLAKY']);
    const byDept = await (await call('GET', '/api/v1/findings?department=371302')).json();
    expect(byDept.items.map((f: { systemCode: string }) => f.systemCode).sort()).toEqual(['DEAD', 'FLAKY']);
    const paged = await (await call('GET', '/api/v1/findings?limit=2')).json();
    expect(paged.items).toHaveLength(2);
    expect(paged.nextCursor).toBeTruthy();

    expect((await call('GET', '/api/v1/findings?status=bogus')).status).toBe(400);
    expect((await call('GET', '/api/v1/findings?department=NOPE')).status).toBe(400);
    expect((await call('GET', '/api/v1/findings', { token: null })).status).toBe(401);
  });

  it('shows a finding with its evidence pack and SHA-256; another department gets 403', async () => {
    const res = await call('GET', `/api/v1/findings/${idOf.DEAD}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const f = await res.json();
    expect(f).toMatchObject({ systemCode: 'DEAD', departmentCode: '371302-JT', verdict: 'zombie', status: 'open', evidenceVerified: true, version: 1 });
    expect(sha256Hex(canonicalJson(f.evidence))).toBe(f.evidenceSha256);
    expect(f.reasons.find((r: { code: string }) => r.code === 'unreachable').evidence).toMatchObject({ from: '2026-10-01', to: TODAY });
    expect(f.history.map((h: { action: string }) => h.action)).toEqual(['open']);

    const other = await call('GET', `/api/v1/findings/${idOf.DEAD}`, { token: tokens.luozhuang });
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await call('GET', '/api/v1/findings/999999')).status).toBe(404);
  });

  it('notifies (auditors only), with If-Match, and sends the notice to the webhooks', async () => {
    const id = idOf.GONE!;
    for (const token of [tokens.viewer, tokens.luozhuang]) {
      const res = await patch(id, { action: 'notify' }, token);
      expect(res.status).toBe(403);
    }
    expect((await row(id)).version).toBe(1);

    expect((await patch(id, { action: 'notify' }, tokens.auditor, { 'if-match': '"7"' })).status).toBe(412);
    const res = await patch(id, { action: 'notify' }, tokens.auditor, { 'if-match': '"1"' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    const f = await res.json();
    expect(f).toMatchObject({ status: 'notified', deadline: '2026-12-20', version: 2, notified: 1 });
    expect(received.at(-1)).toMatchObject({ event: 'finding.notified', dedupeKey: `finding:${id}:notified:${TODAY}` });
    expect(received.at(-1)!.title).toContain('罗庄区旧门户');

    // Notifying twice is not a legal transition: 409, nothing changed.
    const again = await patch(id, { action: 'notify' }, tokens.auditor);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('conflict');
    expect((await row(id)).version).toBe(2);
  });

  it('answers "keep": the owning department only, with a justification; the system is exempted for 6 months', async () => {
    const id = idOf.FLAKY!;
    // Not notified yet: nothing to answer.
    expect((await patch(id, { action: 'answer', answer: { type: 'keep', justification: '年度考核系统' } }, tokens.lanshan)).status).toBe(409);
    expect((await patch(id, { action: 'notify' }, tokens.auditor)).status).toBe(200);

    const wrongDept = await patch(id, { action: 'answer', answer: { type: 'keep', justification: '不是我们的' } }, tokens.luozhuang);
    expect(wrongDept.status).toBe(403);
    const viewer = await patch(id, { action: 'answer', answer: { type: 'keep', justification: 'x' } }, tokens.viewer);
    expect(viewer.status).toBe(403);
    const noReason = await patch(id, { action: 'answer', answer: { type: 'keep' } }, tokens.lanshan);
    expect(noReason.status).toBe(400);
    expect((await noReason.json()).errors).toEqual([{ path: 'answer.justification', message: 'a justification is required to keep a system' }]);
    const badType = await patch(id, { action: 'answer', answer: { type: 'burn' } }, tokens.lanshan);
    expect(badType.status).toBe(400);
    expect((await row(id))).toMatchObject({ status: 'notified', version: 2, answer: null });

    const res = await patch(id, { action: 'answer', answer: { type: 'keep', justification: '汛期使用的防汛调度系统' } }, tokens.lanshan);
    expect(res.status, await res.clone().text()).toBe(200);
    const f = await res.json();
    expect(f).toMatchObject({ status: 'answered', version: 3, answer: { action: 'keep', justification: '汛期使用的防汛调度系统', by: 'test department' } });

    const s = await ids(t.database.db);
    const [sp] = await t.database.db.select().from(systemPolicies).where(eq(systemPolicies.systemId, s.FLAKY!.id));
    expect(sp).toMatchObject({ exemptUntil: '2027-05-20' });
    expect(sp!.exemptReason).toContain('汛期使用的防汛调度系统');
    const r = await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    expect(r.counts.exempt).toBe(1);
    const [flaky] = await t.database.db.select({ status: systems.status }).from(systems).where(eq(systems.id, s.FLAKY!.id));
    expect(flaky!.status).toBe('exempt');

    const audit = await t.database.db.select().from(auditLog).where(and(eq(auditLog.entity, 'finding'), eq(auditLog.entityId, String(id)))).orderBy(asc(auditLog.id));
    expect(audit.map((a) => a.action)).toEqual(['open', 'notify', 'answer']);
    expect(audit[2]!.actor).toContain('department');
  });

  it('answers "merge" into a registered system only', async () => {
    const id = idOf.QUIET!;
    expect((await patch(id, { action: 'notify' }, tokens.auditor)).status).toBe(200);
    const unknown = await patch(id, { action: 'answer', answer: { type: 'merge', targetSystemCode: 'NO-SUCH' } }, tokens.dsj);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].path).toBe('answer.targetSystemCode');
    expect((await row(id)).status).toBe('notified');
    const res = await patch(id, { action: 'answer', answer: { type: 'merge', targetSystemCode: 'ALIVE', dueBy: '2026-12-31' } }, tokens.dsj);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'answered', answer: { action: 'merge', targetSystemCode: 'ALIVE', dueBy: '2026-12-31' }, overdue: false });
  });

  it('closes a decommission only when the latest probes show nothing left; a live endpoint reopens the case', async () => {
    const id = idOf.DEAD!;
    const { db } = t.database;
    const s = await ids(db);
    const dead = s.DEAD!;
    expect((await patch(id, { action: 'notify' }, tokens.auditor)).status).toBe(200);
    clock = new Date(NOW.getTime() + 3_600_000);
    // The county's token answers for its bureau (its subtree).
    const answered = await patch(id, { action: 'answer', answer: { type: 'decommission', dueBy: '2026-11-30' } }, tokens.lanshan);
    expect(answered.status, await answered.clone().text()).toBe(200);

    // No probe since the answer: nothing proves anything yet.
    const early = await patch(id, { action: 'close' }, tokens.auditor);
    expect(early.status).toBe(409);
    expect((await early.json()).detail).toMatch(/not probed since the decommission answer/);
    expect((await row(id)).status).toBe('answered');

    // A sweep finds the site answering again: closing reopens the case, with the reason.
    await probeResult(db, dead.id, dead.endpointId, dead.url, new Date(clock.getTime() + 600_000), 'ok', 200);
    clock = new Date(clock.getTime() + 3_600_000);
    const reopened = await patch(id, { action: 'close', note: '部门称已关停' }, tokens.auditor);
    expect(reopened.status, await reopened.clone().text()).toBe(200);
    const r1 = await reopened.json();
    expect(r1.status).toBe('reopened');
    expect(r1.verification.decision).toBe('reopen');
    expect(r1.verification.reasons.map((x: { code: string }) => x.code)).toContain('endpoint_live');
    expect(r1.history.at(-1)).toMatchObject({ action: 'reopen' });
    expect(r1.history.at(-1).note).toMatch(/still|live|answers|访问/i);
    const [still] = await db.select({ lifecycle: systems.lifecycle }).from(systems).where(eq(systems.id, dead.id));
    expect(still!.lifecycle).toBe('live');
    // Closing the reopened case while the site still answers: refused, nothing changed.
    const version = (await row(id)).version;
    const stillLive = await patch(id, { action: 'close' }, tokens.auditor);
    expect(stillLive.status).toBe(409);
    expect((await stillLive.json()).detail).toMatch(/decommission not verified/);
    expect((await row(id))).toMatchObject({ status: 'reopened', version });

    // Answered again; this time the name is gone.
    clock = new Date(clock.getTime() + 3_600_000);
    expect((await patch(id, { action: 'answer', answer: { type: 'decommission' } }, tokens.lanshan)).status).toBe(200);
    await probeResult(db, dead.id, dead.endpointId, dead.url, new Date(clock.getTime() + 600_000), 'dns_nxdomain');
    clock = new Date(clock.getTime() + 3_600_000);
    const closed = await patch(id, { action: 'close' }, tokens.auditor);
    expect(closed.status, await closed.clone().text()).toBe(200);
    const r2 = await closed.json();
    expect(r2).toMatchObject({ status: 'closed', resolution: 'decommissioned', verification: { decision: 'verified' } });
    const [gone] = await db.select({ lifecycle: systems.lifecycle, retiredAt: systems.retiredAt }).from(systems).where(eq(systems.id, dead.id));
    expect(gone!.lifecycle).toBe('retired');
    expect(gone!.retiredAt).not.toBeNull();
    // The stored evidence never changed through all of it.
    const f = await row(id);
    expect(sha256Hex(canonicalJson(f.evidence))).toBe(f.evidenceSha256);

    // Answering a closed case: 409, nothing changed.
    const late = await patch(id, { action: 'answer', answer: { type: 'keep', justification: '还要用' } }, tokens.lanshan);
    expect(late.status).toBe(409);
    expect((await late.json()).detail).toMatch(/closed/);
    expect((await row(id)).version).toBe(f.version);

    // Auditors may reopen.
    const re = await patch(id, { action: 'reopen', reason: '复查发现新域名' }, tokens.auditor);
    expect(re.status).toBe(200);
    expect((await re.json()).status).toBe('reopened');
  });

  it('rejects malformed patches with field paths', async () => {
    const id = idOf.ORPHAN!;
    const bad = await patch(id, { action: 'explode' }, tokens.auditor);
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('validation_failed');
    expect((await patch(id, { action: 'notify', extra: 1 }, tokens.auditor)).status).toBe(400);
    expect((await call('PATCH', `/api/v1/findings/${id}`, { headers: { 'content-type': 'application/json' }, body: undefined })).status).toBe(400);
    expect((await row(id)).version).toBe(1);
  });

  it('marks overdue cases and sends each reminder stage once', async () => {
    const { db } = t.database;
    const gone = idOf.GONE!; // notified on 11-20, answer due 12-20
    clock = new Date('2026-12-15T02:00:00Z');
    const notifier = createNotifier(db, { now: () => clock });
    const before = received.length;
    const r1 = await runFindingReminders(db, clock, notifier, { timeZone: TZ });
    expect(r1.sent).toBeGreaterThanOrEqual(1);
    const keys = received.slice(before).map((x) => x.dedupeKey);
    expect(keys).toContain(`finding:${gone}:deadline:2026-12-20:reminder:7d`);
    const r2 = await runFindingReminders(db, clock, notifier, { timeZone: TZ });
    expect(r2.sent).toBe(0);
    expect(r2.duplicates).toBe(r1.sent);

    clock = new Date('2026-12-21T02:00:00Z');
    const list = await (await call('GET', '/api/v1/findings?overdue=true')).json();
    const overdue = list.items.map((f: { systemCode: string }) => f.systemCode).sort();
    // GONE and the reopened DEAD missed their answer deadlines; QUIET's announced merge (due 12-31) is not late yet.
    expect(overdue).toEqual(['DEAD', 'GONE']);
    const one = await (await call('GET', `/api/v1/findings/${gone}`)).json();
    expect(one.overdue).toBe(true);
    const r3 = await runFindingReminders(db, clock, notifier, { timeZone: TZ });
    expect(received.slice(-r3.sent).map((x) => x.dedupeKey)).toContain(`finding:${gone}:deadline:2026-12-20:reminder:overdue`);
    const [f] = await db.select({ lastReminderAt: findings.lastReminderAt }).from(findings).where(eq(findings.id, gone));
    expect(f!.lastReminderAt?.getTime()).toBe(clock.getTime());
  });
});
