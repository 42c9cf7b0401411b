/**
 * The hostile-import suite: zip bombs, lying zip directories, XXE and entity bombs in the workbook XML,
 * wrong cell types, formula cells, `_xHHHH_` text, CSV in every encoding Chinese offices produce (and
 * mixtures), huge rows and binary garbage. Each is a clear 4xx problem+json or a correct import; a refused
 * import writes nothing (a digest of every table before and after); the server answers /healthz after
 * each. Every hostile file is built here: a tiny zip writer (node:zlib), hand-written SpreadsheetML, and
 * exceljs for ordinary workbooks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { smallInventory } from '../support/inventory.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// ---- a tiny zip writer ----
interface ZipEntry {
  name: string;
  data: Buffer;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** Lies for the central directory. */
  declaredSize?: number;
  declaredCompressed?: number;
  /** Point this directory entry at another entry's local header (overlapping files). */
  sameDataAs?: number;
}

function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const offsets: number[] = [];
  const packed: Array<{ body: Buffer; crc: number; size: number; method: number }> = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(e.data, { level: 9 }) : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x0800, 6);
    h.writeUInt16LE(method, 8);
    h.writeUInt32LE(crc32(e.data), 14);
    h.writeUInt32LE(body.length, 18);
    h.writeUInt32LE(e.data.length, 22);
    h.writeUInt16LE(name.length, 26);
    packed.push({ body, crc: crc32(e.data), size: e.data.length, method });
    if (e.sameDataAs !== undefined) {
      offsets.push(offsets[e.sameDataAs]!);
      continue;
    }
    offsets.push(offset);
    locals.push(h, name, body);
    offset += h.length + name.length + body.length;
  }
  const central: Buffer[] = [];
  let dirSize = 0;
  entries.forEach((e, i) => {
    const src = e.sameDataAs !== undefined ? packed[e.sameDataAs]! : packed[i]!;
    const name = Buffer.from(e.name, 'utf8');
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(src.method, 10);
    c.writeUInt32LE(src.crc, 16);
    c.writeUInt32LE(e.declaredCompressed ?? src.body.length, 20);
    c.writeUInt32LE(e.declaredSize ?? src.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offsets[i]!, 42);
    central.push(c, name);
    dirSize += c.length + name.length;
  });
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

// ---- hand-written SpreadsheetML ----
const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="系统清单" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
/** A worksheet of inline-string rows; `raw` cells are inserted as written (entities, formulas, types). */
function sheetXml(rows: Array<Array<string | { raw: string }>>, doctype = ''): string {
  const cols = 'ABCDEFGHIJ';
  const body = rows
    .map((r, i) => `<row r="${i + 1}">${r.map((c, j) => (typeof c === 'string' ? `<c r="${cols[j]}${i + 1}" t="inlineStr"><is><t>${esc(c)}</t></is></c>` : c.raw.replace(/@/g, `${cols[j]}${i + 1}`))).join('')}</row>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body}</sheetData></worksheet>`;
}
function xlsxOf(sheet: string, extra: ZipEntry[] = []): Buffer {
  return zip([
    { name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) },
    { name: '_rels/.rels', data: Buffer.from(RELS) },
    { name: 'xl/workbook.xml', data: Buffer.from(WORKBOOK) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(WORKBOOK_RELS) },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) },
    ...extra,
  ]);
}
const HEADER = ['系统编码', '系统名称', '主管部门'];

async function exceljsWorkbook(fill: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('系统清单');
  ws.addRow(HEADER);
  fill(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---- GB18030: an encoder built from the platform's decoder (two-byte range is enough for our text) ----
const GB = (() => {
  const map = new Map<string, number[]>();
  const dec = new TextDecoder('gb18030');
  for (let a = 0x81; a <= 0xfe; a++) for (let b = 0x40; b <= 0xfe; b++) {
    if (b === 0x7f) continue;
    const ch = dec.decode(Uint8Array.from([a, b]));
    if (ch.length === 1 && ch !== '\ufffd' && !map.has(ch)) map.set(ch, [a, b]);
  }
  return (s: string) => Buffer.from([...s].flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : map.get(ch) ?? (() => { throw new Error(`no GB18030 for ${ch}`); })())));
})();
const utf16be = (s: string) => {
  const le = Buffer.from(s, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
};

async function rows<T>(db: Db, q: ReturnType<typeof sql.raw>): Promise<T[]> {
  const r = (await db.execute(q)) as unknown as { rows?: T[] } & T[];
  return r.rows ?? r;
}
async function digest(db: Db): Promise<string> {
  const tables = await rows<{ t: string }>(db, sql.raw(`select tablename as t from pg_tables where schemaname = 'public' order by 1`));
  const parts = tables.map(({ t }) => `select '${t}' as t, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as h from public."${t}" x`);
  return (await rows<{ t: string; h: string }>(db, sql.raw(parts.join(' union all ') + ' order by 1'))).map((x) => `${x.t}:${x.h}`).join(',');
}

interface Case {
  name: string;
  file: Buffer;
  filename: string;
  type: string;
  /** 'refused': a 4xx; a function: the import must succeed and it checks the result; `either`: a 4xx or a safe import. */
  expect: 'refused' | ((t: TestApp) => Promise<void>) | { either: (t: TestApp) => Promise<void> };
  detail?: RegExp;
}

describe.each(backends)('hostile imports on %s', (backend) => {
  let t: TestApp;
  let entityServer: Server;
  let entityHits = 0;
  let tried = 0;
  let refused = 0;
  let imported = 0;

  beforeAll(async () => {
    t = await startTestApp(backend);
    await smallInventory(t);
    entityServer = createServer((req, res) => {
      entityHits++;
      res.end('<!ENTITY leak "LEAKED">');
    });
    await new Promise<void>((resolve) => entityServer.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => entityServer?.close(() => resolve()));
    await t?.close();
    console.log(`hostile imports (${backend}): ${tried} tried, ${refused} refused with a 4xx, ${imported} imported correctly, 0 5xx`);
  });

  async function system(code: string) {
    const res = await t.call('GET', `/api/v1/systems/${encodeURIComponent(code)}`);
    return res.status === 200 ? ((await res.json()) as { name: string; departmentCode: string }) : null;
  }

  async function attempt(c: Case): Promise<void> {
    const before = await digest(t.database.db);
    tried++;
    const res = await t.call('POST', `/api/v1/imports?filename=${encodeURIComponent(c.filename)}`, { rawBody: c.file as unknown as string, headers: { 'content-type': c.type } });
    const text = await res.text();
    const where = `${c.name}: ${res.status} ${text.slice(0, 400)}`;
    expect(res.status, where).toBeLessThan(500);
    const refusedOk = c.expect === 'refused' || (typeof c.expect === 'object' && res.status >= 400);
    if (refusedOk) {
      expect(res.status, where).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type'), where).toContain('application/problem+json');
      const problem = JSON.parse(text) as { detail: string; status: number };
      expect(problem.status, where).toBe(res.status);
      if (c.detail) expect(problem.detail, where).toMatch(c.detail);
      expect(text, where).not.toMatch(/at \w+ \(|node:internal|\.ts:\d+/);
      expect(await digest(t.database.db), `${c.name}: a refused import wrote something`).toBe(before);
      refused++;
    } else {
      expect(res.status, where).toBe(200);
      await (typeof c.expect === 'function' ? c.expect(t) : (c.expect as { either: (t: TestApp) => Promise<void> }).either(t));
      imported++;
    }
    // The server is still there.
    expect((await t.app.request('/healthz')).status, c.name).toBe(200);
  }

  it('zip bombs and lying zip directories are refused before anything is inflated into memory', async () => {
    const zeros = Buffer.alloc(120 * 1024 * 1024, 0x20);
    const oneMb = Buffer.from(sheetXml([HEADER, ...Array.from({ length: 8000 }, (_, i) => [`OV-${i}`, `重叠${i}`.padEnd(60, '长'), '371302'])]));
    const base = (sheet: Partial<ZipEntry>): ZipEntry[] => [
      { name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) },
      { name: '_rels/.rels', data: Buffer.from(RELS) },
      { name: 'xl/workbook.xml', data: Buffer.from(WORKBOOK) },
      { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(WORKBOOK_RELS) },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheetXml([HEADER])), ...sheet },
    ];
    const cases: Case[] = [
      { name: 'zip bomb: 120 MB of spaces in the worksheet', file: zip(base({ data: zeros })), filename: 'bomb.xlsx', type: XLSX, expect: 'refused', detail: /zip bomb/ },
      { name: 'lying size: the directory says 10 bytes, the data inflates to 120 MB', file: zip(base({ data: zeros, declaredSize: 10 })), filename: 'liar.xlsx', type: XLSX, expect: 'refused', detail: /zip bomb/ },
      { name: 'lying compressed size: past the end of the file', file: zip(base({ declaredCompressed: 0x7fffffff })), filename: 'liar2.xlsx', type: XLSX, expect: 'refused', detail: /damaged|truncated/ },
      { name: 'a 4 GB size declared for a small entry (sizes are measured, not believed)', file: zip(base({ declaredSize: 0xffffffff })), filename: 'zip64.xlsx', type: XLSX, expect: async () => {} },
      {
        name: 'overlapping entries: 200 directory entries share one 1 MB-inflating body',
        file: zip([...base({ data: oneMb }), ...Array.from({ length: 200 }, (_, i) => ({ name: `xl/media/copy${i}.xml`, data: Buffer.alloc(0), sameDataAs: 4 }))]),
        filename: 'overlap.xlsx',
        type: XLSX,
        expect: 'refused',
        detail: /zip bomb/,
      },
      { name: '1,500 entries', file: zip([...base({}), ...Array.from({ length: 1500 }, (_, i) => ({ name: `xl/x${i}.xml`, data: Buffer.from('x') }))]), filename: 'many.xlsx', type: XLSX, expect: 'refused', detail: /files/ },
      { name: 'an encrypted (old .xls / OLE) file', file: Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4000)]), filename: 'old.xlsx', type: XLSX, expect: 'refused', detail: /\.xls/ },
      { name: 'a truncated workbook', file: xlsxOf(sheetXml([HEADER, ['TR-1', '截断', '371302']])).subarray(0, 300), filename: 'cut.xlsx', type: XLSX, expect: 'refused' },
      { name: 'a zip without a workbook (a .docx)', file: zip([{ name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) }, { name: 'word/document.xml', data: Buffer.from('<w/>') }]), filename: 'doc.xlsx', type: XLSX, expect: 'refused', detail: /no Excel workbook/ },
      { name: 'unsupported compression method', file: (() => { const z = zip(base({ method: 0 })); const i = z.lastIndexOf(Buffer.from('xl/worksheets/sheet1.xml')) - 46; z.writeUInt16LE(14, i + 10); return z; })(), filename: 'lzma.xlsx', type: XLSX, expect: 'refused' },
    ];
    for (const c of cases) await attempt(c);
  }, 300_000);

  it('XXE, external DTDs and entity bombs in the workbook XML neither read files, fetch URLs nor blow up', async () => {
    const url = `http://127.0.0.1:${(entityServer.address() as AddressInfo).port}/evil.dtd`;
    const noLeak = (code: string) => ({
      either: async () => {
        const found = await system(code);
        expect(found, code).not.toBeNull();
        expect(found!.name).not.toMatch(/root:|LEAKED|daemon|lollol/);
      },
    });
    const cases: Case[] = [
      {
        name: 'XXE: file:///etc/passwd in an inline string',
        file: xlsxOf(sheetXml([HEADER, ['XXE-1', { raw: '<c r="@" t="inlineStr"><is><t>&xxe;</t></is></c>' }, '371302']], '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')),
        filename: 'xxe.xlsx',
        type: XLSX,
        expect: noLeak('XXE-1'),
      },
      {
        name: 'XXE: an external DTD over HTTP',
        file: xlsxOf(sheetXml([HEADER, ['XXE-2', { raw: '<c r="@" t="inlineStr"><is><t>&leak;</t></is></c>' }, '371302']], `<!DOCTYPE worksheet SYSTEM "${url}">`)),
        filename: 'xxe2.xlsx',
        type: XLSX,
        expect: noLeak('XXE-2'),
      },
      {
        name: 'XXE: a parameter entity over HTTP',
        file: xlsxOf(sheetXml([HEADER, ['XXE-3', '参数实体', '371302']], `<!DOCTYPE worksheet [<!ENTITY % p SYSTEM "${url}"> %p;]>`)),
        filename: 'xxe3.xlsx',
        type: XLSX,
        expect: noLeak('XXE-3'),
      },
      {
        name: 'billion laughs',
        file: xlsxOf(
          sheetXml(
            [HEADER, ['LOL-1', { raw: '<c r="@" t="inlineStr"><is><t>&l9;</t></is></c>' }, '371302']],
            `<!DOCTYPE worksheet [<!ENTITY l0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]>`,
          ),
        ),
        filename: 'lol.xlsx',
        type: XLSX,
        expect: noLeak('LOL-1'),
      },
      {
        name: 'XXE in sharedStrings.xml',
        file: xlsxOf(sheetXml([HEADER, ['XXE-4', { raw: '<c r="@" t="s"><v>0</v></c>' }, '371302']]), [
          { name: 'xl/sharedStrings.xml', data: Buffer.from(`<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>`) },
        ]),
        filename: 'xxe4.xlsx',
        type: XLSX,
        expect: noLeak('XXE-4'),
      },
    ];
    for (const c of cases) await attempt(c);
    expect(entityHits, 'an external entity was fetched').toBe(0);
  }, 300_000);

  it('wrong cell types, formula cells and _xHHHH_ text: row errors or exactly the text', async () => {
    const cases: Case[] = [
      {
        name: 'a number, a boolean and an error where text belongs',
        file: xlsxOf(sheetXml([HEADER, [{ raw: '<c r="@"><v>12345</v></c>' }, { raw: '<c r="@" t="b"><v>1</v></c>' }, { raw: '<c r="@" t="e"><v>#N/A</v></c>' }]])),
        filename: 'types.xlsx',
        type: XLSX,
        expect: 'refused',
      },
      {
        name: 'a shared-string index out of range',
        file: xlsxOf(sheetXml([HEADER, ['SS-1', { raw: '<c r="@" t="s"><v>99999</v></c>' }, '371302']])),
        filename: 'sst.xlsx',
        type: XLSX,
        expect: 'refused',
      },
      {
        name: 'a date where the department belongs',
        file: await exceljsWorkbook((ws) => ws.addRow(['DT-1', '日期部门', new Date(Date.UTC(2020, 0, 1))])),
        filename: 'date.xlsx',
        type: XLSX,
        expect: 'refused',
      },
      {
        name: 'formula cells: the cached result is taken as text, the formula never',
        file: await exceljsWorkbook((ws) => ws.addRow(['FX-1', { formula: 'HYPERLINK("http://evil.example","兰山区公式系统")', result: '兰山区公式系统' }, '371302'])),
        filename: 'formula.xlsx',
        type: XLSX,
        expect: async () => {
          const s = await system('FX-1');
          expect(s?.name).toBe('兰山区公式系统');
        },
      },
      {
        name: 'a formula without a cached result',
        file: await exceljsWorkbook((ws) => ws.addRow(['FX-2', { formula: 'CONCAT("a","b")' }, '371302'])),
        filename: 'formula2.xlsx',
        type: XLSX,
        expect: 'refused',
      },
      {
        name: 'an escaped lone surrogate (_xD800_) is refused with a 4xx',
        file: xlsxOf(sheetXml([HEADER, ['XH-0', '_xD800_系统', '371302']])),
        filename: 'surrogate.xlsx',
        type: XLSX,
        expect: 'refused',
      },
      {
        name: '_xHHHH_ escapes are read as OOXML says: _x005F_ escapes the underscore, _x0041_ is "A"',
        file: await exceljsWorkbook((ws) => ws.addRow(['XH-1', '_x005F_x0041__x005F_x000D_系统_x0041_', '371302'])),
        filename: 'escape.xlsx',
        type: XLSX,
        expect: async () => expect((await system('XH-1'))?.name).toBe('_x0041__x000D_系统A'),
      },
      {
        name: 'text with NUL and a lone surrogate in the XML',
        file: xlsxOf(sheetXml([HEADER, ['NUL-1', { raw: '<c r="@" t="inlineStr"><is><t>a&#0;b</t></is></c>' }, '371302']])),
        filename: 'nul.xlsx',
        type: XLSX,
        expect: 'refused',
      },
      {
        name: 'a 1 MB cell',
        file: xlsxOf(sheetXml([HEADER, ['BIG-1', '长'.repeat(1_000_000), '371302']])),
        filename: 'bigcell.xlsx',
        type: XLSX,
        expect: 'refused',
      },
      {
        name: 'a row 16,000 columns wide',
        file: await exceljsWorkbook((ws) => ws.addRow(['WIDE-1', '宽行', '371302', ...Array.from({ length: 16_000 }, (_, i) => i)])),
        filename: 'wide.xlsx',
        type: XLSX,
        expect: 'refused',
      },
    ];
    for (const c of cases) await attempt(c);
  }, 300_000);

  it('CSV in every encoding: UTF-8 with and without BOM, GB18030, UTF-16 LE/BE; mixtures refused', async () => {
    const text = (code: string, name: string) => `${HEADER.join(',')}\r\n${code},${name},371302\r\n`;
    const tabbed = (code: string, name: string) => `${HEADER.join('\t')}\r\n${code}\t${name}\t371302\r\n`;
    const imports = (code: string, name: string) => async () => expect((await system(code))?.name).toBe(name);
    const cases: Case[] = [
      { name: 'UTF-8 with BOM', file: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text('ENC-1', '兰山区编码一'))]), filename: 'a.csv', type: 'text/csv', expect: imports('ENC-1', '兰山区编码一') },
      { name: 'UTF-8 without BOM', file: Buffer.from(text('ENC-2', '兰山区编码二')), filename: 'b.csv', type: 'text/csv', expect: imports('ENC-2', '兰山区编码二') },
      { name: 'GB18030 (Excel "CSV")', file: GB(text('ENC-3', '兰山区编码三')), filename: 'c.csv', type: 'text/csv', expect: imports('ENC-3', '兰山区编码三') },
      { name: 'UTF-16 LE with tabs (Excel "Unicode text")', file: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tabbed('ENC-4', '兰山区编码四'), 'utf16le')]), filename: 'd.csv', type: 'text/csv', expect: imports('ENC-4', '兰山区编码四') },
      { name: 'UTF-16 BE with tabs', file: Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(tabbed('ENC-5', '兰山区编码五'))]), filename: 'e.csv', type: 'text/csv', expect: imports('ENC-5', '兰山区编码五') },
      { name: 'mixed: a UTF-8 line and a GB18030 line', file: Buffer.concat([Buffer.from(text('MIX-1', '兰山区混合')), GB('MIX-2,兰山区混合二,371302\r\n')]), filename: 'f.csv', type: 'text/csv', expect: 'refused', detail: /UTF-8|GB18030/ },
      { name: 'mixed: a UTF-8 BOM over GB18030 text', file: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), GB(text('MIX-3', '兰山区混合三'))]), filename: 'g.csv', type: 'text/csv', expect: 'refused', detail: /byte-order mark/ },
      { name: 'a UTF-16 BOM over odd bytes', file: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0x41, 0x00, 0x00, 0xd8, 0x41])]), filename: 'h.csv', type: 'text/csv', expect: 'refused' },
      { name: 'formula-looking CSV text is stored as text', file: Buffer.from(text('CSVFX-1', '=1+2')), filename: 'i.csv', type: 'text/csv', expect: imports('CSVFX-1', '=1+2') },
      { name: '_xHHHH_ in CSV is plain text', file: Buffer.from(text('CSVX-1', '_x0041_兰山区')), filename: 'j.csv', type: 'text/csv', expect: imports('CSVX-1', '_x0041_兰山区') },
      { name: 'an unclosed quote', file: Buffer.from(`${HEADER.join(',')}\r\nQ-1,"兰山区,371302\r\n`), filename: 'k.csv', type: 'text/csv', expect: 'refused' },
      { name: '100,001 rows', file: Buffer.from(`${HEADER.join(',')}\n${Array.from({ length: 100_001 }, (_, i) => `R-${i},行${i},371302`).join('\n')}\n`), filename: 'l.csv', type: 'text/csv', expect: 'refused', detail: /at most 100000/ },
      { name: 'a 5 MB line', file: Buffer.from(`${HEADER.join(',')}\n LONG-1,${'长'.repeat(1_700_000)},371302\n`), filename: 'm.csv', type: 'text/csv', expect: 'refused' },
    ];
    for (const c of cases) await attempt(c);
  }, 300_000);

  it('binary garbage, empty files and lying content types', async () => {
    let seed = 7;
    const random = (n: number) => Buffer.from(Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), random(500)]);
    const cases: Case[] = [];
    for (const [label, bytes] of [
      ['random bytes', random(4096)],
      ['a PNG', png],
      ['an empty file', Buffer.alloc(0)],
      ['NUL bytes', Buffer.alloc(1000)],
      ['a zip signature and nothing else', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
      ['UTF-8 with a NUL in a field', Buffer.from(`${HEADER.join(',')}\nNUL-2,a\u0000b,371302\n`)],
    ] as const) {
      for (const [type, filename] of [
        [XLSX, 'garbage.xlsx'],
        ['text/csv', 'garbage.csv'],
        ['application/octet-stream', 'garbage.bin'],
        ['application/json', 'garbage.json'],
      ] as const) {
        cases.push({ name: `${label} as ${type}`, file: bytes as Buffer, filename, type, expect: 'refused' });
      }
    }
    cases.push({
      name: 'only a header row: an import of nothing',
      file: Buffer.from(HEADER.join(',')),
      filename: 'header.csv',
      type: 'text/csv',
      expect: async () => {},
    });
    for (const c of cases) await attempt(c);
    expect(await system('NUL-2')).toBeNull();
  }, 300_000);
});
