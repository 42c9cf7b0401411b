import { t, type Lang, type MessageKey } from '../i18n/index.js';
import { formatPercent } from './rules/context.js';
import type { ResourceUnitRef, ResourceUse, ResourcesReport } from './resources-report.js';
import type { Cell, Column, ReportSection, TableBlock } from './monthly/document.js';

/** The 云资源利用率 section laid out in one language (every renderer draws it from here). */

const col = (lang: Lang, key: MessageKey, kind: Cell['t'], width = 1): Column => ({ label: t(lang, key), kind, delta: false, width });
const num = (v: number | null): Cell => ({ t: 'int', v });
const pct = (v: number | null): Cell => ({ t: 'pct', v });
const text = (v: string): Cell => ({ t: 'text', v });

function unitName(u: ResourceUnitRef | null, lang: Lang): string {
  if (u === null) return t(lang, 'report.resources.no_system');
  if (u.cityLevel) return t(lang, 'report.region.city');
  return u.shortName ?? u.name ?? u.code;
}

const useColumns = (lang: Lang): Column[] => [
  col(lang, 'report.resources.col.resources', 'int', 0.8),
  col(lang, 'report.resources.col.allocated_vcpu', 'int'),
  col(lang, 'report.resources.col.used_vcpu', 'int'),
  col(lang, 'report.resources.col.cpu_rate', 'pct'),
  col(lang, 'report.resources.col.allocated_memory', 'int'),
  col(lang, 'report.resources.col.used_memory', 'int'),
  col(lang, 'report.resources.col.mem_rate', 'pct'),
];
const useCells = (u: ResourceUse): Cell[] => [num(u.resources), num(u.allocatedVcpu), num(u.usedVcpu), pct(u.cpuRate), num(u.allocatedMemoryGb), num(u.usedMemoryGb), pct(u.memRate)];

function table(id: TableBlock['id'], lang: Lang, caption: MessageKey, sheet: MessageKey, columns: Column[], rows: Cell[][]): TableBlock {
  return { kind: 'table', id, caption: t(lang, caption), sheetName: t(lang, sheet), columns, rows, note: null, heatColors: null };
}

export function resourcesSection(r: ResourcesReport, lang: Lang): ReportSection {
  const rate = (x: number | null) => (x === null ? '—' : formatPercent(x));
  const rc = r.reclaimable.total;
  return {
    id: 'resources',
    heading: t(lang, 'report.heading.resources'),
    blocks: [
      {
        kind: 'paragraph',
        text: t(lang, 'report.resources.summary', {
          resources: r.totals.resources,
          vcpu: r.totals.allocatedVcpu,
          memory: r.totals.allocatedMemoryGb,
          cpuRate: rate(r.totals.cpuRate),
          memRate: rate(r.totals.memRate),
          count: rc.count,
          idleVcpu: rc.vcpu,
          idleMemory: rc.memoryGb,
          idleStorage: rc.storageGb,
          cost: rc.monthlyCost,
          orphans: r.orphans.length,
        }),
      },
      {
        kind: 'chart',
        id: 'resource_trend',
        type: 'lines',
        title: t(lang, 'report.resources.chart.trend'),
        categories: r.history.map((h) => h.month),
        series: [
          { key: 'cpu', label: t(lang, 'report.resources.col.cpu_rate'), color: '#2f5d8a', values: r.history.map((h) => h.cpuRate) },
          { key: 'memory', label: t(lang, 'report.resources.col.mem_rate'), color: '#c0392b', values: r.history.map((h) => h.memRate) },
        ],
        percent: true,
        altText: t(lang, 'report.resources.chart.see_table'),
      },
      table(
        'resource_departments',
        lang,
        'report.resources.table.departments',
        'report.resources.sheet.departments',
        [col(lang, 'report.col.department', 'text', 2.5), col(lang, 'report.col.region', 'text', 1.2), ...useColumns(lang)],
        r.departments.map((d) => [text(unitName(d.unit, lang)), text(unitName(d.region, lang)), ...useCells(d)]),
      ),
      table(
        'resource_regions',
        lang,
        'report.resources.table.regions',
        'report.resources.sheet.regions',
        [col(lang, 'report.col.region', 'text', 2), ...useColumns(lang)],
        r.regions.map((d) => [text(unitName(d.unit, lang)), ...useCells(d)]),
      ),
      table(
        'resource_history',
        lang,
        'report.resources.table.history',
        'report.resources.sheet.history',
        [col(lang, 'report.col.month', 'text', 1.1), ...useColumns(lang)],
        r.history.map((h) => [text(h.month), ...useCells(h)]),
      ),
      table(
        'reclaimable',
        lang,
        'report.resources.table.reclaimable',
        'report.resources.sheet.reclaimable',
        [
          col(lang, 'report.col.rank', 'int', 0.5),
          col(lang, 'report.col.department', 'text', 2.5),
          col(lang, 'report.resources.col.count', 'int', 0.8),
          col(lang, 'report.resources.col.vcpu', 'int'),
          col(lang, 'report.resources.col.memory', 'int'),
          col(lang, 'report.resources.col.storage', 'int'),
          col(lang, 'report.resources.col.cost', 'int', 1.2),
        ],
        [
          ...r.reclaimable.departments.map((d) => [num(d.rank), text(unitName(d.unit, lang)), num(d.count), num(d.vcpu), num(d.memoryGb), num(d.storageGb), num(d.monthlyCost)]),
          [text(''), text(t(lang, 'report.resources.total')), num(rc.count), num(rc.vcpu), num(rc.memoryGb), num(rc.storageGb), num(rc.monthlyCost)],
        ],
      ),
      table(
        'orphan_resources',
        lang,
        'report.resources.table.orphans',
        'report.resources.sheet.orphans',
        [
          col(lang, 'report.resources.col.external_id', 'text', 1.6),
          col(lang, 'report.resources.col.name', 'text', 1.6),
          col(lang, 'report.resources.col.kind', 'text', 0.8),
          col(lang, 'report.resources.col.vcpu', 'int'),
          col(lang, 'report.resources.col.memory', 'int'),
          col(lang, 'report.resources.col.storage', 'int'),
          col(lang, 'report.resources.col.cost', 'int', 1.2),
          col(lang, 'report.resources.col.idle', 'text', 0.8),
        ],
        r.orphans.map((o) => [
          text(o.externalId),
          text(o.name ?? '—'),
          text(t(lang, `resourceKind.${o.kind}` as MessageKey)),
          num(o.vcpu),
          num(o.memoryGb),
          num(o.storageGb),
          num(o.monthlyCost),
          text(t(lang, o.idle ? 'report.resources.idle.yes' : 'report.resources.idle.no')),
        ]),
      ),
    ],
  };
}
