import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, endpointState, findings, systems, usageDays } from '../../src/db/schema/index.js';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { campaignInventory, createCampaign, systemId, testClock } from '../campaigns/fixtures.js';
import { csrfOf, FormClient, linksOf } from './client.js';

/** Two classic payloads: a script element, and an attribute break-out. */
const P1 = '<script>alert(1)</script>';
const P2 = '"><img src=x onerror=alert(1)>';
const E1 = '&lt;script&gt;alert(1)&lt;/script&gt;';
const E2 = '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;';
const URL_PAYLOAD = 'http://x.example/?q="><svg/onload=alert(1)>';

/** The page shows the payload only escaped: no live markup from it, and no script at all. */
function assertEscaped(html: string, where: string, expectShown: Array<'P1' | 'P2'> = ['P1', 'P2']) {
  expect(html, where).not.toContain(P1);
  expect(html, where).not.toContain('<img src=x');
  expect(html, where).not.toContain('<svg/onload');
  expect(html, where).not.toMatch(/<script/i);
  // No element carries an event handler: drop quoted attribute values (escaping keeps `"` out of them), then look inside tags.
  expect(html.replace(/"[^"]*"/g, '""'), where).not.toMatch(/<[^>]*\son[a-z]+=/i);
  if (expectShown.includes('P1')) expect(html, `${where}: the escaped ${P1}`).toContain(E1);
  if (expectShown.includes('P2')) expect(html, `${where}: the escaped ${P2}`).toContain(E2);
}

describe.each(backends)('every free-text field is escaped on every page, on %s', (backend) => {
  let t: TestApp;
  const clock = testClock('2026-03-02T02:00:00Z');
  let campaignId: number;
  let links: Map<string, string>;
  let ops: FormClient;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestApp(backend, { now: clock.now });
    await campaignInventory(t);
    const dept = { code: 'XSS-D', name: `${P1}${P2}`, shortName: P2, level: 'county', kind: 'government', parentCode: '371300' };
    expect((await t.call('POST', '/api/v1/departments', { body: dept })).status).toBe(201);
    const full = {
      code: 'XSS-1',
      name: `${P1} ${P2}`,
      departmentCode: 'XSS-D',
      operatorUnit: P1,
      contractor: P2,
      contact: { name: P1, phone: '0539-1', email: 'a@b.cn' },
      description: `${P1}\n${P2}`,
      tags: [P2],
      endpoints: [{ url: 'http://xss.example/', role: 'portal' }],
    };
    expect((await t.call('POST', '/api/v1/systems', { body: full })).status).toBe(201);
    for (const code of ['XSS-2', 'XSS-3']) {
      expect((await t.call('POST', '/api/v1/systems', { body: { code, name: `${code} ${P2}`, departmentCode: 'XSS-D' } })).status).toBe(201);
    }
    for (const code of ['XSS-1', 'XSS-2', 'XSS-3', 'LZ-PORTAL']) ids[code] = await systemId(t, code);

    // Evidence and verdict fields written by other parts of the service.
    const db = t.database.db;
    await db.update(systems).set({ status: 'semi_zombie', statusReasons: [{ code: P1, detail: P2, since: '2026-02-01' }] }).where(eq(systems.id, ids['XSS-1']!));
    const [ep] = await db.select({ id: endpoints.id }).from(endpoints).where(eq(endpoints.systemId, ids['XSS-1']!));
    await db.insert(endpointState).values({ endpointId: ep!.id, systemId: ids['XSS-1']!, lastOutcome: P2, lastProbeAt: clock.now(), ipv6: { grade: P1, aaaa: true, reasons: [P2, { code: P1 }] }, ipv6At: clock.now() });
    // A hostile metric name, as a database written by something else could hold: the pages must escape it.
    await db.insert(usageDays).values({ systemId: ids['XSS-1']!, day: '2026-03-01', metric: P1 as 'visits', source: 'push', value: 3 });
    const [deptRow] = await db.select({ departmentId: systems.departmentId }).from(systems).where(eq(systems.id, ids['XSS-1']!));
    for (const status of ['open', 'answered', 'closed'] as const) {
      await db.insert(findings).values({
        systemId: ids['XSS-1']!,
        departmentId: deptRow!.departmentId,
        status,
        verdict: 'semi_zombie',
        reasons: [{ code: P1 }],
        policyVersion: 'test',
        evidence: {},
        evidenceSha256: 'x',
        openedAt: clock.now(),
        deadline: '2026-04-01',
        answer: { action: P2, justification: P1, by: P2 },
        closeNote: `${P1}${P2}`,
      });
    }

    campaignId = await createCampaign(t, { name: `${P1}${P2}`, deadline: '2026-03-20', scope: { counties: ['XSS-D'], departments: ['371311'] } });
    links = await linksOf(t, campaignId);
    const b = new FormClient(t);
    const path = links.get('XSS-D')!;
    const official = { official_name: P1, official_phone: '0539-8123456' };
    const answered = await b.submit(path, path, {
      ...official,
      [`action_${ids['XSS-1']}`]: 'confirm',
      [`note_${ids['XSS-1']}`]: P2,
      [`action_${ids['XSS-2']}`]: 'transfer',
      [`to_${ids['XSS-2']}`]: '371311',
      [`note_${ids['XSS-2']}`]: `${P1}${P2}`,
      [`action_${ids['XSS-3']}`]: 'retire',
      [`note_${ids['XSS-3']}`]: `${P1}${P2}`,
    });
    expect(answered.res.status).toBe(303);
    const missing = await b.submit(path, `${path}/missing`, { ...official, name: P1, url: URL_PAYLOAD, note: P2 });
    expect(missing.res.status).toBe(303);

    ops = new FormClient(t);
    const name = `${P1}${P2}`.slice(0, 100);
    const token = (await (await t.call('POST', '/api/v1/tokens', { body: { role: 'admin', name } })).json()).token;
    expect((await ops.login(token)).status).toBe(303);
  });
  afterAll(() => t.close());

  it('inventory (names, department names, tags via search, token name in the header)', async () => {
    const page = await ops.get('/inventory');
    assertEscaped(page.html, '/inventory');
    const search = await ops.get(`/inventory?q=${encodeURIComponent(P2)}`);
    assertEscaped(search.html, '/inventory?q=', ['P2']);
    const bad = await ops.get(`/inventory?department=${encodeURIComponent(P1)}`);
    expect(bad.res.status).toBe(400);
    assertEscaped(bad.html, '/inventory?department=', ['P1']);
  });

  it('system page (every field, reasons, endpoint state, IPv6, usage, findings, campaign answers)', async () => {
    const page = await ops.get('/systems/XSS-1');
    expect(page.res.status).toBe(200);
    assertEscaped(page.html, '/systems/XSS-1');
    expect(page.html).toContain(`${E1}\n${E2}`);
  });

  it('findings board (reasons, answers, justifications, closing notes)', async () => {
    assertEscaped((await ops.get('/findings')).html, '/findings');
  });

  it('campaign list and progress (campaign and department names, transfer notes, missing reports, links)', async () => {
    assertEscaped((await ops.get('/campaigns')).html, '/campaigns');
    const page = await ops.get(`/campaigns/${campaignId}`);
    assertEscaped(page.html, `/campaigns/${campaignId}`);
    expect(page.html).toContain('href="http://x.example/?q=&quot;&gt;&lt;svg/onload=alert(1)&gt;"');
  });

  it('department confirmation page (answers, notes, official names, missing reports)', async () => {
    const b = new FormClient(t);
    const path = links.get('XSS-D')!;
    assertEscaped((await b.get(path)).html, 'confirm page');
    // The official name is remembered and filled in again, escaped in the attribute.
    await b.submit(path, `${path}/missing`, { official_name: P1, official_phone: '0539-8123456', name: P2 });
    const page = await b.get(path);
    assertEscaped(page.html, 'confirm page');
    expect(page.html).toContain(`value="${E1}"`);
    const correct = await b.get(`${links.get('XSS-D')}/systems/${ids['XSS-1']}`);
    assertEscaped(correct.html, 'correction page');
  });

  it('receiving department page (incoming transfer with a hostile note and sender name)', async () => {
    assertEscaped((await new FormClient(t).get(links.get('371311')!)).html, 'receiver page');
  });

  it('forms shown again after an error keep the input escaped', async () => {
    const b = new FormClient(t);
    const path = links.get('XSS-D')!;
    const again = await b.submit(path, path, { official_name: P2, official_phone: P1, [`action_${ids['XSS-1']}`]: 'confirm' });
    expect(again.res.status).toBe(400);
    assertEscaped(again.html, 'confirm page with errors');
    const create = await ops.submit('/campaigns', '/campaigns', { name: P2, deadline: '2026-06-30', departments: P1 });
    expect(create.res.status).toBe(400);
    assertEscaped(create.html, 'campaign form with errors', ['P2']);
    const login = await new FormClient(t).get(`/login?next=${encodeURIComponent(`/x${P2}`)}`);
    expect(login.html).not.toContain('<img src=x');
  });

  it('English pages escape the same way', async () => {
    const page = await ops.get('/systems/XSS-1?lang=en');
    assertEscaped(page.html, '/systems/XSS-1?lang=en');
    await ops.get('/inventory?lang=zh');
  });

  it('the login page shows no user data and the admin token never appears in pages', async () => {
    const b = new FormClient(t);
    await b.login(ADMIN);
    for (const path of ['/inventory', '/systems/XSS-1', '/findings', '/campaigns', `/campaigns/${campaignId}`, '/reports']) {
      const { html } = await b.get(path);
      expect(html).not.toContain(ADMIN);
      expect(html).not.toMatch(/<script/i);
    }
    expect(csrfOf((await b.get('/inventory')).html)).toBeTruthy();
  });
});
