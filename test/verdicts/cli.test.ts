import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { addDays, addMonthsToMonth, monthEnd, monthOf } from '../../reports/dates.js';
import { openPglite } from '../../src/db/pglite.js';
import { localDay } from '../../probes/time.js';
import { runCli } from '../support/cli.js';

// Each case waits for real child processes to exit; a loaded machine can take many seconds to start
// one, so the cap only stops a hang and never decides a result.
vi.setConfig({ testTimeout: 600_000 });

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('xuncha classify and xuncha report monthly on the embedded database', () => {
  it('classifies from stored evidence and writes a reproducible monthly report', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'xuncha-verdicts-'));
    dirs.push(dataDir);
    const env = { DATA_DIR: dataDir };
    const today = localDay(new Date());
    const lastMonth = addMonthsToMonth(monthOf(today), -1);

    const seeded = await runCli(['seed', '--demo'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    // Back-date the inventory and give every system 45 days of healthy daily rollups.
    const database = await openPglite({ dataDir, command: 'test' });
    try {
      await database.db.execute(sql`update systems set created_at = created_at - interval '90 days'`);
      await database.db.execute(sql`
        insert into probe_days (system_id, day, probes, ok, failed, outcomes)
        select s.id, d::date, 24, 24, 0, '{"ok":24}'::jsonb
        from systems s cross join generate_series(${addDays(today, -45)}::date, ${today}::date, interval '1 day') d
        where s.lifecycle in ('live', 'decommissioning')`);
    } finally {
      await database.close();
    }

    const past = await runCli(['classify', '--as-of', monthEnd(lastMonth), '--json'], env);
    expect(past.code, past.stderr).toBe(0);
    const pastRun = JSON.parse(past.stdout);
    expect(pastRun).toMatchObject({ asOf: monthEnd(lastMonth), policyVersion: '2026-12-default' });
    // A past day is report-only: its verdicts are printed, nothing is written.
    expect(pastRun).toMatchObject({ recorded: false, changed: 0, findingsOpened: 0 });
    expect(pastRun.items).toHaveLength(pastRun.systems);
    const countHistory = async () => {
      const d = await openPglite({ dataDir, command: 'test' });
      try {
        const res = (await d.db.execute(sql`select count(*)::int as n from status_history`)) as unknown as { rows: Array<{ n: number }> };
        return Number(res.rows[0]!.n);
      } finally {
        await d.close();
      }
    };
    expect(await countHistory()).toBe(0);
    const text = await runCli(['classify', '--as-of', monthEnd(lastMonth)], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/report only, nothing written/);
    const recorded = await runCli(['classify', '--as-of', monthEnd(lastMonth), '--record', '--json'], env);
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ recorded: true, findingsOpened: 0 });
    expect(await countHistory()).toBe(JSON.parse(recorded.stdout).changed);
    const noDay = await runCli(['classify', '--record'], env);
    expect(noDay.code).toBe(2);
    expect(noDay.stderr).toMatch(/--record needs a past --as-of day/);

    const now = await runCli(['classify', '--json'], env);
    expect(now.code, now.stderr).toBe(0);
    const run = JSON.parse(now.stdout);
    expect(Object.keys(run).sort()).toEqual(['asOf', 'changed', 'counts', 'findingsOpened', 'policyVersion', 'systems']);
    expect(run.asOf).toBe(today);
    expect(Object.keys(run.counts).sort()).toEqual(['active', 'exempt', 'insufficient_evidence', 'semi_zombie', 'zombie']);
    expect(Object.values(run.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(run.systems);
    expect(run.systems).toBeGreaterThan(10);

    const out = join(dataDir, 'report.xlsx');
    const first = await runCli(['report', 'monthly', '--month', lastMonth, '--format', 'xlsx', '--out', out], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`${out}: monthly report ${lastMonth}`));
    const a = readFileSync(out);
    expect(a.subarray(0, 2).toString()).toBe('PK');
    const second = await runCli(['report', 'monthly', '--month', lastMonth, '--format', 'xlsx', '--out', out], env);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(out).equals(a)).toBe(true);

    const future = await runCli(['report', 'monthly', '--month', addMonthsToMonth(monthOf(today), 2)], env);
    expect(future.code).toBe(1);
    expect(future.stderr.trim().split('\n')).toHaveLength(1);
    expect(future.stderr).toMatch(/has not started yet/);
    const malformed = await runCli(['report', 'monthly', '--month', '2026-13'], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr.trim().split('\n')).toHaveLength(1);
    expect(malformed.stderr).toMatch(/--month must be a month YYYY-MM/);
  });
});
