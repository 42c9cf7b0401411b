import { inArray } from 'drizzle-orm';
import { requirePermission } from '../auth/access.js';
import { recordAudit, type Actor } from '../audit/index.js';
import type { Db } from '../db/client.js';
import { cloudResources } from '../db/schema/index.js';
import { rowErrors, type ImportRowError } from '../inventory/import/index.js';
import { parseDate } from '../inventory/spreadsheet.js';
import { upsertUtilisation, type UtilisationRow } from './service.js';
import { isCalendarDay, readSheet, RowReader, type SheetColumn } from './sheet.js';

/**
 * Import of the cloud's monitoring export (one row per resource and day) into resource_utilisation: all
 * rows or none; the same resource and day replaces what was stored. Columns the export has beyond ours are
 * skipped. Percentages may carry a `%`; traffic is in bytes.
 */

type MonitoringKey = 'externalId' | 'date' | 'cpuAvg' | 'cpuP95' | 'cpuMax' | 'memPct' | 'netInBytes' | 'netOutBytes' | 'diskReadBytes' | 'diskWriteBytes';

export const MONITORING_COLUMNS: readonly SheetColumn<MonitoringKey>[] = [
  { key: 'externalId', headers: ['资源ID', '云资源ID', '实例ID', 'externalId', 'resourceId'], required: true },
  { key: 'date', headers: ['日期', '统计日期', '监控日期', 'date'], required: true },
  { key: 'cpuAvg', headers: ['CPU平均利用率', 'CPU平均使用率', 'CPU平均', 'cpuAvg'], required: true },
  { key: 'cpuP95', headers: ['CPU P95', 'CPU95分位', 'CPU利用率P95', 'cpuP95'], required: true },
  { key: 'cpuMax', headers: ['CPU最大利用率', 'CPU峰值', 'CPU最大', 'cpuMax'], required: true },
  { key: 'memPct', headers: ['内存利用率', '内存使用率', 'memPct'] },
  { key: 'netInBytes', headers: ['入流量', '网络流入', '网络入流量', 'netInBytes'], required: true },
  { key: 'netOutBytes', headers: ['出流量', '网络流出', '网络出流量', 'netOutBytes'], required: true },
  { key: 'diskReadBytes', headers: ['磁盘读', '磁盘读流量', 'diskReadBytes'] },
  { key: 'diskWriteBytes', headers: ['磁盘写', '磁盘写流量', 'diskWriteBytes'] },
];

export interface MonitoringImportSummary {
  dryRun: boolean;
  format: 'xlsx' | 'csv';
  rows: number;
  stored: number;
  resources: number;
  errors: ImportRowError[];
  errorCount: number;
}

export async function importMonitoring(db: Db, actor: Actor, input: { bytes: Uint8Array; fileName?: string; contentType?: string; dryRun?: boolean; now?: Date }): Promise<MonitoringImportSummary> {
  requirePermission(actor.principal, 'resources.import');
  const fileName = input.fileName ?? 'the file';
  const sheet = await readSheet(input.bytes, input, MONITORING_COLUMNS, false);
  const dryRun = input.dryRun ?? false;
  const now = input.now ?? new Date();
  const run = async (tx: Db): Promise<MonitoringImportSummary> => {
    const errors: ImportRowError[] = [...sheet.errors];
    const parsed: Array<UtilisationRow & { externalId: string; row: number }> = [];
    if (!sheet.fatal) {
      const seen = new Map<string, number>();
      for (const row of sheet.rows) {
        const errs: ImportRowError[] = [];
        const r = new RowReader(sheet, row, errs);
        const externalId = r.text('externalId');
        if (externalId === null) r.fail('externalId', 'required: the cloud resource id');
        const d = parseDate(r.cell('date'));
        if (!d.ok) r.fail('date', d.message);
        else if (d.value === null) r.fail('date', 'required: the day (YYYY-MM-DD)');
        else if (!isCalendarDay(d.value)) r.fail('date', `${d.value} is not a calendar day`);
        const day = d.ok && d.value !== null && isCalendarDay(d.value) ? d.value : null;
        if (externalId && day) {
          const key = `${externalId}|${day}`;
          if (seen.has(key)) r.fail('date', `${externalId} on ${day} is also in row ${seen.get(key)}: one row per resource and day`);
          else seen.set(key, row.number);
        }
        const pct = (k: MonitoringKey, required: boolean) => {
          const v = r.number(k, { max: 100, what: 'a percentage' });
          if (v === null && required && errs.every((e) => e.column !== (sheet.byKey.get(k)?.header ?? k))) r.fail(k, 'required');
          return v;
        };
        const cpuAvg = pct('cpuAvg', true);
        const cpuP95 = pct('cpuP95', true);
        const cpuMax = pct('cpuMax', true);
        const memPct = pct('memPct', false);
        if (cpuMax !== null && ((cpuAvg !== null && cpuAvg > cpuMax) || (cpuP95 !== null && cpuP95 > cpuMax))) r.fail('cpuMax', 'less than the average or p95 of the same day');
        const bytes = (k: MonitoringKey, required: boolean) => {
          const v = r.number(k, { max: 9e15 });
          if (v === null && required && errs.every((e) => e.column !== (sheet.byKey.get(k)?.header ?? k))) r.fail(k, 'required (bytes)');
          return v;
        };
        const netInBytes = bytes('netInBytes', true);
        const netOutBytes = bytes('netOutBytes', true);
        const diskReadBytes = bytes('diskReadBytes', false);
        const diskWriteBytes = bytes('diskWriteBytes', false);
        errors.push(...errs);
        if (errs.length || !externalId || !day) continue;
        parsed.push({ externalId, row: row.number, day, cpuAvg, cpuP95, cpuMax, memPct, netInBytes, netOutBytes, diskReadBytes, diskWriteBytes });
      }
    }
    const ids = [...new Set(parsed.map((p) => p.externalId))];
    const known = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 5000) {
      for (const e of await tx.select({ id: cloudResources.id, externalId: cloudResources.externalId }).from(cloudResources).where(inArray(cloudResources.externalId, ids.slice(i, i + 5000)))) known.set(e.externalId, e.id);
    }
    for (const p of parsed) {
      if (!known.has(p.externalId)) errors.push({ row: p.row, column: sheet.byKey.get('externalId')!.header, message: `unknown resource ${p.externalId}: import the resource ledger first` });
    }
    errors.sort((a, b) => a.row - b.row);
    const summary: MonitoringImportSummary = { dryRun, format: sheet.format, rows: sheet.rows.length, stored: errors.length ? 0 : parsed.length, resources: known.size, errors: errors.slice(0, 1000), errorCount: errors.length };
    if (dryRun) return summary;
    if (errors.length) throw rowErrors(fileName, errors);
    await upsertUtilisation(tx, parsed.map((p) => ({ ...p, resourceId: known.get(p.externalId)! })), 'import', now);
    await recordAudit(tx, actor, { action: 'import', entity: 'resource_utilisation', entityId: fileName, after: { rows: parsed.length, resources: known.size } });
    return summary;
  };
  return dryRun ? run(db) : db.transaction((tx) => run(tx));
}
