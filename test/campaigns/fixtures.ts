import { eq } from 'drizzle-orm';
import { campaignItems, systems, transfers } from '../../src/db/schema/index.js';
import type { TestApp } from '../support/app.js';
import { smallInventory } from '../support/inventory.js';

/**
 * smallInventory plus: 兰山区 gets a second system, a retired one and an education bureau with a
 * system; the city gets a big-data bureau with a system (outside the usual campaign scope).
 *
 *   371300 临沂市人民政府 ─ 371300-DSJ 临沂市大数据局 (CITY-DATA)
 *   ├ 371302 兰山区 (LS-PORTAL, LS-GIS, LS-OLD retired) ─ 371302-001 兰山街道 (LS-OA), 371302-JY 兰山区教育局 (LS-EDU)
 *   └ 371311 罗庄区 (LZ-PORTAL)
 */
export async function campaignInventory(t: TestApp): Promise<void> {
  await smallInventory(t);
  const depts = [
    { code: '371302-JY', name: '兰山区教育局', level: 'county', kind: 'department', parentCode: '371302' },
    { code: '371300-DSJ', name: '临沂市大数据局', level: 'city', kind: 'department', parentCode: '371300' },
  ];
  for (const body of depts) {
    const res = await t.call('POST', '/api/v1/departments', { body });
    if (res.status !== 201) throw new Error(`department ${body.code}: ${res.status} ${await res.text()}`);
  }
  const more = [
    { code: 'LS-GIS', name: '兰山区地理信息平台', departmentCode: '371302', contractor: '旧承建商' },
    { code: 'LS-OLD', name: '兰山区旧网站', departmentCode: '371302', lifecycle: 'retired' },
    { code: 'LS-EDU', name: '兰山区教育资源平台', departmentCode: '371302-JY' },
    { code: 'CITY-DATA', name: '临沂市数据共享交换平台', departmentCode: '371300-DSJ' },
  ];
  for (const body of more) {
    const res = await t.call('POST', '/api/v1/systems', { body });
    if (res.status !== 201) throw new Error(`system ${body.code}: ${res.status} ${await res.text()}`);
  }
}

export async function systemId(t: TestApp, code: string): Promise<number> {
  const [row] = await t.database.db.select({ id: systems.id }).from(systems).where(eq(systems.code, code));
  if (!row) throw new Error(`no system ${code}`);
  return row.id;
}

/** State of every item of a campaign, by system code. */
export async function itemStates(t: TestApp, campaignId: number): Promise<Record<string, string>> {
  const rows = await t.database.db
    .select({ code: systems.code, state: campaignItems.state })
    .from(campaignItems)
    .innerJoin(systems, eq(systems.id, campaignItems.systemId))
    .where(eq(campaignItems.campaignId, campaignId));
  return Object.fromEntries(rows.map((r) => [r.code, r.state]));
}

export async function transferRows(t: TestApp) {
  return t.database.db.select().from(transfers).orderBy(transfers.id);
}

export async function auditCount(t: TestApp): Promise<number> {
  const res = await t.call('GET', '/api/v1/audit?limit=1000');
  return ((await res.json()) as { items: unknown[] }).items.length;
}

export async function createCampaign(t: TestApp, body: unknown): Promise<number> {
  const res = await t.call('POST', '/api/v1/campaigns', { body });
  if (res.status !== 201) throw new Error(`campaign: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

/** A settable clock for the app under test. */
export function testClock(iso: string) {
  let at = new Date(iso);
  return {
    now: () => new Date(at),
    set(next: string) {
      at = new Date(next);
    },
  };
}
