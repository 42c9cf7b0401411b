/**
 * Cloud resources at city scale: 10,000 resources (on 2,500 systems, a tenth orphans) × 90 days of
 * utilisation, on a fresh database.
 *
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/res-pg 55473 --fast) npx tsx bench/resources.ts
 *   RESOURCES=2000 npx tsx bench/resources.ts        # in-memory PGlite, smaller
 *
 * Prints seconds for: the ledger import (one CSV), the utilisation import (monitoring-export CSVs of
 * ≤ 100,000 rows each, the import limit), classify (evidence load + classify of every system, as of the
 * last day) and the report (the 云资源利用率 input loaded, built and rendered as JSON). Target (ours): each
 * step under 60 s on PostgreSQL; the ratio to it is printed.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { classify } from '../reports/classify.js';
import { addDays, monthOf } from '../reports/dates.js';
import { defaultPolicy } from '../reports/policy.js';
import { buildResourcesReport } from '../reports/resources-report.js';
import { cliPrincipal } from '../src/cli/command.js';
import type { Database } from '../src/db/client.js';
import { openPglite } from '../src/db/pglite.js';
import { connectPostgres, postgresOptions } from '../src/db/postgres.js';
import { importInventory } from '../src/inventory/import/index.js';
import { loadavg } from 'node:os';
import { DEMO_DEPARTMENTS, seedDemo } from '../src/inventory/demo.js';
import { importLedger } from '../src/resources/ledger.js';
import { importMonitoring } from '../src/resources/monitoring.js';
import { loadResourceReportInput } from '../src/resources/report.js';
import { loadSystemEvidence } from '../src/verdicts/evidence.js';

const RESOURCES = Number(process.env.RESOURCES ?? 10_000);
const DAYS = Number(process.env.DAYS ?? 90);
const LAST = '2026-11-30';
const TARGET_S = 60;

function adminClient(url: string) {
  const { options, ipv6Host } = postgresOptions(url, 1);
  return ipv6Host ? postgres(options) : postgres(url, options);
}

async function freshDatabase(): Promise<{ database: Database; label: string }> {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openPglite();
    await database.migrate();
    return { database, label: 'PGlite (in memory)' };
  }
  const name = `xuncha_bench_${randomBytes(5).toString('hex')}`;
  const admin = adminClient(url);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const inner = connectPostgres(u.toString());
  await inner.migrate();
  return {
    label: `PostgreSQL (${u.host})`,
    database: {
      ...inner,
      async close() {
        await inner.close();
        const a = adminClient(url);
        await a.unsafe(`drop database if exists ${name} with (force)`);
        await a.end();
      },
    },
  };
}

const seconds = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const out = await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${what.padEnd(28)} ${s.toFixed(2).padStart(8)} s   ratio to ${TARGET_S} s target: ${(s / TARGET_S).toFixed(3)}`);
  return out;
};

async function main() {
  const { database, label } = await freshDatabase();
  const db = database.db;
  const actor = { principal: cliPrincipal() };
  const now = new Date(`${addDays(LAST, 1)}T03:00:00Z`);
  try {
    await seedDemo(db, actor);
    const depts = DEMO_DEPARTMENTS.filter((d) => d.level !== 'township');
    const nSystems = Math.ceil(RESOURCES / 4);
    const sysCsv = ['系统编码,系统名称,主管部门,部署方式', ...Array.from({ length: nSystems }, (_, i) => `RB-${String(i).padStart(5, '0')},资源系统${i},${depts[i % depts.length]!.code},政务云`)].join('\n');
    await importInventory(db, actor, { bytes: Buffer.from(sysCsv), fileName: 'systems.csv', now });
    const id = (i: number) => `ecs-${String(i).padStart(6, '0')}`;
    const ledger = [
      '资源ID,资源类型,资源名称,系统编码,vCPU,内存(GB),存储(GB),月费用(元),开通日期',
      ...Array.from({ length: RESOURCES }, (_, i) => [id(i), i % 5 === 4 ? '数据库' : '云主机', `主机${i}`, i % 10 === 9 ? '' : `RB-${String(i % nSystems).padStart(5, '0')}`, 2 + (i % 4) * 2, 4 + (i % 4) * 4, 100, 200 + (i % 7) * 50, '2026-01-01'].join(',')),
    ].join('\n');
    console.log(`${label}: ${RESOURCES} resources on ${nSystems} systems × ${DAYS} days; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    await seconds('ledger import', () => importLedger(db, actor, { bytes: Buffer.from(ledger), fileName: 'ledger.csv', now }));
    // A third of the resources idle, the rest busy.
    const header = '资源ID,日期,CPU平均利用率,CPU P95,CPU最大利用率,内存利用率,入流量,出流量';
    const perFile = Math.floor(100_000 / DAYS);
    await seconds(`utilisation import (${RESOURCES * DAYS} rows)`, async () => {
      for (let from = 0; from < RESOURCES; from += perFile) {
        const lines = [header];
        for (let i = from; i < Math.min(RESOURCES, from + perFile); i++) {
          const idle = (i % Math.ceil(RESOURCES / 4)) % 3 === 0; // a third of the systems have only idle resources
          for (let d = 0; d < DAYS; d++) lines.push(`${id(i)},${addDays(LAST, -d)},${idle ? 1 : 30},${idle ? 3 : 55},${idle ? 4 : 80},${idle ? 10 : 50},${idle ? 1000 : 9e8},${idle ? 1000 : 3e8}`);
        }
        await importMonitoring(db, actor, { bytes: Buffer.from(lines.join('\n')), fileName: `mon-${from}.csv`, now });
      }
    });
    const verdicts = await seconds('classify (load + judge)', async () => {
      const loaded = await loadSystemEvidence(db, { asOf: LAST, policy: defaultPolicy });
      return loaded.map((l) => classify(l.evidence, defaultPolicy, LAST));
    });
    const idleSystems = verdicts.filter((c) => c.reasons.some((r) => r.code === 'resources_idle')).length;
    const report = await seconds('report (load + build)', async () => {
      const input = await loadResourceReportInput(db, monthOf(LAST), LAST, defaultPolicy);
      return buildResourcesReport(input!, monthOf(LAST), { ref: (c) => ({ code: c, name: c, shortName: null, cityLevel: false }), regionOf: () => ({ code: '_city', name: null, shortName: null, cityLevel: true }) });
    });
    console.log(`systems with resources_idle: ${idleSystems}; reclaimable: ${report.reclaimable.total.count} resources, ${report.reclaimable.total.vcpu} vCPU; orphans ${report.orphans.length}`);
  } finally {
    await database.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
