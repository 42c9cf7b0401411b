import { t as translate, type MessageKey, type MessageParams } from '../../i18n/index.js';
import {
  BUILT_BY,
  DEPLOYMENTS,
  LIFECYCLES,
  NETWORKS,
  USER_SCOPES,
  type BuiltBy,
  type Deployment,
  type EndpointRole,
  type Lifecycle,
  type Network,
  type SystemStatus,
  type UserScope,
} from '../db/schema/enums.js';

/**
 * The inventory spreadsheet: ONE table of columns that both the import (which headers it accepts) and the
 * export (which headers it writes, in this order) use, so an export can be edited in Excel and imported back.
 *
 * | header written (zh)  | key (en header)  | also accepted on import                 | value                                   |
 * | -------------------- | ---------------- | --------------------------------------- | --------------------------------------- |
 * | 系统编码             | code             | 系统编号                                | stable code                              |
 * | 系统名称             | name             |                                         | text                                     |
 * | 主管部门             | departmentCode   | 建设单位, 所属部门, 主管单位            | department code, full name or short name |
 * | 主管部门名称         | departmentName   |                                         | export only; used when 主管部门 is absent |
 * | 运维单位             | operatorUnit     |                                         | text                                     |
 * | 承建单位             | contractor       | 开发单位                                | text                                     |
 * | 联系人               | contact.name     | contactName                             | text                                     |
 * | 联系电话             | contact.phone    | contactPhone, 电话                      | digits, spaces, + - ( )                  |
 * | 联系邮箱             | contact.email    | contactEmail, 电子邮箱, 邮箱            | e-mail                                   |
 * | 系统简介             | description      | 功能简介, 系统描述                      | text                                     |
 * | 生命周期             | lifecycle        | 状态, 系统状态, 运行状态                | 规划中/建设中/运行中/下线中/已下线       |
 * | 上线日期             | launchedOn       | 上线时间                                | Excel date or text (2019-05-01, 2019/5/1, 2019年5月1日) |
 * | 部署方式             | deployment       | 部署位置                                | 政务云/自建机房/托管/其他                |
 * | 是否上云             | onGovCloud       |                                         | import only: 是 → 政务云 when 部署方式 is absent |
 * | 是否应上云           | cloudRequired    |                                         | 是/否                                    |
 * | 网络                 | network          | 网络类型, 部署网络, 运行网络            | 互联网/电子政务外网/专网                 |
 * | 建设层级             | builtBy          | 建设级别                                | 国家/省/市/县                            |
 * | 等保级别             | mlpsLevel        | 等保等级, 等级保护级别                  | 一级…五级, 第三级, 3; 未定级 → empty      |
 * | 用户范围             | userScope        | 使用范围, 服务对象                      | 面向公众/内部/跨部门                     |
 * | 注册用户数           | registeredUsers  | 用户数                                  | whole number (1.2万 accepted)             |
 * | 访问地址             | endpoints        | 网址, 系统网址, 访问网址, URL           | URLs split by newline ； ; ， 、 or spaces; optional 门户:/应用:/接口:/管理: prefix |
 * | 标签                 | tags             |                                         | split by ， , 、 ； ; or newline           |
 * | 分类结果             | status           |                                         | export only (the classifier's verdict)   |
 *
 * A 序号 column (row numbers) is ignored. Any other header is an error, so typos are caught.
 */
export type ColumnKey =
  | 'code'
  | 'name'
  | 'departmentCode'
  | 'departmentName'
  | 'operatorUnit'
  | 'contractor'
  | 'contact.name'
  | 'contact.phone'
  | 'contact.email'
  | 'description'
  | 'lifecycle'
  | 'launchedOn'
  | 'deployment'
  | 'onGovCloud'
  | 'cloudRequired'
  | 'network'
  | 'builtBy'
  | 'mlpsLevel'
  | 'userScope'
  | 'registeredUsers'
  | 'endpoints'
  | 'tags'
  | 'status';

export interface InventoryColumn {
  key: ColumnKey;
  /** Header the export writes (Chinese); the import accepts it, the key and the aliases. */
  zh: string;
  aliases: readonly string[];
  /** `both`: exported and imported; `export`: written but read-only on import; `import`: accepted, never written. */
  use: 'both' | 'export' | 'import';
  /** Explanation for the 字段说明 sheet of an export. */
  note: string;
  /** Column width in the exported sheet. */
  width: number;
}

export const INVENTORY_COLUMNS: readonly InventoryColumn[] = [
  { key: 'code', zh: '系统编码', aliases: ['系统编号'], use: 'both', width: 16, note: '必填。系统的唯一编码，导入时按编码新增或更新。' },
  { key: 'name', zh: '系统名称', aliases: [], use: 'both', width: 30, note: '必填。' },
  {
    key: 'departmentCode',
    zh: '主管部门',
    aliases: ['建设单位', '所属部门', '主管单位'],
    use: 'both',
    width: 16,
    note: '必填。部门编码、全称或简称均可。',
  },
  { key: 'departmentName', zh: '主管部门名称', aliases: [], use: 'export', width: 24, note: '只读（导出时填写）；没有“主管部门”列时按名称匹配部门。' },
  { key: 'operatorUnit', zh: '运维单位', aliases: [], use: 'both', width: 20, note: '' },
  { key: 'contractor', zh: '承建单位', aliases: ['开发单位'], use: 'both', width: 20, note: '' },
  { key: 'contact.name', zh: '联系人', aliases: ['contactName'], use: 'both', width: 10, note: '' },
  { key: 'contact.phone', zh: '联系电话', aliases: ['contactPhone', '电话'], use: 'both', width: 16, note: '数字、空格、+、-、括号。' },
  { key: 'contact.email', zh: '联系邮箱', aliases: ['contactEmail', '电子邮箱', '邮箱'], use: 'both', width: 24, note: '' },
  { key: 'description', zh: '系统简介', aliases: ['功能简介', '系统描述'], use: 'both', width: 40, note: '' },
  { key: 'lifecycle', zh: '生命周期', aliases: ['状态', '系统状态', '运行状态'], use: 'both', width: 10, note: '规划中、建设中、运行中、下线中、已下线；空白为运行中（已有系统保持不变）。' },
  { key: 'launchedOn', zh: '上线日期', aliases: ['上线时间'], use: 'both', width: 12, note: 'Excel 日期或文本，如 2019-05-01、2019/5/1、2019年5月1日。' },
  { key: 'deployment', zh: '部署方式', aliases: ['部署位置'], use: 'both', width: 10, note: '政务云、自建机房、托管、其他。' },
  { key: 'onGovCloud', zh: '是否上云', aliases: [], use: 'import', width: 8, note: '是/否；没有“部署方式”时“是”即政务云；与部署方式矛盾为错误。' },
  { key: 'cloudRequired', zh: '是否应上云', aliases: [], use: 'both', width: 10, note: '是/否。' },
  { key: 'network', zh: '网络', aliases: ['网络类型', '部署网络', '运行网络'], use: 'both', width: 12, note: '互联网、电子政务外网、专网。' },
  { key: 'builtBy', zh: '建设层级', aliases: ['建设级别'], use: 'both', width: 8, note: '国家、省、市、县。' },
  { key: 'mlpsLevel', zh: '等保级别', aliases: ['等保等级', '等级保护级别'], use: 'both', width: 8, note: '一级至五级（也可写 3、第三级）；未定级留空。' },
  { key: 'userScope', zh: '用户范围', aliases: ['使用范围', '服务对象'], use: 'both', width: 10, note: '面向公众、内部、跨部门。' },
  { key: 'registeredUsers', zh: '注册用户数', aliases: ['用户数'], use: 'both', width: 10, note: '整数。' },
  {
    key: 'endpoints',
    zh: '访问地址',
    aliases: ['网址', '系统网址', '访问网址', 'URL'],
    use: 'both',
    width: 40,
    note: 'http:// 或 https:// 地址，多个用换行、分号、逗号或空格分隔；可加前缀 门户:、应用:、接口:、管理:（默认门户）。',
  },
  { key: 'tags', zh: '标签', aliases: [], use: 'both', width: 16, note: '多个用逗号、顿号、分号或换行分隔。' },
  { key: 'status', zh: '分类结果', aliases: [], use: 'export', width: 10, note: '只读：巡查分类结果，导入时忽略。' },
];

/** Headers that carry no data of ours (row numbers). */
const IGNORED_HEADERS = new Set(['序号', '行号', '序', 'no', 'no.', '#']);

/** Comparable form of a header: NFKC (full-width → ASCII), no spaces, no required-marker `*`, no trailing `（说明）`. */
export function normalizeHeader(h: string): string {
  return h
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/^\*+|\*+$/g, '')
    .replace(/\([^()]*\)$/, '')
    .replace(/^\*+|\*+$/g, '')
    .toLowerCase();
}

const HEADER_INDEX: ReadonlyMap<string, InventoryColumn> = (() => {
  const m = new Map<string, InventoryColumn>();
  for (const c of INVENTORY_COLUMNS) for (const h of [c.zh, c.key, ...c.aliases]) m.set(normalizeHeader(h), c);
  return m;
})();

export type HeaderMatch = { kind: 'column'; column: InventoryColumn } | { kind: 'ignored' } | { kind: 'unknown'; suggestion?: string };

export function matchHeader(header: string): HeaderMatch {
  const n = normalizeHeader(header);
  const column = HEADER_INDEX.get(n);
  if (column) return { kind: 'column', column };
  if (IGNORED_HEADERS.has(n)) return { kind: 'ignored' };
  let best: { h: string; d: number } | undefined;
  for (const c of INVENTORY_COLUMNS) {
    for (const h of [c.zh, c.key, ...c.aliases]) {
      const d = editDistance(n, normalizeHeader(h));
      if (!best || d < best.d) best = { h, d };
    }
  }
  const limit = n.length <= 3 ? 1 : 2;
  return best && best.d <= limit ? { kind: 'unknown', suggestion: best.h } : { kind: 'unknown' };
}

function editDistance(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  let prev = Array.from({ length: B.length + 1 }, (_, i) => i);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    for (let j = 1; j <= B.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (A[i - 1] === B[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[B.length]!;
}

// ——— Value vocabularies (Chinese labels first; the contract's English values are always accepted too) ———

export const LIFECYCLE_ZH: Record<Lifecycle, string> = { planning: '规划中', construction: '建设中', live: '运行中', decommissioning: '下线中', retired: '已下线' };
export const DEPLOYMENT_ZH: Record<Deployment, string> = { gov_cloud: '政务云', self_hosted: '自建机房', hosted: '托管', other: '其他' };
export const NETWORK_ZH: Record<Network, string> = { internet: '互联网', egov_extranet: '电子政务外网', private: '专网' };
export const BUILT_BY_ZH: Record<BuiltBy, string> = { national: '国家', provincial: '省', municipal: '市', county: '县' };
export const USER_SCOPE_ZH: Record<UserScope, string> = { public: '面向公众', internal: '内部', cross_department: '跨部门' };
export const ENDPOINT_ROLE_ZH: Record<EndpointRole, string> = { portal: '门户', app: '应用', api: '接口', admin: '管理' };
export const STATUS_ZH: Record<SystemStatus, string> = { active: '正常', semi_zombie: '半僵尸', zombie: '僵尸', insufficient_evidence: '证据不足', exempt: '豁免' };
const MLPS_ZH = ['', '一级', '二级', '三级', '四级', '五级'] as const;

const EXTRA_LABELS = {
  lifecycle: { 规划: 'planning', 拟建: 'planning', 在建: 'construction', 建设: 'construction', 运行: 'live', 在用: 'live', 在运行: 'live', 正常运行: 'live', 试运行: 'live', 停用: 'retired', 已停用: 'retired', 已关停: 'retired' },
  deployment: { 自建: 'self_hosted', 本地机房: 'self_hosted', 托管机房: 'hosted', 第三方托管: 'hosted', 政务云平台: 'gov_cloud' },
  network: { 政务外网: 'egov_extranet', 外网: 'egov_extranet', 内网: 'private', 政务内网: 'private', 专用网络: 'private', 公网: 'internet' },
  builtBy: { 国家级: 'national', 国家部委: 'national', 省级: 'provincial', 市级: 'municipal', 县级: 'county', 县区: 'county', 区县: 'county', 区: 'county', 县区级: 'county' },
  userScope: { 公众: 'public', 社会公众: 'public', 部门内部: 'internal', 内部使用: 'internal', 跨部门使用: 'cross_department' },
} as const;

function vocabulary<T extends string>(values: readonly T[], zh: Record<T, string>, extra: Record<string, T>) {
  const m = new Map<string, T>();
  for (const v of values) {
    m.set(v.toLowerCase(), v);
    m.set(v.toLowerCase().replace(/_/g, '-'), v);
    m.set(zh[v], v);
  }
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
}

const VOCAB = {
  lifecycle: vocabulary(LIFECYCLES, LIFECYCLE_ZH, EXTRA_LABELS.lifecycle),
  deployment: vocabulary(DEPLOYMENTS, DEPLOYMENT_ZH, EXTRA_LABELS.deployment),
  network: vocabulary(NETWORKS, NETWORK_ZH, EXTRA_LABELS.network),
  builtBy: vocabulary(BUILT_BY, BUILT_BY_ZH, EXTRA_LABELS.builtBy),
  userScope: vocabulary(USER_SCOPES, USER_SCOPE_ZH, EXTRA_LABELS.userScope),
};
const ZH = { lifecycle: LIFECYCLE_ZH, deployment: DEPLOYMENT_ZH, network: NETWORK_ZH, builtBy: BUILT_BY_ZH, userScope: USER_SCOPE_ZH } as const;
export type EnumKey = keyof typeof VOCAB;

// ——— Cells ———

/** A cell as read from a file, before interpretation. `{error}`: an Excel error value or an unusable formula. */
export type Cell = string | number | boolean | Date | null | { error: string };

/** A failure carries its catalogue message (`key`, `params`) for pages; `message` is its English text. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; key?: MessageKey; params?: MessageParams };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (key: MessageKey, params: MessageParams): Parsed<never> => ({ ok: false, message: translate('en', key, params), key, params });

/**
 * Text a spreadsheet program would run as a formula (= + - @, or a leading tab/CR) is written with a `'`
 * in front; the import removes exactly that one `'` again. Values that already start with `'` before such a
 * character get one more, so every value survives the round trip.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
export function escapeFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}
export function unescapeFormula(s: string): string {
  return s.startsWith("'") && FORMULA_START.test(s.slice(1)) ? s.slice(1) : s;
}

/**
 * OOXML stores a character as `_xHHHH_` in cell text (Excel writes a CR as `_x000D_`), so text that
 * itself reads `_xHHHH_` must be written with its underscore escaped (`_x005F_xHHHH_`). Both ways are
 * exact inverses: unescapeOoxml(escapeOoxml(s)) === s for every string.
 */
const OOXML_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;
// Characters XML cannot carry (controls, U+FFFE/U+FFFF, lone surrogates) and CR (XML turns CRLF into LF).
const UNSAFE = '[\\u0000-\\u0008\\u000B-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
// One pass: an unsafe character, or a `_` that would start an `_xHHHH_` once written — followed by
// `xHHHH` and then `_` or an unsafe character (which is written as `_x…_`).
const OOXML_WRITE = new RegExp(`${UNSAFE}|_(?=x[0-9A-Fa-f]{4}(?:_|${UNSAFE}))`, 'g');
export function escapeOoxml(s: string): string {
  return s.replace(OOXML_WRITE, (ch) => `_x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}
export function unescapeOoxml(s: string): string {
  return s.replace(OOXML_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function isBlank(c: Cell): boolean {
  return c === null || (typeof c === 'string' && c.trim() === '');
}

/** A value as quoted in a message: at most 60 characters. */
export function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Text of a cell; numbers, dates and booleans as a person would type them. */
export function cellText(c: Cell): Parsed<string | null> {
  if (c === null) return ok(null);
  if (typeof c === 'object' && !(c instanceof Date)) return fail('import.cell.error', { error: c.error });
  if (typeof c === 'string') {
    const s = unescapeFormula(c);
    return ok(s.trim() === '' ? null : s);
  }
  if (typeof c === 'number') return ok(String(c));
  if (typeof c === 'boolean') return ok(c ? '是' : '否');
  return ok(isoDate(c));
}

export function parseEnum<K extends EnumKey>(key: K, c: Cell): Parsed<string | null> {
  const t = cellText(c);
  if (!t.ok || t.value === null) return t;
  const n = t.value.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
  const v = VOCAB[key].get(n);
  if (v) return ok(v);
  const labels = Object.values(ZH[key] as Record<string, string>);
  return fail('import.enum', { value: clip(t.value), allowed: labels.join('、') });
}

const TRUE = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', '对', '应上云', '已上云']);
const FALSE = new Set(['否', 'n', 'no', 'false', '0', '×', '✗', '不', '不应上云', '未上云']);
export function parseBool(c: Cell): Parsed<boolean | null> {
  if (typeof c === 'boolean') return ok(c);
  if (typeof c === 'number' && (c === 0 || c === 1)) return ok(c === 1);
  const t = cellText(c);
  if (!t.ok || t.value === null) return t as Parsed<null>;
  const n = t.value.normalize('NFKC').trim().toLowerCase();
  if (TRUE.has(n)) return ok(true);
  if (FALSE.has(n)) return ok(false);
  return fail('import.bool', { value: clip(t.value) });
}

const CN_DIGIT: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5 };
const UNGRADED = new Set(['未定级', '未定', '未评级', '未测评', '无', '暂无', '-', '—', '/', 'none', 'null', 'n/a']);
export function parseMlps(c: Cell): Parsed<number | null> {
  if (typeof c === 'number') return Number.isInteger(c) && c >= 1 && c <= 5 ? ok(c) : fail('import.mlps', { value: String(c) });
  const t = cellText(c);
  if (!t.ok || t.value === null) return t as Parsed<null>;
  const n = t.value.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
  if (UNGRADED.has(n)) return ok(null);
  const core = n.replace(/等级保护|等保|保护|第|级/g, '');
  const level = CN_DIGIT[core];
  if (level) return ok(level);
  return fail('import.mlps', { value: clip(t.value) });
}

export function parseInteger(c: Cell): Parsed<number | null> {
  if (typeof c === 'number') return Number.isInteger(c) ? ok(c) : fail('import.integer', { value: String(c) });
  const t = cellText(c);
  if (!t.ok || t.value === null) return t as Parsed<null>;
  const s = t.value.normalize('NFKC').replace(/[\s,]/g, '');
  const m = /^(\d+(?:\.\d+)?)(万|亿)?$/.exec(s);
  if (!m) return fail('import.integer', { value: clip(t.value) });
  const n = Number(m[1]) * (m[2] === '万' ? 10_000 : m[2] === '亿' ? 100_000_000 : 1);
  const rounded = Math.round(n);
  if (Math.abs(n - rounded) > 1e-6) return fail('import.integer', { value: clip(t.value) });
  return ok(rounded);
}

export function isoDate(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Excel serial day number (1900 system) to a date; Excel stores dates as days since 1899-12-30. */
function fromSerial(n: number): string {
  return isoDate(new Date(Date.UTC(1899, 11, 30) + Math.floor(n) * 86_400_000));
}

/** Dates come as Excel dates (exceljs gives them as UTC midnight), serial numbers or text. Result: YYYY-MM-DD or a message. */
export function parseDate(c: Cell): Parsed<string | null> {
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? fail('import.date', { value: String(c) }) : ok(isoDate(c));
  if (typeof c === 'number') return c >= 1 && c < 2_958_466 ? ok(fromSerial(c)) : fail('import.date', { value: String(c) });
  const t = cellText(c);
  if (!t.ok || t.value === null) return t as Parsed<null>;
  const s = t.value.normalize('NFKC').trim();
  let m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) {
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    // A calendar day only: 2026-13-40 or 2026-02-30 is a typo to show, not a date to roll over.
    const d = new Date(`${iso}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && isoDate(d) === iso ? ok(iso) : fail('import.date', { value: clip(t.value) });
  }
  if (/^\d{5}(\.\d+)?$/.test(s)) return ok(fromSerial(Number(s)));
  return fail('import.date', { value: clip(t.value) });
}

const ROLE_PREFIX: Record<string, EndpointRole> = {
  门户: 'portal',
  门户网站: 'portal',
  应用: 'app',
  app: 'app',
  接口: 'api',
  api: 'api',
  管理: 'admin',
  管理端: 'admin',
  管理后台: 'admin',
  portal: 'portal',
  admin: 'admin',
};
const ROLE_PREFIX_RE = new RegExp(`(^|[\\s;；，、])(${Object.keys(ROLE_PREFIX).join('|')})\\s*[:：]\\s*`, 'giu');

/** Several URLs in one cell; `门户:https://…` names the role (default portal). URLs themselves are checked by the schema. */
export function parseEndpoints(c: Cell): Parsed<Array<{ url: string; role: EndpointRole }>> {
  const t = cellText(c);
  if (!t.ok) return t;
  if (t.value === null) return ok([]);
  const marked = t.value.normalize('NFC').replace(ROLE_PREFIX_RE, (_m, sep: string, role: string) => `${sep}\u0000${role.toLowerCase()}\u0000`);
  const out: Array<{ url: string; role: EndpointRole }> = [];
  for (const token of marked.split(/[\s;；，、]+/)) {
    if (!token) continue;
    const m = /^\u0000([^\u0000]+)\u0000(.*)$/.exec(token);
    if (m) {
      if (!m[2]) return fail('import.endpointPrefix', { value: clip(t.value), prefix: m[1]! });
      out.push({ url: m[2], role: ROLE_PREFIX[m[1]!] ?? 'portal' });
    } else out.push({ url: token, role: 'portal' });
  }
  return ok(out);
}

export function parseTags(c: Cell): Parsed<string[]> {
  const t = cellText(c);
  if (!t.ok) return t;
  if (t.value === null) return ok([]);
  return ok(
    t.value
      .split(/[,，、;；\n\r]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

// ——— Export formatting ———

export type ExportLang = 'zh' | 'en';

/** One system as the export writes it (the API shape of `toSystemDto`). */
export interface ExportSystem {
  code: string;
  name: string;
  departmentCode: string;
  departmentName: string;
  operatorUnit: string | null;
  contractor: string | null;
  contact: { name: string | null; phone: string | null; email: string | null };
  description: string | null;
  lifecycle: Lifecycle;
  launchedOn: string | null;
  deployment: Deployment;
  cloudRequired: boolean;
  network: Network;
  builtBy: BuiltBy;
  mlpsLevel: number | null;
  userScope: UserScope;
  registeredUsers: number | null;
  endpoints: Array<{ url: string; role: EndpointRole }>;
  tags: string[];
  status: SystemStatus;
}

export const EXPORT_COLUMNS = INVENTORY_COLUMNS.filter((c) => c.use !== 'import');

export function exportHeader(c: InventoryColumn, lang: ExportLang): string {
  return lang === 'zh' ? c.zh : c.key;
}

/** A cell's value for export: text (not yet formula-escaped), a number, or a date (YYYY-MM-DD) marked for a date cell. */
export type ExportCell = string | number | { date: string } | null;

export function exportCell(c: InventoryColumn, s: ExportSystem, lang: ExportLang): ExportCell {
  const zh = lang === 'zh';
  const label = <T extends string>(map: Record<T, string>, v: T) => (zh ? map[v] : v);
  switch (c.key) {
    case 'code':
      return s.code;
    case 'name':
      return s.name;
    case 'departmentCode':
      return s.departmentCode;
    case 'departmentName':
      return s.departmentName;
    case 'operatorUnit':
      return s.operatorUnit;
    case 'contractor':
      return s.contractor;
    case 'contact.name':
      return s.contact.name;
    case 'contact.phone':
      return s.contact.phone;
    case 'contact.email':
      return s.contact.email;
    case 'description':
      return s.description;
    case 'lifecycle':
      return label(LIFECYCLE_ZH, s.lifecycle);
    case 'launchedOn':
      return s.launchedOn ? { date: s.launchedOn } : null;
    case 'deployment':
      return label(DEPLOYMENT_ZH, s.deployment);
    case 'onGovCloud':
      return zh ? (s.deployment === 'gov_cloud' ? '是' : '否') : String(s.deployment === 'gov_cloud');
    case 'cloudRequired':
      return zh ? (s.cloudRequired ? '是' : '否') : String(s.cloudRequired);
    case 'network':
      return label(NETWORK_ZH, s.network);
    case 'builtBy':
      return label(BUILT_BY_ZH, s.builtBy);
    case 'mlpsLevel':
      return s.mlpsLevel === null ? null : zh ? (MLPS_ZH[s.mlpsLevel] ?? s.mlpsLevel) : s.mlpsLevel;
    case 'userScope':
      return label(USER_SCOPE_ZH, s.userScope);
    case 'registeredUsers':
      return s.registeredUsers;
    case 'endpoints':
      return s.endpoints.length
        ? s.endpoints.map((e) => (e.role === 'portal' ? e.url : `${zh ? ENDPOINT_ROLE_ZH[e.role] : e.role}:${e.url}`)).join('\n')
        : null;
    case 'tags':
      return s.tags.length ? s.tags.join(zh ? '，' : ', ') : null;
    case 'status':
      return label(STATUS_ZH, s.status);
  }
}
