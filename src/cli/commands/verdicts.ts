import { STATUSES } from '../../../reports/codes.js';
import { isDay } from '../../../reports/dates.js';
import { REPORT_FORMATS, type ReportFormat } from '../../../reports/monthly/index.js';
import { isLang } from '../../../i18n/index.js';
import { localDay } from '../../../probes/time.js';
import { UsageError, type Command } from '../command.js';
import { refuseBinaryOnTerminal, writeOutput } from '../output.js';

export const classifyCommand: Command = {
  words: ['classify'],
  usage: 'xuncha classify [--as-of YYYY-MM-DD [--record]] [--json]',
  summary: 'classify every system from stored evidence and open findings',
  options: { 'as-of': { type: 'string' }, record: { type: 'boolean' }, json: { type: 'boolean' } },
  optionHelp: {
    'as-of': 'judge a past day on the evidence of that day; only printed, nothing is written',
    record: 'with a past --as-of: also store its status history for that day (never the current status, findings or stored monthly reports)',
    json: 'print the result as JSON',
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (usage: ${this.usage})`);
    const now = new Date();
    const today = localDay(now, ctx.config.TZ);
    const asOf = values['as-of'] as string | undefined;
    if (asOf !== undefined && !isDay(asOf)) throw new UsageError(`--as-of must be a day YYYY-MM-DD, got "${asOf}"`);
    if (asOf !== undefined && asOf > today) throw new UsageError(`--as-of ${asOf} is in the future (today is ${today})`);
    const record = values.record === true;
    if (record && (asOf === undefined || asOf === today)) throw new UsageError(`--record needs a past --as-of day (today's run always records)`);
    const { db } = await ctx.openDb();
    const { classifyAll } = await import('../../verdicts/classify-run.js');
    const r = await classifyAll(db, { asOf, now, actor: { principal: ctx.principal }, timeZone: ctx.config.TZ, record });
    if (values.json) {
      const base = { asOf: r.asOf, policyVersion: r.policyVersion, systems: r.systems, counts: r.counts, changed: r.changed, findingsOpened: r.findingsOpened };
      ctx.out(JSON.stringify(r.mode === 'current' ? base : { ...base, recorded: r.mode === 'record', items: r.items }));
    } else {
      ctx.out(`classified ${r.systems} systems as of ${r.asOf} with policy ${r.policyVersion}`);
      for (const s of STATUSES) ctx.out(`  ${s.padEnd(22)} ${r.counts[s]}`);
      if (r.mode === 'current') {
        ctx.out(`${r.changed} changed; ${r.findingsOpened} findings opened`);
      } else {
        for (const i of r.items) ctx.out(`${i.code}\t${i.status}\t${i.reasons.join(',') || '-'}\t${i.flags.join(',') || '-'}`);
        ctx.out(
          r.mode === 'record'
            ? `past day: ${r.changed} status history rows recorded for ${r.asOf}; current status, findings and stored reports unchanged`
            : `past day: report only, nothing written (--record stores the status history of ${r.asOf})`,
        );
      }
    }
    return 0;
  },
};

export const reportMonthlyCommand: Command = {
  words: ['report', 'monthly'],
  usage: `xuncha report monthly --month YYYY-MM [--lang zh|en] [--format ${REPORT_FORMATS.join('|')}] [--out FILE]`,
  summary: 'the monthly report (stdout unless --out)',
  options: { month: { type: 'string' }, lang: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  async run({ values, positionals }, ctx) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (usage: ${this.usage})`);
    const month = values.month as string | undefined;
    if (!month) throw new UsageError(`--month YYYY-MM is required (usage: ${this.usage})`);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month must be a month YYYY-MM, got "${month}"`);
    const lang = (values.lang as string | undefined) ?? 'zh';
    if (!isLang(lang)) throw new UsageError(`--lang must be zh or en, got "${lang}"`);
    const format = (values.format as string | undefined) ?? 'html';
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${format}"`);
    const out = values.out as string | undefined;
    if (!out) refuseBinaryOnTerminal(format === 'xlsx', 'an .xlsx report');
    const { db } = await ctx.openDb();
    const { renderMonthlyReport } = await import('../../verdicts/monthly.js');
    const r = await renderMonthlyReport(db, { month, lang, format: format as ReportFormat }, { now: new Date(), timeZone: ctx.config.TZ });
    if (out) {
      const where = await writeOutput(out, r.body, { binary: format === 'xlsx', what: 'an .xlsx report' });
      if (where === 'file') ctx.out(`${out}: monthly report ${r.month} (${lang}, ${format}, ${r.body.length} bytes; inputs sha256 ${r.inputsHash}${r.stored ? '' : '; current month, not stored'})`);
    } else {
      await writeOutput('-', r.body, { binary: format === 'xlsx', what: 'an .xlsx report' });
    }
    return 0;
  },
};

export const findingRemindersCommand: Command = {
  words: ['findings', 'remind'],
  usage: 'xuncha findings remind [--json]',
  summary: 'send due reminders about findings to the webhooks (run daily)',
  options: { json: { type: 'boolean' } },
  async run({ values }, ctx) {
    const { db } = await ctx.openDb();
    const now = new Date();
    const [{ runFindingReminders }, { createNotifier }] = await Promise.all([import('../../verdicts/findings.js'), import('../../notify/index.js')]);
    const r = await runFindingReminders(db, now, createNotifier(db, { now: () => new Date() }), { timeZone: ctx.config.TZ, baseUrl: ctx.config.PUBLIC_URL });
    ctx.out(values.json ? JSON.stringify(r) : `${r.due} reminders due: ${r.sent} sent, ${r.failed} failed, ${r.duplicates} already sent`);
    return 0;
  },
};

export const verdictCommands: Command[] = [classifyCommand, reportMonthlyCommand, findingRemindersCommand];
