/**
 * Import throughput: a generated 10,000-row .xlsx imported into a fresh database.
 *
 *   npm run bench:import                                  # in-memory PGlite
 *   DATABASE_URL=postgres://…/postgres npm run bench:import   # PostgreSQL: a new database is created and dropped
 *   ROWS=50000 npm run bench:import
 *
 * Prints seconds and rows/s for: first import (all created), a dry run, a re-import (all unchanged) and an
 * import that changes every row (all updated, each audited).
 */
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { cliPrincipal } from '../src/cli/command.js';
import type { Database } from '../src/db/client.js';
import { openPglite } from '../src/db/pglite.js';
import { connectPostgres, postgresClient } from '../src/db/postgres.js';
import { DEMO_DEPARTMENTS, seedDemo } from '../src/inventory/demo.js';
import { importInventory } from '../src/inventory/import/index.js';

const ROWS = Number(process.env.ROWS ?? 10_000);

function adminClient(url: string) {
  return postgresClient(url, 1);
}

/** A fresh database: in-memory PGlite, or a new database on the server of DATABASE_URL (dropped afterwards). */
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
  const probe = adminClient(u.toString());
  const version = (await probe.unsafe('show server_version')) as unknown as Array<{ server_version: string }>;
  await probe.end();
  return {
    label: `PostgreSQL ${version[0]?.server_version ?? ''} (${u.host})`,
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

async function workbook(rows: number, variant: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('系统清单');
  ws.addRow(['序号', '系统编码', '系统名称', '建设单位', '运维单位', '联系人', '联系电话', '联系邮箱', '系统简介', '状态', '上线日期', '部署方式', '是否应上云', '网络', '建设层级', '等保级别', '用户范围', '注册用户数', '访问地址', '标签']);
  const depts = DEMO_DEPARTMENTS.filter((d) => d.level !== 'township');
  for (let n = 0; n < rows; n++) {
    const d = depts[n % depts.length]!;
    ws.addRow([
      n + 1,
      `BENCH-${String(n).padStart(6, '0')}`,
      `${d.shortName}业务系统${n}${variant}`,
      n % 3 === 0 ? d.code : n % 3 === 1 ? d.name : d.shortName,
      '临沂市大数据中心',
      '张伟',
      `0539-8${String(n % 10_000_000).padStart(7, '0')}`,
      `s${n}@linyi.gov.cn.example`,
      `第${n}号系统：${'用于政务服务事项办理、数据共享与统计分析。'.repeat(2)}`,
      ['运行中', '建设中', '运行中', '下线中'][n % 4],
      new Date(Date.UTC(2010 + (n % 15), n % 12, 1 + (n % 28))),
      n % 5 === 0 ? '自建机房' : '政务云',
      n % 7 === 0 ? '否' : '是',
      ['互联网', '电子政务外网', '专网'][n % 3],
      ['国家', '省', '市', '县'][n % 4],
      ['二级', '三级', '未定级'][n % 3],
      ['面向公众', '内部', '跨部门'][n % 3],
      n % 2 ? n * 13 : null,
      `门户:https://s${n}.linyi.gov.cn.example/\n接口:https://s${n}.linyi.gov.cn.example/api/`,
      n % 2 ? '一网通办，政务云' : '数字临沂',
    ]);
  }
  return Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer);
}

async function timed<T>(label: string, rows: number, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  const s = (performance.now() - started) / 1000;
  process.stdout.write(`${label.padEnd(34)} ${s.toFixed(2).padStart(6)} s  ${Math.round(rows / s).toLocaleString('en-US').padStart(8)} rows/s  ${JSON.stringify(result)}\n`);
  return result;
}

const { database, label } = await freshDatabase();
try {
  await seedDemo(database.db);
  const file = await workbook(ROWS, '');
  const changed = await workbook(ROWS, '（新）');
  process.stdout.write(`import of a ${ROWS.toLocaleString('en-US')}-row .xlsx (${(file.length / 1024 / 1024).toFixed(1)} MB) into ${label}\n`);
  const actor = { principal: cliPrincipal() };
  const pick = (s: { created: number; updated: number; unchanged: number; errorCount: number }) => ({ created: s.created, updated: s.updated, unchanged: s.unchanged, errors: s.errorCount });
  await timed('first import (all created)', ROWS, async () => pick(await importInventory(database.db, actor, { bytes: file, fileName: 'bench.xlsx' })));
  await timed('dry run of a changed file', ROWS, async () => pick(await importInventory(database.db, actor, { bytes: changed, fileName: 'bench.xlsx', dryRun: true })));
  await timed('re-import (all unchanged)', ROWS, async () => pick(await importInventory(database.db, actor, { bytes: file, fileName: 'bench.xlsx' })));
  await timed('import changing every row', ROWS, async () => pick(await importInventory(database.db, actor, { bytes: changed, fileName: 'bench.xlsx' })));
} finally {
  await database.close();
}
