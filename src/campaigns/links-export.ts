import { and, asc, eq, isNotNull, or } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import { newWorkbook } from '../excel.js';
import { requirePermission } from '../auth/access.js';
import type { InstanceKeys } from '../auth/keys.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { campaignItems, departments, systems } from '../db/schema/index.js';
import { escapeFormula } from '../inventory/spreadsheet.js';
import { campaignLinks, findCampaign } from './service.js';

/**
 * A campaign's links as a sheet for sending by 政务微信 or mail: department, contact, link, deadline.
 * The contact is whoever answered for the department last, else the contacts of its systems.
 * Links are credentials: ops only (campaignLinks checks it).
 */
export interface LinkSheetRow {
  departmentCode: string;
  departmentName: string;
  contact: string;
  url: string;
  deadline: string;
  expiresAt: string;
}

export async function campaignLinkRows(db: Db, principal: Principal, keys: InstanceKeys, id: number, baseUrl: string): Promise<LinkSheetRow[]> {
  requirePermission(principal, 'campaigns.manage');
  const campaign = await findCampaign(db, id);
  const links = await campaignLinks(db, principal, keys, id, baseUrl);
  const people = await db
    .select({
      code: departments.code,
      answeredName: campaignItems.confirmedByName,
      answeredPhone: campaignItems.confirmedByPhone,
      contactName: systems.contactName,
      contactPhone: systems.contactPhone,
    })
    .from(campaignItems)
    .innerJoin(departments, eq(departments.id, campaignItems.departmentId))
    .innerJoin(systems, eq(systems.id, campaignItems.systemId))
    .where(and(eq(campaignItems.campaignId, id), or(isNotNull(campaignItems.confirmedByName), isNotNull(systems.contactName), isNotNull(systems.contactPhone))))
    .orderBy(asc(systems.code));
  const contacts = new Map<string, string[]>();
  for (const p of people) {
    const list = contacts.get(p.code) ?? [];
    const answered = [p.answeredName, p.answeredPhone].filter(Boolean).join(' ');
    const listed = [p.contactName, p.contactPhone].filter(Boolean).join(' ');
    for (const who of [answered, listed]) if (who && !list.includes(who)) list.push(who);
    contacts.set(p.code, list);
  }
  return links.map((l) => ({
    departmentCode: l.departmentCode,
    departmentName: l.departmentName,
    contact: (contacts.get(l.departmentCode) ?? []).slice(0, 3).join('；'),
    url: l.url,
    deadline: campaign.deadline,
    expiresAt: l.expiresAt,
  }));
}

export async function campaignLinksXlsx(rows: LinkSheetRow[], campaignName: string): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Xuncha';
  const ws = wb.addWorksheet('核查链接', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    { header: '部门', key: 'department', width: 30 },
    { header: '部门编码', key: 'code', width: 14 },
    { header: '联系人', key: 'contact', width: 28 },
    { header: '核查链接', key: 'url', width: 90 },
    { header: '截止日期', key: 'deadline', width: 12 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    ws.addRow({ department: escapeFormula(r.departmentName), code: escapeFormula(r.departmentCode), contact: escapeFormula(r.contact), url: r.url, deadline: r.deadline });
  }
  ws.headerFooter.oddHeader = escapeFormula(campaignName).replace(/&/g, '&&');
  return Buffer.from(await wb.xlsx.writeBuffer());
}
