import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../../errors.js';
import type { ImportRowError } from '../../inventory/import/index.js';
import { isDay } from '../../../reports/dates.js';
import { UsageError, type CliContext, type Command } from '../command.js';

/** `xuncha resources …`: the government-cloud resource ledger, monitoring exports and the Prometheus pull (issue 12). */

const SHOWN_ERRORS = 20;

async function readInput(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => {
    throw new AppError('bad_request', `${file}: no such file`);
  });
  if (!info.isFile()) throw new AppError('bad_request', `${file} is not a file`);
  if (info.size > 50 * 1024 * 1024) throw new AppError('payload_too_large', `${file} is ${(info.size / 1024 / 1024).toFixed(1)} MB; an import takes at most 50 MB`);
  return readFile(file);
}

function printErrors(ctx: CliContext, errors: ImportRowError[]): void {
  for (const e of errors.slice(0, SHOWN_ERRORS)) ctx.err(`row ${e.row}, ${e.column}: ${e.message}`);
  if (errors.length > SHOWN_ERRORS) ctx.err(`… and ${errors.length - SHOWN_ERRORS} more (--json lists them)`);
}

/** Runs an all-or-nothing import, printing row errors and one summary line. */
async function runImport<S extends { errors: ImportRowError[]; errorCount: number }>(
  ctx: CliContext,
  file: string,
  asJson: boolean,
  dryRun: boolean,
  doImport: (bytes: Buffer, name: string) => Promise<S>,
  describe: (s: S) => string,
): Promise<number> {
  const bytes = await readInput(file);
  const name = basename(file);
  try {
    const s = await doImport(bytes, name);
    if (asJson) ctx.out(JSON.stringify(s, null, 2));
    if (s.errorCount) {
      if (!asJson) printErrors(ctx, s.errors);
      ctx.err(`xuncha: dry run of ${name}: ${s.errorCount} problem${s.errorCount === 1 ? '' : 's'}; nothing was written`);
      return 1;
    }
    if (!asJson) ctx.out(describe(s));
    return 0;
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'validation_failed' || !e.errors?.length) throw e;
    const errors = e.errors.map((f) => {
      const x = f as typeof f & Partial<ImportRowError>;
      return { row: x.row ?? 0, column: x.column ?? f.path, message: f.message };
    });
    if (asJson) ctx.out(JSON.stringify({ dryRun, errors, errorCount: errors.length, detail: e.message }, null, 2));
    else printErrors(ctx, errors);
    ctx.err(`xuncha: ${e.message.replace(/ \(first: .*\)$/, '')}`);
    return 1;
  }
}

export const resourcesImportCommand: Command = {
  words: ['resources', 'import'],
  usage: 'xuncha resources import FILE [--dry-run] [--json]',
  summary: 'import the 政务云 resource ledger (资源台账, .xlsx/.csv): all rows or none',
  args: [{ name: '<file>', description: 'an .xlsx or .csv ledger with Chinese headers (资源ID, 资源类型, 系统编码, vCPU, 内存(GB), 存储(GB)…)' }],
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  optionHelp: { 'dry-run': 'check every row and write nothing', json: 'print the summary and row errors as JSON' },
  async run({ positionals, values }, ctx) {
    if (positionals.length !== 1) throw new UsageError('give one file: xuncha resources import FILE [--dry-run]');
    const dryRun = Boolean(values['dry-run']);
    const { db } = await ctx.openDb();
    const { importLedger } = await import('../../resources/ledger.js');
    return runImport(ctx, positionals[0]!, Boolean(values.json), dryRun, (bytes, fileName) => importLedger(db, { principal: ctx.principal }, { bytes, fileName, dryRun }), (s) =>
      dryRun
        ? `dry run: ${s.rows} rows — would create ${s.created}, update ${s.updated}, leave ${s.unchanged} unchanged (${s.orphans} with no system); nothing was written`
        : `imported ${s.rows} rows — ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged (${s.orphans} with no system)`,
    );
  },
};

export const resourcesImportMonitoringCommand: Command = {
  words: ['resources', 'import-monitoring'],
  usage: 'xuncha resources import-monitoring FILE [--dry-run] [--json]',
  summary: 'import the cloud monitoring export (a row per resource and day)',
  args: [{ name: '<file>', description: 'an .xlsx or .csv export (资源ID, 日期, CPU平均利用率, CPU P95, CPU最大利用率, 内存利用率, 入流量, 出流量)' }],
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  optionHelp: { 'dry-run': 'check every row and write nothing', json: 'print the summary and row errors as JSON' },
  async run({ positionals, values }, ctx) {
    if (positionals.length !== 1) throw new UsageError('give one file: xuncha resources import-monitoring FILE [--dry-run]');
    const dryRun = Boolean(values['dry-run']);
    const { db } = await ctx.openDb();
    const { importMonitoring } = await import('../../resources/monitoring.js');
    return runImport(ctx, positionals[0]!, Boolean(values.json), dryRun, (bytes, fileName) => importMonitoring(db, { principal: ctx.principal }, { bytes, fileName, dryRun }), (s) =>
      dryRun ? `dry run: ${s.rows} rows of ${s.resources} resources are fine; nothing was written` : `stored ${s.stored} resource-days of ${s.resources} resources`,
    );
  },
};

export const resourcesPullCommand: Command = {
  words: ['resources', 'pull'],
  usage: 'xuncha resources pull [--day YYYY-MM-DD]… [--days N] [--json]',
  summary: 'pull daily utilisation from Prometheus (RESOURCES_PROMETHEUS_URL)',
  options: { day: { type: 'string', multiple: true }, days: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: { day: 'a local day to pull (repeatable)', days: 'the last N complete days (default 1: yesterday)', json: 'print the summary as JSON' },
  async run({ positionals, values }, ctx) {
    if (positionals.length) throw new UsageError(`unexpected ${positionals[0]} (usage: ${resourcesPullCommand.usage})`);
    const { pullSettingsFromConfig, lastDays } = await import('../../resources/pull-config.js');
    const settings = pullSettingsFromConfig(ctx.config);
    if (!settings) throw new UsageError('set RESOURCES_PROMETHEUS_URL to the Prometheus that holds the cloud’s node_exporter series');
    const given = (values.day as string[] | undefined) ?? [];
    for (const d of given) if (!isDay(d)) throw new UsageError(`--day ${d} is not a day YYYY-MM-DD`);
    const n = values.days === undefined ? 1 : Number(values.days);
    if (!Number.isInteger(n) || n < 1 || n > 400) throw new UsageError('--days must be a whole number from 1 to 400');
    const now = new Date();
    const days = given.length ? [...new Set(given)].sort() : lastDays(now, ctx.config.TZ, n);
    const { db } = await ctx.openDb();
    const { pullUtilisation } = await import('../../resources/prometheus.js');
    const s = await pullUtilisation(db, ctx.principal, settings, { days, now });
    if (values.json) ctx.out(JSON.stringify(s));
    else {
      const reasons = Object.entries(s.reasons).map(([k, v]) => `${k} ${v}`).join(', ');
      ctx.out(`pulled ${days.length} day${days.length === 1 ? '' : 's'} of ${s.resources} resources: ${s.stored} stored, ${s.missing} missing${reasons ? ` (${reasons})` : ''}`);
    }
    return 0;
  },
};

export const resourceCommands: Command[] = [resourcesImportCommand, resourcesImportMonitoringCommand, resourcesPullCommand];
