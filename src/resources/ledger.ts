import { eq, inArray } from 'drizzle-orm';
import { requirePermission } from '../auth/access.js';
import { recordAudit, type Actor } from '../audit/index.js';
import type { Db } from '../db/client.js';
import { cloudResources, RESOURCE_KINDS, systems, type ResourceKind } from '../db/schema/index.js';
import { rowErrors, type ImportRowError } from '../inventory/import/index.js';
import { parseDate } from '../inventory/spreadsheet.js';
import { isCalendarDay, readSheet, RowReader, type SheetColumn } from './sheet.js';

/**
 * Import of the 政务云 resource ledger (资源台账), .xlsx or .csv with Chinese headers: all rows or none, like
 * the inventory import. Rows upsert on the cloud's resource id; a row with no system is an orphan; a row
 * naming a system the inventory does not have, a duplicate resource id, a bad kind or number is a row
 * error (row, column, message) and nothing is written. Resources not in the file are left as they are.
 */

type LedgerKey = 'externalId' | 'kind' | 'name' | 'systemCode' | 'systemName' | 'vcpu' | 'memoryGb' | 'storageGb' | 'bandwidthMbps' | 'monthlyCost' | 'since' | 'until';

export const LEDGER_COLUMNS: readonly SheetColumn<LedgerKey>[] = [
  { key: 'externalId', headers: ['资源ID', '云资源ID', '实例ID', '资源编号', 'externalId', 'resourceId'], required: true },
  { key: 'kind', headers: ['资源类型', '类型', 'kind'], required: true },
  { key: 'name', headers: ['资源名称', '实例名称', 'name'] },
  { key: 'systemCode', headers: ['系统编码', '所属系统编码', '系统编号', 'systemCode'] },
  { key: 'systemName', headers: ['所属系统', '系统名称', 'systemName'] },
  { key: 'vcpu', headers: ['vCPU', 'CPU', 'CPU核数', 'vCPU核数', 'vcpu'] },
  { key: 'memoryGb', headers: ['内存', '内存容量', 'memoryGb', 'memory'] },
  { key: 'storageGb', headers: ['存储', '磁盘', '存储容量', '磁盘容量', 'storageGb', 'storage'] },
  { key: 'bandwidthMbps', headers: ['带宽', 'bandwidthMbps', 'bandwidth'] },
  { key: 'monthlyCost', headers: ['月费用', '月租费用', '费用', 'monthlyCost'] },
  { key: 'since', headers: ['开通日期', '开通时间', '申请日期', 'since'] },
  { key: 'until', headers: ['释放日期', '退订日期', '回收日期', 'until'] },
];

const KIND_WORDS: Record<string, ResourceKind> = {
  云主机: 'vm', 虚拟机: 'vm', 云服务器: 'vm', 弹性云服务器: 'vm', ecs: 'vm', vm: 'vm',
  数据库: 'database', 云数据库: 'database', rds: 'database', database: 'database',
  存储: 'storage', 云硬盘: 'storage', 块存储: 'storage', 对象存储: 'storage', 文件存储: 'storage', oss: 'storage', obs: 'storage', storage: 'storage',
  带宽: 'bandwidth', 公网带宽: 'bandwidth', 弹性公网ip: 'bandwidth', eip: 'bandwidth', bandwidth: 'bandwidth',
  其他: 'other', 其它: 'other', other: 'other',
};

export interface LedgerImportSummary {
  dryRun: boolean;
  format: 'xlsx' | 'csv';
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows tied to no system. */
  orphans: number;
  errors: ImportRowError[];
  errorCount: number;
}

type LedgerRow = Omit<typeof cloudResources.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

export async function importLedger(db: Db, actor: Actor, input: { bytes: Uint8Array; fileName?: string; contentType?: string; dryRun?: boolean; now?: Date }): Promise<LedgerImportSummary> {
  requirePermission(actor.principal, 'resources.import');
  const fileName = input.fileName ?? 'the file';
  const sheet = await readSheet(input.bytes, input, LEDGER_COLUMNS, true);
  const dryRun = input.dryRun ?? false;
  const now = input.now ?? new Date();

  const run = async (tx: Db): Promise<LedgerImportSummary> => {
    const errors: ImportRowError[] = [...sheet.errors];
    const parsed: Array<{ row: number; values: LedgerRow }> = [];
    if (!sheet.fatal) {
      const codes = new Map<string, number>();
      const names = new Map<string, number[]>();
      for (const s of await tx.select({ id: systems.id, code: systems.code, name: systems.name }).from(systems)) {
        codes.set(s.code, s.id);
        names.set(s.name, [...(names.get(s.name) ?? []), s.id]);
      }
      const seen = new Map<string, number>();
      for (const row of sheet.rows) {
        const rowErrs: ImportRowError[] = [];
        const r = new RowReader(sheet, row, rowErrs);
        const externalId = r.text('externalId');
        if (externalId === null) r.fail('externalId', 'required: the cloud resource id');
        else if (/[\s/?#]/.test(externalId) || externalId.length > 200) r.fail('externalId', 'a resource id has no spaces, /, ? or # and at most 200 characters');
        else if (seen.has(externalId)) r.fail('externalId', `duplicate resource id ${externalId} (also in row ${seen.get(externalId)})`);
        else seen.set(externalId, row.number);
        const kindText = r.text('kind');
        const kind = kindText === null ? undefined : KIND_WORDS[kindText.normalize('NFKC').replace(/\s+/g, '').toLowerCase()];
        if (kindText === null) r.fail('kind', `required: one of ${RESOURCE_KINDS.join(', ')} (云主机, 数据库, 存储, 带宽, 其他)`);
        else if (!kind) r.fail('kind', `unknown kind "${kindText.slice(0, 40)}": one of 云主机, 数据库, 存储, 带宽, 其他 (${RESOURCE_KINDS.join(', ')})`);
        let systemId: number | null = null;
        const code = r.text('systemCode');
        const sysName = r.text('systemName');
        if (code !== null) {
          const id = codes.get(code);
          if (id === undefined) r.fail('systemCode', `unknown system ${code}: register it in the inventory first, or leave the cell empty for a resource of no system`);
          else systemId = id;
        } else if (sysName !== null) {
          const ids = names.get(sysName) ?? [];
          if (ids.length === 1) systemId = ids[0]!;
          else r.fail('systemName', ids.length ? `${ids.length} systems are named "${sysName}": give the system code (系统编码)` : `unknown system "${sysName}": register it in the inventory first, or give its code`);
        }
        const vcpu = r.number('vcpu', { max: 100_000 });
        const memoryGb = r.number('memoryGb', { max: 10_000_000 });
        const storageGb = r.number('storageGb', { max: 100_000_000 });
        const bandwidthMbps = r.number('bandwidthMbps', { max: 10_000_000 });
        const monthlyCost = r.number('monthlyCost', { max: 1e12 });
        const date = (key: 'since' | 'until') => {
          const d = parseDate(r.cell(key));
          if (!d.ok) r.fail(key, d.message);
          else if (d.value !== null && !isCalendarDay(d.value)) {
            r.fail(key, `${d.value} is not a calendar day`);
            return null;
          }
          return d.ok ? d.value : null;
        };
        const since = date('since');
        const until = date('until');
        if (since && until && until < since) r.fail('until', `released on ${until}, before it was allocated (${since})`);
        errors.push(...rowErrs);
        if (rowErrs.length || externalId === null || !kind) continue;
        parsed.push({
          row: row.number,
          values: { externalId, kind, name: r.text('name'), systemId, vcpu: vcpu ?? 0, memoryGb: memoryGb ?? 0, storageGb: storageGb ?? 0, bandwidthMbps, monthlyCost, since, until },
        });
      }
    }
    const ids = parsed.map((p) => p.values.externalId);
    const existing = new Map<string, typeof cloudResources.$inferSelect>();
    for (let i = 0; i < ids.length; i += 5000) {
      const q = tx.select().from(cloudResources).where(inArray(cloudResources.externalId, ids.slice(i, i + 5000)));
      for (const e of await (dryRun ? q : q.for('update'))) existing.set(e.externalId, e);
    }
    const creates: LedgerRow[] = [];
    const updates: Array<{ id: number; before: typeof cloudResources.$inferSelect; values: LedgerRow }> = [];
    let unchanged = 0;
    for (const p of parsed) {
      const e = existing.get(p.values.externalId);
      if (!e) creates.push(p.values);
      else if ((Object.keys(p.values) as Array<keyof LedgerRow>).every((k) => (e[k] ?? null) === (p.values[k] ?? null))) unchanged++;
      else updates.push({ id: e.id, before: e, values: p.values });
    }
    const summary: LedgerImportSummary = {
      dryRun,
      format: sheet.format,
      rows: sheet.rows.length,
      created: creates.length,
      updated: updates.length,
      unchanged,
      orphans: parsed.filter((p) => p.values.systemId === null).length,
      errors: errors.slice(0, 1000),
      errorCount: errors.length,
    };
    if (dryRun) return summary;
    if (errors.length) throw rowErrors(fileName, errors);
    for (let i = 0; i < creates.length; i += 1000) await tx.insert(cloudResources).values(creates.slice(i, i + 1000));
    for (const u of updates) await tx.update(cloudResources).set({ ...u.values, updatedAt: now }).where(eq(cloudResources.id, u.id));
    await recordAudit(tx, actor, [
      ...creates.map((c) => ({ action: 'import', entity: 'resource', entityId: c.externalId, after: c })),
      ...updates.map((u) => ({ action: 'import', entity: 'resource', entityId: u.values.externalId, before: u.before, after: u.values })),
    ]);
    return summary;
  };
  return dryRun ? run(db) : db.transaction((tx) => run(tx));
}
