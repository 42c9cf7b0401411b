import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { decodeCsv, parseCsv } from '../../src/inventory/import/csv.js';
import { detectFormat } from '../../src/inventory/import/index.js';
import {
  escapeFormula,
  matchHeader,
  parseBool,
  parseDate,
  parseEndpoints,
  parseEnum,
  parseInteger,
  parseMlps,
  parseTags,
  unescapeFormula,
} from '../../src/inventory/spreadsheet.js';

const value = <T>(p: { ok: true; value: T } | { ok: false; message: string }) => {
  if (!p.ok) throw new Error(p.message);
  return p.value;
};

describe('inventory spreadsheet columns and values', () => {
  it('matches Chinese headers, English keys and aliases, ignoring spaces, * markers and notes', () => {
    const key = (h: string) => {
      const m = matchHeader(h);
      return m.kind === 'column' ? m.column.key : m.kind;
    };
    expect(key('系统编码')).toBe('code');
    expect(key(' 系统名称* ')).toBe('name');
    expect(key('＊系统名称')).toBe('name');
    expect(key('建设单位')).toBe('departmentCode');
    expect(key('主管部门')).toBe('departmentCode');
    expect(key('所属部门')).toBe('departmentCode');
    expect(key('上线日期（YYYY-MM-DD）')).toBe('launchedOn');
    expect(key('contact.phone')).toBe('contact.phone');
    expect(key('DepartmentCode')).toBe('departmentCode');
    expect(key('状态')).toBe('lifecycle');
    expect(key('序号')).toBe('ignored');
    expect(matchHeader('联系电活')).toEqual({ kind: 'unknown', suggestion: '联系电话' });
    expect(matchHeader('备注')).toEqual({ kind: 'unknown' });
  });

  it('reads the Chinese and English vocabularies', () => {
    expect(value(parseEnum('lifecycle', '运行中'))).toBe('live');
    expect(value(parseEnum('lifecycle', '已下线'))).toBe('retired');
    expect(value(parseEnum('lifecycle', 'decommissioning'))).toBe('decommissioning');
    expect(value(parseEnum('deployment', '政务云'))).toBe('gov_cloud');
    expect(value(parseEnum('deployment', 'self-hosted'))).toBe('self_hosted');
    expect(value(parseEnum('network', '电子政务外网'))).toBe('egov_extranet');
    expect(value(parseEnum('network', '专网'))).toBe('private');
    expect(value(parseEnum('builtBy', '省'))).toBe('provincial');
    expect(value(parseEnum('builtBy', '县级'))).toBe('county');
    expect(value(parseEnum('userScope', '跨部门'))).toBe('cross_department');
    expect(value(parseEnum('lifecycle', null))).toBeNull();
    expect(parseEnum('lifecycle', '在线')).toEqual({
      ok: false,
      message: '"在线" is not one of 规划中、建设中、运行中、下线中、已下线',
      key: 'import.enum',
      params: { value: '在线', allowed: '规划中、建设中、运行中、下线中、已下线' },
    });
    expect(value(parseBool('是'))).toBe(true);
    expect(value(parseBool('否'))).toBe(false);
    expect(value(parseBool(true))).toBe(true);
    expect(parseBool('也许').ok).toBe(false);
  });

  it('reads protection levels in every way people write them', () => {
    for (const [given, level] of [
      ['一级', 1],
      ['二级', 2],
      ['第三级', 3],
      ['三级等保', 3],
      ['等保四级', 4],
      ['五级', 5],
      ['3', 3],
      [3, 3],
      ['未定级', null],
      ['', null],
      [null, null],
    ] as const) {
      expect(value(parseMlps(given)), String(given)).toBe(level);
    }
    expect(parseMlps('六级').ok).toBe(false);
    expect(parseMlps(7).ok).toBe(false);
  });

  it('reads dates as Excel dates, serial numbers and text', () => {
    expect(value(parseDate(new Date(Date.UTC(2019, 4, 1))))).toBe('2019-05-01');
    expect(value(parseDate(43586))).toBe('2019-05-01');
    expect(value(parseDate('2019-05-01'))).toBe('2019-05-01');
    expect(value(parseDate('2019/5/1'))).toBe('2019-05-01');
    expect(value(parseDate('2019.5.1'))).toBe('2019-05-01');
    expect(value(parseDate('2019年5月1日'))).toBe('2019-05-01');
    expect(value(parseDate('20190501'))).toBe('2019-05-01');
    expect(value(parseDate('2019-05-01 00:00:00'))).toBe('2019-05-01');
    expect(parseDate('去年').ok).toBe(false);
    expect(value(parseDate('2024-02-29'))).toBe('2024-02-29');
    for (const typo of ['2026-13-40', '2026-02-30', '2025-02-29', '2026年0月1日', '20261301']) expect(parseDate(typo).ok, typo).toBe(false);
  });

  it('splits several addresses and reads their roles', () => {
    expect(value(parseEndpoints('https://a.example/\n接口:https://a.example/api ； 管理：https://a.example/admin，应用: https://m.a.example'))).toEqual([
      { url: 'https://a.example/', role: 'portal' },
      { url: 'https://a.example/api', role: 'api' },
      { url: 'https://a.example/admin', role: 'admin' },
      { url: 'https://m.a.example', role: 'app' },
    ]);
    expect(value(parseEndpoints('http://a.example http://b.example;http://c.example、API:http://d.example'))).toHaveLength(4);
    expect(value(parseEndpoints(null))).toEqual([]);
    expect(value(parseTags('一网通办，爱山东、 数字临沂;政务云\n12345'))).toEqual(['一网通办', '爱山东', '数字临沂', '政务云', '12345']);
  });

  it('reads whole numbers with separators and 万', () => {
    expect(value(parseInteger('12,345'))).toBe(12345);
    expect(value(parseInteger('1.2万'))).toBe(12000);
    expect(value(parseInteger(500))).toBe(500);
    expect(parseInteger('1.5').ok).toBe(false);
    expect(parseInteger('很多').ok).toBe(false);
  });

  it('escapes formula text losslessly: unescape(escape(s)) = s, and escaped text never starts a formula', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('=', '+', '-', '@', "'", '\t', '\r', 'a', '中', ' ', '1') }), (s) => {
        const e = escapeFormula(s);
        expect(unescapeFormula(e)).toBe(s);
        expect(/^[=+\-@\t\r]/.test(e)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(escapeFormula('=1+1')).toBe("'=1+1");
    expect(escapeFormula('普通')).toBe('普通');
    expect(unescapeFormula("'普通")).toBe("'普通");
  });
});

describe('CSV decoding and parsing', () => {
  it('parses RFC 4180: quotes, doubled quotes, line breaks inside fields, CRLF/LF/CR', () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
    ]);
    expect(parseCsv('a,b\nc,\rd,e')).toEqual([
      ['a', 'b'],
      ['c', ''],
      ['d', 'e'],
    ]);
    expect(parseCsv('名称\t编码\n甲\t1\n')).toEqual([
      ['名称', '编码'],
      ['甲', '1'],
    ]);
    expect(() => parseCsv('a,b\n"open,c\n')).toThrow(/opened on line 2 is never closed/);
    // The line of the quote itself, past a closed multi-line field of the same record, in CRLF files too.
    expect(() => parseCsv('a,b\r\n"two\r\nlines","open\r\nmore\r\n')).toThrow(/opened on line 3 is never closed/);
    expect(() => parseCsv('a,b\n"x""y",1\n甲,"乙\n')).toThrow(/opened on line 3 is never closed/);
  });

  it('round-trips any table through RFC 4180 quoting', () => {
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', '中', ' ', "'") });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (table) => {
        const width = table[0]!.length;
        const rows = table.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? 'x'));
        const text = rows.map((r) => r.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')).join('\r\n');
        expect(parseCsv(text)).toEqual(rows);
      }),
    );
  });

  it('decodes UTF-8 with and without BOM, UTF-16 and GB18030, and refuses mixtures', () => {
    const utf8 = Buffer.from('系统编码,系统名称\n', 'utf8');
    expect(decodeCsv(utf8)).toEqual({ text: '系统编码,系统名称\n', encoding: 'utf-8' });
    expect(decodeCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]))).toEqual({ text: '系统编码,系统名称\n', encoding: 'utf-8' });
    expect(decodeCsv(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('编码\t名称', 'utf16le')])).text).toBe('编码\t名称');
    // 临沂 in GB18030
    const gb = Buffer.from([0xc1, 0xd9, 0xd2, 0xca]);
    expect(decodeCsv(gb)).toEqual({ text: '临沂', encoding: 'gb18030' });
    const mixed = Buffer.concat([Buffer.from('a,b\n临沂,1\n', 'utf8'), gb, Buffer.from(',2\n')]);
    expect(() => decodeCsv(mixed)).toThrow(/mixes text encodings: line 2 is UTF-8 but line 3 is not .*first offending line: 3/);
    const bomThenGb = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n'), gb]);
    expect(() => decodeCsv(bomThenGb)).toThrow(/byte-order mark.*first offending line: 2/);
    expect(() => decodeCsv(Buffer.from([0x61, 0x00, 0x62]))).toThrow(AppError);
  });

  it('picks the format from the name, the media type, or the bytes', () => {
    expect(detectFormat(Buffer.from('x'), 'a.XLSX')).toBe('xlsx');
    expect(detectFormat(Buffer.from('PK'), 'a.csv')).toBe('csv');
    expect(detectFormat(Buffer.from('x'), undefined, 'text/csv; charset=gbk')).toBe('csv');
    expect(detectFormat(Buffer.from('PK\u0003\u0004'))).toBe('xlsx');
    expect(() => detectFormat(Buffer.from('x'), 'a.xls')).toThrow(/save it as \.xlsx/);
  });
});
