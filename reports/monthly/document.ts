import { t, type Lang, type MessageKey, type MessageParams } from '../../i18n/index.js';
import { formatPercent } from '../classify.js';
import { FLAG_CODES, type FlagCode, type Status } from '../codes.js';
import type { Day, Month } from '../dates.js';
import type { SnapshotReason } from './input.js';
import { resourcesSection } from '../resources-document.js';
import type { Figure, MonthlyReport, ProblemSystem, RateFigure, RequirementItem, UnitCount, UnitRef, UnitRow } from './build.js';

/**
 * The report laid out in one language: headings, paragraphs, tables and charts, with every word taken
 * from the catalogue. All renderers draw from this, so the formats cannot disagree.
 */
export interface ReportDocument {
  lang: Lang;
  title: string;
  subtitle: string;
  recipient: string;
  meta: { label: string; value: string }[];
  sections: ReportSection[];
  footer: string;
}

export interface ReportSection {
  id: 'overview' | 'problems' | 'requirements' | 'appendix' | 'resources';
  heading: string;
  blocks: Block[];
}

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'figures'; caption: string; items: { label: string; value: Cell }[] }
  | TableBlock
  | ChartBlock;

/** A table cell. `d` is the month-on-month change: a count for `int`, rate points (0.012 = 1.2 pp) for `pct`. */
export type Cell = { t: 'text'; v: string } | { t: 'int'; v: number | null; d?: number | null } | { t: 'pct'; v: number | null; d?: number | null };

export interface Column {
  label: string;
  kind: Cell['t'];
  /** Cells carry a month-on-month change (CSV and XLSX give it its own column). */
  delta: boolean;
  /** Relative width hint. */
  width: number;
}

export interface TableBlock {
  kind: 'table';
  id: 'departments' | 'regions' | 'heat' | 'problem_systems' | 'history' | 'inspection' | 'accessibility' | 'resource_departments' | 'resource_regions' | 'resource_history' | 'reclaimable' | 'orphan_resources';
  caption: string;
  /** Short name for a spreadsheet tab (≤ 31 characters). */
  sheetName: string;
  columns: Column[];
  rows: Cell[][];
  note: string | null;
  /** Heat table: a colour per column (null: not shaded); renderers shade cells by value ÷ column maximum. */
  heatColors: (string | null)[] | null;
}

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  values: (number | null)[];
}

export interface ChartBlock {
  kind: 'chart';
  id: 'status_trend' | 'rate_trend' | 'resource_trend';
  type: 'stacked_bars' | 'lines';
  title: string;
  categories: string[];
  series: ChartSeries[];
  /** Values are rates (0–1) drawn on a 0–100% axis. */
  percent: boolean;
  /** Text shown instead of the chart where charts cannot be drawn (Markdown). */
  altText: string;
}

/** Status colours, chosen to stay distinct in greyscale print. */
export const STATUS_COLORS: Record<Status, string> = {
  active: '#3f7f4f',
  semi_zombie: '#d99a2b',
  zombie: '#b03a2e',
  insufficient_evidence: '#8c8c8c',
  exempt: '#4f6fa8',
};

/** Chart and heat-table column order: the verdict scale, then exempt. */
export const STATUS_ORDER: readonly Status[] = ['active', 'insufficient_evidence', 'semi_zombie', 'zombie', 'exempt'];

const NARRATIVE_LIMIT = 30;
const NAMED_UNITS_LIMIT = 20;

export function formatDay(day: Day, lang: Lang): string {
  if (lang === 'en') return day;
  return `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
}

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function formatMonth(month: Month, lang: Lang): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return lang === 'en' ? `${EN_MONTHS[m - 1]} ${y}` : `${y}年${m}月`;
}

export function formatRate(rate: number | null): string {
  return rate === null ? '—' : formatPercent(rate);
}

/** A signed number with at most one decimal: "+3", "-1.2", "0". */
export function formatSigned(n: number, decimals = 0): string {
  const s = n.toFixed(decimals);
  const zero = Number(s) === 0;
  return zero ? (0).toFixed(decimals) : n > 0 ? `+${s}` : s;
}

/** A rate change in percentage points, one decimal. */
export function formatPoints(delta: number): string {
  return formatSigned(Math.round(delta * 1000) / 10, 1);
}

/** How a cell reads in running text and tables: the value, and its change when there is one. */
export function formatCell(cell: Cell): { value: string; delta: string | null } {
  switch (cell.t) {
    case 'text':
      return { value: cell.v, delta: null };
    case 'int':
      return { value: cell.v === null ? '—' : String(cell.v), delta: cell.d == null ? null : formatSigned(cell.d) };
    case 'pct':
      return { value: formatRate(cell.v), delta: cell.d == null ? null : formatPoints(cell.d) };
  }
}

export function joinList(items: readonly string[], lang: Lang): string {
  return items.join(lang === 'en' ? ', ' : '、');
}

function unitName(u: UnitRef, lang: Lang, short = false): string {
  if (u.cityLevel) return t(lang, 'report.region.city');
  return (short ? u.shortName : null) ?? u.name ?? u.code;
}

function namedUnits(units: readonly UnitRef[], lang: Lang): string {
  const names = units.slice(0, NAMED_UNITS_LIMIT).map((u) => unitName(u, lang));
  const list = joinList(names, lang);
  return units.length > NAMED_UNITS_LIMIT ? t(lang, 'report.units_and_more', { units: list, count: units.length }) : list;
}

function countChange(delta: number | null, lang: Lang): string {
  if (delta === null) return t(lang, 'report.change.na');
  if (delta === 0) return t(lang, 'report.change.flat');
  return t(lang, delta > 0 ? 'report.change.up' : 'report.change.down', { n: Math.abs(delta) });
}

function rateChange(delta: number | null, lang: Lang): string {
  if (delta === null) return t(lang, 'report.change.na');
  const pp = Math.round(Math.abs(delta) * 1000) / 10;
  if (pp === 0) return t(lang, 'report.change.flat');
  return t(lang, delta > 0 ? 'report.change.pp_up' : 'report.change.pp_down', { n: pp.toFixed(1) });
}

export function reasonText(r: SnapshotReason, lang: Lang): string {
  if (r.message) return t(lang, r.message.key, r.message.params);
  return t(lang, `reasonName.${r.code}` as MessageKey);
}

const intCell = (f: Figure | number | null, withDelta = true): Cell =>
  typeof f === 'number' || f === null ? { t: 'int', v: f } : { t: 'int', v: f.now, ...(withDelta ? { d: f.delta } : {}) };
const pctCell = (f: RateFigure, withDelta = true): Cell => ({ t: 'pct', v: f.rate, ...(withDelta ? { d: f.delta } : {}) });
const textCell = (v: string): Cell => ({ t: 'text', v });
const col = (lang: Lang, key: MessageKey, kind: Cell['t'], delta = false, width = 1): Column => ({ label: t(lang, key), kind, delta, width });

/** Lays the report out in one language. */
export function localizeReport(report: MonthlyReport, lang: Lang): ReportDocument {
  const m = report.meta;
  const p = (key: MessageKey, params: MessageParams = {}): Block => ({ kind: 'paragraph', text: t(lang, key, params) });
  return {
    lang,
    title: t(lang, 'report.title'),
    subtitle: t(lang, 'report.subtitle', { month: formatMonth(m.month, lang) }),
    recipient: t(lang, 'report.recipient'),
    meta: [
      ...(m.issuer ? [{ label: t(lang, 'report.meta.issuer'), value: m.issuer }] : []),
      { label: t(lang, 'report.meta.as_of'), value: formatDay(m.asOf, lang) },
      { label: t(lang, 'report.meta.policy_version'), value: m.policyVersion },
      { label: t(lang, 'report.meta.inputs_hash'), value: m.inputsHash },
    ],
    sections: [
      overviewSection(report, lang, p),
      problemsSection(report, lang),
      requirementsSection(report, lang),
      // 云资源利用率 (issue 12): only when the report carries cloud resources.
      ...(report.resources ? [resourcesSection(report.resources, lang)] : []),
      appendixSection(report, lang),
    ],
    footer: t(lang, 'report.footer', { asOf: formatDay(m.asOf, lang), policyVersion: m.policyVersion, hash: m.inputsHash.slice(0, 16) }),
  };
}

function overviewSection(report: MonthlyReport, lang: Lang, p: (key: MessageKey, params?: MessageParams) => Block): ReportSection {
  const o = report.overview;
  const m = report.meta;
  const blocks: Block[] = [];
  blocks.push(
    m.hasPrevious
      ? p('report.overview.systems', { asOf: formatDay(m.asOf, lang), total: o.systems.now, change: countChange(o.systems.delta, lang), new: o.systems.new ?? 0, retired: o.systems.retired ?? 0 })
      : p('report.overview.systems.first', { asOf: formatDay(m.asOf, lang), total: o.systems.now }),
  );
  blocks.push(
    p('report.overview.status', {
      active: o.statusCounts.active.now,
      semi_zombie: o.statusCounts.semi_zombie.now,
      zombie: o.statusCounts.zombie.now,
      insufficient_evidence: o.statusCounts.insufficient_evidence.now,
      exempt: o.statusCounts.exempt.now,
    }),
  );
  if (m.hasPrevious) {
    blocks.push(
      p('report.overview.zombie', {
        newZombie: o.zombie.new ?? 0,
        newSemi: o.semiZombie.new ?? 0,
        clearedZombie: o.zombie.cleared ?? 0,
        clearedSemi: o.semiZombie.cleared ?? 0,
        zombieChange: countChange(o.zombie.delta, lang),
        semiChange: countChange(o.semiZombie.delta, lang),
      }),
    );
  }
  blocks.push(
    o.cloud.denominator > 0
      ? p('report.overview.cloud', { required: o.cloud.denominator, onCloud: o.cloud.numerator, rate: formatRate(o.cloud.rate), change: rateChange(o.cloud.delta, lang) })
      : p('report.overview.cloud.none'),
  );
  if (o.ipv6.denominator > 0) {
    blocks.push(
      p('report.overview.ipv6', {
        internetFacing: o.ipv6.denominator,
        ready: o.ipv6.numerator,
        measured: o.ipv6.measured,
        rate: formatRate(o.ipv6.rate),
        change: rateChange(o.ipv6.delta, lang),
      }),
    );
    if (o.ipv6.secondLevelAvg !== null || o.ipv6.thirdLevelAvg !== null) {
      blocks.push(p('report.overview.ipv6.links', { second: formatRate(o.ipv6.secondLevelAvg), third: formatRate(o.ipv6.thirdLevelAvg) }));
    }
  } else {
    blocks.push(p('report.overview.ipv6.none'));
  }
  blocks.push(
    o.availability.denominator > 0
      ? p('report.overview.availability', {
          rate: formatRate(o.availability.rate),
          change: rateChange(o.availability.delta, lang),
          systems: o.availability.measuredSystems,
          probes: o.availability.denominator,
          threshold: formatPercent(m.availabilityMin),
          below: o.availability.systemsBelow,
        })
      : p('report.overview.availability.none'),
  );
  blocks.push(
    p('report.overview.cleanup', {
      total: o.cleanup.total,
      done: o.cleanup.done,
      doneThisMonth: o.cleanup.doneThisMonth,
      inProgress: o.cleanup.inProgress,
      overdue: o.cleanup.overdue,
      opened: o.cleanup.openedThisMonth,
    }),
  );

  blocks.push({
    kind: 'figures',
    caption: t(lang, 'report.figures.caption'),
    items: [
      { label: t(lang, 'report.figure.systems'), value: intCell(o.systems) },
      { label: t(lang, 'report.figure.new'), value: intCell(o.systems.new) },
      { label: t(lang, 'report.figure.retired'), value: intCell(o.systems.retired) },
      { label: t(lang, 'status.zombie'), value: intCell(o.zombie) },
      { label: t(lang, 'status.semi_zombie'), value: intCell(o.semiZombie) },
      { label: t(lang, 'report.figure.cloud_rate'), value: pctCell(o.cloud) },
      { label: t(lang, 'report.figure.ipv6_rate'), value: pctCell(o.ipv6) },
      { label: t(lang, 'report.figure.availability'), value: pctCell(o.availability) },
      { label: t(lang, 'report.figure.cleanup_done'), value: intCell(o.cleanup.done) },
      { label: t(lang, 'report.figure.cleanup_in_progress'), value: intCell(o.cleanup.inProgress) },
      { label: t(lang, 'report.figure.cleanup_overdue'), value: intCell(o.cleanup.overdue) },
    ],
  });

  const categories = report.history.map((h) => h.month);
  blocks.push({
    kind: 'chart',
    id: 'status_trend',
    type: 'stacked_bars',
    title: t(lang, 'report.chart.status_trend'),
    categories,
    series: STATUS_ORDER.map((st) => ({ key: st, label: t(lang, `status.${st}`), color: STATUS_COLORS[st], values: report.history.map((h) => h.statusCounts?.[st] ?? null) })),
    percent: false,
    altText: t(lang, 'report.chart.see_appendix'),
  });
  blocks.push({
    kind: 'chart',
    id: 'rate_trend',
    type: 'lines',
    title: t(lang, 'report.chart.rate_trend'),
    categories,
    series: [
      { key: 'cloud', label: t(lang, 'report.figure.cloud_rate'), color: '#2f5d8a', values: report.history.map((h) => h.cloud?.rate ?? null) },
      { key: 'ipv6', label: t(lang, 'report.figure.ipv6_rate'), color: '#c0392b', values: report.history.map((h) => h.ipv6?.rate ?? null) },
    ],
    percent: true,
    altText: t(lang, 'report.chart.see_appendix'),
  });

  blocks.push({ kind: 'subheading', text: t(lang, 'report.sub.by_department') });
  blocks.push(unitTable('departments', report.departments, lang));
  blocks.push(heatTable(report.departments, lang));
  blocks.push({ kind: 'subheading', text: t(lang, 'report.sub.by_region') });
  blocks.push(unitTable('regions', report.regions, lang));
  return { id: 'overview', heading: t(lang, 'report.heading.overview'), blocks };
}

function unitTable(id: 'departments' | 'regions', rows: UnitRow[], lang: Lang): TableBlock {
  const isDept = id === 'departments';
  const columns: Column[] = [
    col(lang, 'report.col.rank', 'int', false, 0.5),
    col(lang, isDept ? 'report.col.department' : 'report.col.region', 'text', false, 2.5),
    ...(isDept ? [col(lang, 'report.col.region', 'text', false, 1.2)] : []),
    col(lang, 'report.col.systems', 'int', true),
    col(lang, 'report.col.zombie', 'int', true),
    col(lang, 'report.col.semi_zombie', 'int', true),
    col(lang, 'report.col.cloud_rate', 'pct', true, 1.2),
    col(lang, 'report.col.ipv6_rate', 'pct', true, 1.2),
    col(lang, 'report.col.availability', 'pct', false, 1.1),
    col(lang, 'report.col.done', 'int'),
    col(lang, 'report.col.in_progress', 'int'),
    col(lang, 'report.col.overdue', 'int'),
  ];
  return {
    kind: 'table',
    id,
    caption: t(lang, isDept ? 'report.table.departments' : 'report.table.regions'),
    sheetName: t(lang, isDept ? 'report.sheet.departments' : 'report.sheet.regions'),
    columns,
    rows: rows.map((r) => [
      intCell(r.rank),
      textCell(unitName(r.unit, lang, true)),
      ...(isDept ? [textCell(r.region ? unitName(r.region, lang, true) : '')] : []),
      intCell(r.systems),
      intCell(r.zombie),
      intCell(r.semiZombie),
      pctCell(r.cloud),
      pctCell(r.ipv6),
      pctCell(r.availability, false),
      intCell(r.cleanup.done),
      intCell(r.cleanup.inProgress),
      intCell(r.cleanup.overdue),
    ]),
    note: t(lang, 'report.table.note.delta'),
    heatColors: null,
  };
}

function heatTable(rows: UnitRow[], lang: Lang): TableBlock {
  const withSystems = rows.filter((r) => r.systems.now > 0);
  return {
    kind: 'table',
    id: 'heat',
    caption: t(lang, 'report.table.heat'),
    sheetName: t(lang, 'report.sheet.heat'),
    columns: [
      col(lang, 'report.col.department', 'text', false, 2.5),
      ...STATUS_ORDER.map((st) => col(lang, `status.${st}`, 'int')),
      col(lang, 'report.col.total', 'int'),
    ],
    rows: withSystems.map((r) => [textCell(unitName(r.unit, lang, true)), ...STATUS_ORDER.map((st) => intCell(r.counts[st])), intCell(r.systems.now)]),
    note: null,
    heatColors: [null, ...STATUS_ORDER.map((st) => STATUS_COLORS[st]), null],
  };
}

function problemItem(s: ProblemSystem, lang: Lang): string {
  const reasons = s.reasons.map((r) => reasonText(r, lang));
  const text = t(lang, 'report.problem.item', {
    unit: unitName(s.department, lang),
    system: s.name,
    code: s.code,
    reasons: reasons.length ? reasons.join(lang === 'en' ? '; ' : '；') : t(lang, 'report.problem.no_reason'),
  });
  return s.isNew ? `${text}${t(lang, 'report.problem.new_tag')}` : text;
}

function capped(items: string[], lang: Lang): string[] {
  if (items.length <= NARRATIVE_LIMIT) return items;
  return [...items.slice(0, NARRATIVE_LIMIT), t(lang, 'report.problem.more', { count: items.length - NARRATIVE_LIMIT })];
}

function unitCounts(us: UnitCount[], lang: Lang): string {
  return joinList(
    us.slice(0, NAMED_UNITS_LIMIT).map((u) => t(lang, 'report.problem.unit_count', { unit: unitName(u.unit, lang), count: u.count })),
    lang,
  ) + (us.length > NAMED_UNITS_LIMIT ? t(lang, 'report.problem.more_units', { count: us.length - NAMED_UNITS_LIMIT }) : '');
}

const SUB_NUMBERS: Record<Lang, (i: number) => string> = {
  zh: (i) => `（${'一二三四五六七八九十'[i] ?? String(i + 1)}）`,
  en: (i) => `2.${i + 1} `,
};

function problemsSection(report: MonthlyReport, lang: Lang): ReportSection {
  const pr = report.problems;
  const blocks: Block[] = [];
  const sub = (i: number, key: MessageKey, params: MessageParams = {}) => blocks.push({ kind: 'subheading', text: SUB_NUMBERS[lang](i) + t(lang, key, params) });

  sub(0, 'report.sub.zombies', { count: pr.zombies.length });
  blocks.push(pr.zombies.length ? { kind: 'list', ordered: true, items: capped(pr.zombies.map((s) => problemItem(s, lang)), lang) } : { kind: 'paragraph', text: t(lang, 'report.problem.none_zombie') });

  sub(1, 'report.sub.semi_zombies', { count: pr.semiZombies.length });
  blocks.push(
    pr.semiZombies.length ? { kind: 'list', ordered: true, items: capped(pr.semiZombies.map((s) => problemItem(s, lang)), lang) } : { kind: 'paragraph', text: t(lang, 'report.problem.none_semi') },
  );

  sub(2, 'report.sub.overdue', { count: pr.overdueUnits.length });
  blocks.push(
    pr.overdueUnits.length
      ? {
          kind: 'list',
          ordered: false,
          items: capped(
            pr.overdueUnits.map((u) => t(lang, 'report.problem.overdue_item', { unit: unitName(u.unit, lang), count: u.count, systems: joinList(u.systems, lang) })),
            lang,
          ),
        }
      : { kind: 'paragraph', text: t(lang, 'report.problem.none_overdue') },
  );

  sub(3, 'report.sub.compliance');
  const lines = FLAG_CODES.filter((f) => pr.flagUnits[f].length > 0).map((f: FlagCode) =>
    t(lang, 'report.problem.flag_line', { flag: t(lang, `flagName.${f}`), count: report.overview.flags[f], units: unitCounts(pr.flagUnits[f], lang) }),
  );
  blocks.push(lines.length ? { kind: 'list', ordered: false, items: lines } : { kind: 'paragraph', text: t(lang, 'report.problem.none_compliance') });

  const all = [...pr.zombies, ...pr.semiZombies];
  if (all.length) {
    blocks.push({
      kind: 'table',
      id: 'problem_systems',
      caption: t(lang, 'report.table.problem_systems'),
      sheetName: t(lang, 'report.sheet.problem_systems'),
      columns: [
        col(lang, 'report.col.no', 'int', false, 0.5),
        col(lang, 'report.col.system_code', 'text', false, 1.2),
        col(lang, 'report.col.system_name', 'text', false, 2.2),
        col(lang, 'report.col.department', 'text', false, 2),
        col(lang, 'report.col.region', 'text', false, 1.2),
        col(lang, 'report.col.status', 'text', false, 0.9),
        col(lang, 'report.col.reasons', 'text', false, 4),
        col(lang, 'report.col.since', 'text', false, 1.2),
        col(lang, 'report.col.new', 'text', false, 0.7),
      ],
      rows: all.map((s, i) => [
        intCell(i + 1),
        textCell(s.code),
        textCell(s.name),
        textCell(unitName(s.department, lang)),
        textCell(unitName(s.region, lang, true)),
        textCell(t(lang, `status.${s.status}`)),
        textCell(s.reasons.map((r) => reasonText(r, lang)).join(lang === 'en' ? '; ' : '；')),
        textCell(s.since ?? ''),
        textCell(s.isNew ? t(lang, 'report.yes') : ''),
      ]),
      note: null,
      heatColors: null,
    });
  }
  blocks.push(...inspectionBlocks(report, lang));
  blocks.push(...accessibilityBlocks(report, lang));
  return { id: 'problems', heading: t(lang, 'report.heading.problems'), blocks };
}

/** Site inspection (issue 11): portals failing any veto item, by county/district, with the change on last month. */
function inspectionBlocks(report: MonthlyReport, lang: Lang): Block[] {
  const ins = report.inspection;
  if (!ins.regions.length) return [{ kind: 'paragraph', text: t(lang, 'report.inspection.none') }];
  return [
    {
      kind: 'table',
      id: 'inspection',
      caption: t(lang, 'report.inspection.title'),
      sheetName: t(lang, 'report.inspection.failing'),
      columns: [col(lang, 'report.inspection.region', 'text', false, 1.4), col(lang, 'report.inspection.failing', 'int', true, 1), col(lang, 'report.col.system_name', 'text', false, 4)],
      rows: [
        ...ins.regions.map((r) => [textCell(unitName(r.region, lang, true)), intCell(r.failing), textCell(joinList(r.portals, lang))]),
        [textCell(t(lang, 'report.inspection.total')), intCell(ins.total), textCell('')],
      ],
      note: null,
      heatColors: null,
    },
  ];
}

/** 适老化 and accessibility of portals by county/district (issue 11): informational, never a verdict reason. */
function accessibilityBlocks(report: MonthlyReport, lang: Lang): Block[] {
  const a = report.accessibility;
  if (!a.regions.length) return [{ kind: 'paragraph', text: t(lang, 'report.a11y.none') }];
  const cells = (r: MonthlyReport['accessibility']['total']): Cell[] => [intCell(r.measured, false), intCell(r.criticalOrSerious, false), { t: 'pct', v: r.medianAltShare }, { t: 'pct', v: r.careEntryShare }];
  return [
    {
      kind: 'table',
      id: 'accessibility',
      caption: t(lang, 'report.a11y.title'),
      sheetName: t(lang, 'report.a11y.sheet'),
      columns: [col(lang, 'report.a11y.region', 'text', false, 1.4), col(lang, 'report.a11y.portals', 'int'), col(lang, 'report.a11y.serious', 'int', false, 1.2), col(lang, 'report.a11y.alt', 'pct', false, 1.3), col(lang, 'report.a11y.care', 'pct', false, 1.2)],
      rows: [...a.regions.map((r) => [textCell(unitName(r.region, lang, true)), ...cells(r)]), [textCell(t(lang, 'report.a11y.total')), ...cells(a.total)]],
      note: t(lang, 'report.a11y.note'),
      heatColors: null,
    },
  ];
}

function requirementText(item: RequirementItem, report: MonthlyReport, lang: Lang): string {
  const r = report.requirements;
  const params = { count: item.count, units: namedUnits(item.units, lang), rectifyBy: formatDay(r.rectifyBy, lang), recheckOn: formatDay(r.recheckOn, lang) };
  return t(lang, `report.req.${item.kind}`, params);
}

function requirementsSection(report: MonthlyReport, lang: Lang): ReportSection {
  return {
    id: 'requirements',
    heading: t(lang, 'report.heading.requirements'),
    blocks: [{ kind: 'list', ordered: true, items: report.requirements.items.map((i) => requirementText(i, report, lang)) }],
  };
}

function appendixSection(report: MonthlyReport, lang: Lang): ReportSection {
  return {
    id: 'appendix',
    heading: t(lang, 'report.heading.appendix'),
    blocks: [
      {
        kind: 'table',
        id: 'history',
        caption: t(lang, 'report.table.history'),
        sheetName: t(lang, 'report.sheet.history'),
        columns: [
          col(lang, 'report.col.month', 'text', false, 1.1),
          ...STATUS_ORDER.map((st) => col(lang, `status.${st}`, 'int')),
          col(lang, 'report.col.cloud_rate', 'pct', false, 1.2),
          col(lang, 'report.col.ipv6_rate', 'pct', false, 1.2),
        ],
        rows: report.history.map((h) => [
          textCell(h.month),
          ...STATUS_ORDER.map((st) => intCell(h.statusCounts ? h.statusCounts[st] : null)),
          { t: 'pct', v: h.cloud?.rate ?? null },
          { t: 'pct', v: h.ipv6?.rate ?? null },
        ]),
        note: null,
        heatColors: null,
      },
      { kind: 'subheading', text: t(lang, 'report.heading.notes') },
      { kind: 'list', ordered: false, items: [t(lang, 'report.note.representative'), t(lang, 'report.note.availability')] },
    ],
  };
}
