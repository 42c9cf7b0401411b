import { stat, readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { AppError } from '../../errors.js';
import type { ExportFormat } from '../../inventory/export.js';
import type { ImportRowError } from '../../inventory/import/index.js';
import { UsageError, type CliContext, type Command } from '../command.js';
import { refuseBinaryOnTerminal, writeOutput } from '../output.js';

/** Row problems listed on stderr before the count of the rest. */
const SHOWN_ERRORS = 20;

function printRowErrors(ctx: CliContext, errors: ImportRowError[], total: number, maxErrors: number): void {
  for (const e of errors.slice(0, SHOWN_ERRORS)) ctx.err(`row ${e.row}, ${e.column}: ${e.message}`);
  if (total > SHOWN_ERRORS) ctx.err(`… and ${total - SHOWN_ERRORS} more problem${total - SHOWN_ERRORS === 1 ? '' : 's'} (--json lists ${total > maxErrors ? `the first ${maxErrors}` : 'all of them'})`);
}

function rowErrorsOf(e: AppError): ImportRowError[] {
  return (e.errors ?? []).map((f) => {
    const x = f as typeof f & Partial<ImportRowError>;
    return { row: x.row ?? 0, column: x.column ?? f.path, message: f.message };
  });
}

export const importCommand: Command = {
  words: ['import'],
  usage: 'xuncha import FILE [--dry-run] [--json]',
  summary: 'import an .xlsx or .csv inventory: all rows or none, errors by row and column',
  args: [{ name: '<file>', description: 'an .xlsx or .csv file' }],
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  optionHelp: { 'dry-run': 'check every row and write nothing', json: 'print the summary and row errors as JSON' },
  async run({ positionals, values }, ctx) {
    if (positionals.length !== 1) throw new UsageError('give one file: xuncha import FILE [--dry-run]');
    const file = positionals[0]!;
    const dryRun = Boolean(values['dry-run']);
    const asJson = Boolean(values.json);
    const { IMPORT_LIMITS, importInventory } = await import('../../inventory/import/index.js');
    const info = await stat(file);
    if (!info.isFile()) throw new AppError('bad_request', `${file} is not a file`);
    if (info.size > IMPORT_LIMITS.maxBytes) {
      throw new AppError('payload_too_large', `${file} is ${(info.size / 1024 / 1024).toFixed(1)} MB; an import takes at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB`);
    }
    const bytes = await readFile(file);
    const { db } = await ctx.openDb();
    const name = basename(file);
    try {
      const s = await importInventory(db, { principal: ctx.principal }, { bytes, fileName: name, dryRun });
      if (asJson) ctx.out(JSON.stringify(s, null, 2));
      if (s.errorCount) {
        if (!asJson) printRowErrors(ctx, s.errors, s.errorCount, IMPORT_LIMITS.maxErrors);
        const rows = new Set(s.errors.map((e) => e.row)).size;
        ctx.err(`xuncha: dry run of ${name}: ${s.errorCount} problem${s.errorCount === 1 ? '' : 's'} in ${rows}${s.errorCount > s.errors.length ? '+' : ''} row${rows === 1 ? '' : 's'}; nothing was written`);
        return 1;
      }
      if (!asJson) {
        ctx.out(
          dryRun
            ? `dry run of ${name}: ${s.rows} rows — would create ${s.created}, update ${s.updated}, leave ${s.unchanged} unchanged; nothing was written`
            : `imported ${name}: ${s.rows} rows — ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged`,
        );
      }
      return 0;
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'validation_failed' || !e.errors?.length) throw e;
      const errors = rowErrorsOf(e);
      if (asJson) ctx.out(JSON.stringify({ dryRun, errors, errorCount: errors.length, detail: e.message }, null, 2));
      else printRowErrors(ctx, errors, errors.length, IMPORT_LIMITS.maxErrors);
      ctx.err(`xuncha: ${e.message.replace(/ \(first: .*\)$/, '')}`);
      return 1;
    }
  },
};

export const exportCommand: Command = {
  words: ['export'],
  usage: 'xuncha export --format xlsx|csv|json --out FILE [--lang zh|en]',
  summary: 'export the whole inventory (Chinese headers by default; --out - for stdout)',
  options: { format: { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' } },
  optionHelp: { format: 'file format (default: from the --out extension)', out: 'file, device or FIFO to write; - for stdout', lang: 'header language (default zh)' },
  async run({ positionals, values }, ctx) {
    if (positionals.length) throw new UsageError(`unexpected ${positionals[0]} (usage: ${exportCommand.usage})`);
    const out = values.out as string | undefined;
    const { EXPORT_FORMATS, exportInventory } = await import('../../inventory/export.js');
    const fromExt = out && out !== '-' ? extname(out).slice(1).toLowerCase() : undefined;
    const format = ((values.format as string | undefined) ?? (fromExt && (EXPORT_FORMATS as readonly string[]).includes(fromExt) ? fromExt : undefined)) as ExportFormat | undefined;
    if (!format || !EXPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const lang = (values.lang as string | undefined) ?? 'zh';
    if (lang !== 'zh' && lang !== 'en') throw new UsageError('--lang must be zh or en');
    if (!out) throw new UsageError('--out FILE is required (--out - writes to stdout)');
    const binary = format === 'xlsx';
    if (out === '-') refuseBinaryOnTerminal(binary, 'an .xlsx');
    const { db } = await ctx.openDb();
    const body = await exportInventory(db, format, { lang });
    const where = await writeOutput(out, body, { binary, what: 'an .xlsx' });
    if (where !== 'file') return 0; // stdout, a FIFO or a device carries the data alone
    ctx.out(`wrote ${out} (${format}, ${body.length < 10_240 ? `${body.length} bytes` : `${Math.round(body.length / 1024)} KB`})`);
    return 0;
  },
};

export const seedCommand: Command = {
  words: ['seed'],
  usage: 'xuncha seed --demo',
  summary: 'load Linyi departments, counties and sample systems (skips what exists)',
  options: { demo: { type: 'boolean' } },
  optionHelp: { demo: 'the demo inventory (the only seed there is)' },
  async run({ positionals, values }, ctx) {
    if (positionals.length || !values.demo) throw new UsageError('only the demo data can be seeded: xuncha seed --demo');
    const { db } = await ctx.openDb();
    const { seedDemo } = await import('../../inventory/demo.js');
    const n = await seedDemo(db, { principal: ctx.principal });
    ctx.out(
      n.departments || n.systems
        ? `demo inventory loaded: ${n.departments} departments and ${n.systems} systems created`
        : 'demo inventory already loaded: nothing to add',
    );
    return 0;
  },
};

export const inventoryCommands: Command[] = [importCommand, exportCommand, seedCommand];
