import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { asc, count, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import type { Principal } from '../../src/auth/tokens.js';
import type { Db } from '../../src/db/client.js';
import { auditLog, endpoints, systems } from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';

export const admin: Principal = { tokenId: null, name: 'test', role: 'admin', departmentId: null, departmentPath: null, departmentCode: null };
export const actor = { principal: admin };

export const fixture = (name: string) => readFileSync(new URL(`../fixtures/inventory/${name}`, import.meta.url));

export type Row = Array<string | number | boolean | Date | null>;

/** An .xlsx with one sheet of these rows (the first row is the header). */
export async function xlsxOf(rows: Row[], sheetName = '系统清单'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow(r);
  return Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer);
}

export async function readXlsxRows(bytes: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  const out: unknown[][] = [];
  wb.worksheets[0]!.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

export const csvOf = (rows: Row[]) =>
  Buffer.from(
    rows
      .map((r) =>
        r
          .map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null ? '' : String(v)))
          .map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v))
          .join(','),
      )
      .join('\r\n'),
    'utf8',
  );

interface ZipEntry {
  name: string;
  /** Raw deflate data or stored bytes, as they go into the archive. */
  data: Buffer;
  method: 0 | 8;
  uncompressedSize: number;
}

/**
 * A zip archive written by hand, so tests can build hostile ones: `aliases` adds central-directory entries
 * that all point at the first entry's data (the overlapping-files zip bomb).
 */
export function zipOf(entries: ZipEntry[], aliases = 0): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const offsets: number[] = [];
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0, 6);
    h.writeUInt16LE(e.method, 8);
    h.writeUInt32LE(0, 14); // CRC: not checked before inflating
    h.writeUInt32LE(e.data.length, 18);
    h.writeUInt32LE(e.uncompressedSize >>> 0, 22);
    h.writeUInt16LE(name.length, 26);
    offsets.push(offset);
    locals.push(h, name, e.data);
    offset += 30 + name.length + e.data.length;
  }
  const dirEntry = (e: ZipEntry, name: string, at: number) => {
    const n = Buffer.from(name, 'utf8');
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt32LE(e.data.length, 20);
    c.writeUInt32LE(e.uncompressedSize >>> 0, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(at, 42);
    central.push(c, n);
  };
  entries.forEach((e, i) => dirEntry(e, e.name, offsets[i]!));
  for (let i = 0; i < aliases; i++) dirEntry(entries[0]!, `xl/media/copy${i}.bin`, offsets[0]!);
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length + aliases, 8);
  end.writeUInt16LE(entries.length + aliases, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

export const stored = (name: string, text: string): ZipEntry => ({ name, data: Buffer.from(text), method: 0, uncompressedSize: Buffer.byteLength(text) });
export const deflated = (name: string, content: Buffer): ZipEntry => ({ name, data: deflateRawSync(content, { level: 9 }), method: 8, uncompressedSize: content.length });

/** What a reader would notice changed: systems (and their versions), endpoints and audit entries. */
export async function fingerprint(db: Db) {
  const rows = await db.select({ code: systems.code, version: systems.version, updatedAt: systems.updatedAt }).from(systems).orderBy(asc(systems.code));
  const [eps] = await db.select({ n: count() }).from(endpoints);
  const [audit] = await db.select({ n: count() }).from(auditLog);
  return { systems: rows.map((r) => `${r.code}@${r.version}@${r.updatedAt.toISOString()}`), endpoints: eps!.n, audit: audit!.n };
}

export async function auditCount(db: Db, action: string): Promise<number> {
  const [r] = await db.select({ n: count() }).from(auditLog).where(sql`${auditLog.action} = ${action}`);
  return r!.n;
}

/** Runs `fn`, expects an AppError with this code, returns it. */
export async function appError(fn: () => Promise<unknown>, code: AppError['code']): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected an AppError ${code}, but it succeeded`);
}

/** Header row in the order people write it (Chinese). */
export const HEADER: Row = ['序号', '系统编码', '系统名称', '建设单位', '联系人', '联系电话', '联系邮箱', '状态', '上线日期', '部署方式', '是否应上云', '网络', '等保级别', '访问地址', '标签'];

export function goodRow(n: number): Row {
  return [
    n,
    `T-${String(n).padStart(5, '0')}`,
    `测试系统${n}`,
    n % 3 === 0 ? '市大数据局' : n % 3 === 1 ? '371300-GA' : '兰山区',
    '张伟',
    `0539-8${String(n).padStart(7, '0')}`,
    `t${n}@linyi.gov.cn.example`,
    '运行中',
    new Date(Date.UTC(2015 + (n % 9), n % 12, 1 + (n % 28))),
    n % 4 === 0 ? '自建机房' : '政务云',
    '是',
    n % 2 ? '互联网' : '电子政务外网',
    n % 5 === 0 ? '未定级' : '三级',
    `门户:https://t${n}.linyi.gov.cn.example/\n接口:https://t${n}.linyi.gov.cn.example/api/`,
    n % 2 ? '测试，批量' : null,
  ];
}
