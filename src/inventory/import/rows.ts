import { systemCreateSchema, type SystemCreate } from '../schemas.js';
import {
  INVENTORY_COLUMNS,
  cellText,
  isBlank,
  parseBool,
  parseDate,
  parseEndpoints,
  parseEnum,
  parseInteger,
  parseMlps,
  parseTags,
  type Cell,
  type ColumnKey,
  type Parsed,
} from '../spreadsheet.js';
import type { DepartmentDirectory, DepartmentRef, ExistingSystem } from './apply.js';
import { issueMessage, nested, type Localized } from './messages.js';
import { rowError, type HeaderLayout, type ImportRowError, type RawTable } from './table.js';

/** A row that passed validation: the API input it stands for, its department and the stored system it updates. */
export interface ValidRow {
  row: number;
  input: SystemCreate;
  department: DepartmentRef;
  existing?: ExistingSystem;
}

type Field = Exclude<ColumnKey, 'code' | 'name' | 'departmentCode' | 'departmentName' | 'status'>;

const PARSERS: Record<Field, (c: Cell) => Parsed<unknown>> = {
  operatorUnit: cellText,
  contractor: cellText,
  'contact.name': cellText,
  'contact.phone': cellText,
  'contact.email': cellText,
  description: cellText,
  lifecycle: (c) => parseEnum('lifecycle', c),
  launchedOn: parseDate,
  deployment: (c) => parseEnum('deployment', c),
  onGovCloud: parseBool,
  cloudRequired: parseBool,
  network: (c) => parseEnum('network', c),
  builtBy: (c) => parseEnum('builtBy', c),
  mlpsLevel: parseMlps,
  userScope: (c) => parseEnum('userScope', c),
  registeredUsers: parseInteger,
  endpoints: parseEndpoints,
  tags: parseTags,
};

/** Fields a blank cell leaves as they are (new systems get the schema default): they cannot be "empty". */
const KEEP_WHEN_BLANK = new Set<ColumnKey>(['lifecycle', 'deployment', 'onGovCloud', 'cloudRequired', 'network', 'builtBy', 'userScope']);

const ZH_OF = new Map(INVENTORY_COLUMNS.map((c) => [c.key, c.zh]));

export function rowIsBlank(cells: Cell[], layout: HeaderLayout): boolean {
  for (const p of layout.byKey.values()) if (!isBlank(cells[p.index] ?? null)) return false;
  return true;
}

/** Codes named in the file (as they will be looked up), to load the stored systems in a few queries. */
export function collectCodes(table: RawTable, layout: HeaderLayout): string[] {
  const at = layout.byKey.get('code');
  if (!at) return [];
  const out = new Set<string>();
  for (const r of table.rows) {
    if (r.number <= layout.headerRow) continue;
    const t = cellText(r.cells[at.index] ?? null);
    if (t.ok && t.value) out.add(t.value.trim());
  }
  return [...out];
}

function clip(v: unknown): string {
  const s = String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** A parser's failure as a catalogue message (every parser gives one; the English text otherwise). */
function parsedMessage(p: { message: string; key?: Localized['key']; params?: Localized['params'] }): Localized {
  return p.key ? { key: p.key, ...(p.params ? { params: p.params } : {}) } : { key: 'validation.invalid' };
}

/**
 * Every data row to the contract's API shape, validated with `systemCreateSchema` (the one definition of a
 * valid system). Columns the file does not have keep the stored values of an existing system (defaults for
 * a new one); a blank cell clears a field, except fields that cannot be empty (lifecycle, deployment, …),
 * which a blank leaves as they are.
 */
/** Rows checked between two turns of the event loop: 20,000 rows in one go held it for seconds. */
const ROWS_PER_TURN = 250;
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function validateRows(
  table: RawTable,
  layout: HeaderLayout,
  directory: DepartmentDirectory,
  existing: Map<string, ExistingSystem>,
): Promise<{ rows: ValidRow[]; errors: ImportRowError[]; dataRows: number }> {
  const rows: ValidRow[] = [];
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  let dataRows = 0;
  const headerOf = (key: ColumnKey) => layout.byKey.get(key)?.header ?? ZH_OF.get(key) ?? key;
  const deptKey: ColumnKey = layout.byKey.has('departmentCode') ? 'departmentCode' : 'departmentName';

  let sinceTurn = 0;
  for (const r of table.rows) {
    if (++sinceTurn >= ROWS_PER_TURN) {
      sinceTurn = 0;
      await nextTurn();
    }
    if (r.number <= layout.headerRow || rowIsBlank(r.cells, layout)) continue;
    dataRows++;
    const rowErrors: ImportRowError[] = [];
    const failed = new Set<ColumnKey>();
    const err = (key: ColumnKey, m: Localized) => {
      failed.add(key);
      rowErrors.push(rowError(r.number, headerOf(key), m));
    };
    const cellOf = (key: ColumnKey): Cell | undefined => {
      const at = layout.byKey.get(key);
      return at ? (r.cells[at.index] ?? null) : undefined;
    };
    const textOf = (key: ColumnKey): string | null => {
      const c = cellOf(key);
      if (c === undefined) return null;
      const t = cellText(c);
      if (!t.ok) {
        err(key, parsedMessage(t));
        return null;
      }
      return t.value?.trim() || null;
    };

    const code = textOf('code');
    if (code === null && !failed.has('code')) err('code', { key: 'import.empty.code' });
    const name = textOf('name');
    if (name === null && !failed.has('name')) err('name', { key: 'import.empty.name' });
    // An export carries both 主管部门 (code) and 主管部门名称: a name alone still finds the department.
    const deptText = textOf(deptKey) ?? (deptKey === 'departmentCode' && !failed.has(deptKey) ? textOf('departmentName') : null);
    let department: DepartmentRef | undefined;
    if (deptText === null) {
      if (!failed.has(deptKey)) err(deptKey, { key: 'import.empty.department' });
    } else {
      const d = directory.resolve(deptText);
      if (d.ok) department = d.value;
      else err(deptKey, parsedMessage(d));
    }
    if (code !== null) {
      const first = seen.get(code);
      if (first !== undefined) err('code', { key: 'import.duplicateCode', params: { code, first } });
      else seen.set(code, r.number);
    }
    const stored = code !== null ? existing.get(code) : undefined;

    // Parse every present cell; remember which were blank.
    const value = new Map<Field, unknown>();
    const blank = new Set<Field>();
    for (const key of Object.keys(PARSERS) as Field[]) {
      const c = cellOf(key);
      if (c === undefined) continue;
      if (isBlank(c)) blank.add(key);
      const p = PARSERS[key](c);
      if (p.ok) value.set(key, p.value);
      else err(key, parsedMessage(p));
    }
    const present = (key: Field) => value.has(key);
    const s = stored?.row;
    const pick = <T>(key: Field, storedValue: T | undefined, fallback: T): unknown => {
      if (present(key) && !(KEEP_WHEN_BLANK.has(key) && blank.has(key))) return value.get(key);
      if (failed.has(key)) return undefined;
      return storedValue !== undefined ? storedValue : fallback;
    };

    let deployment = pick('deployment', s?.deployment, undefined);
    if (present('onGovCloud') && !blank.has('onGovCloud')) {
      const onCloud = value.get('onGovCloud') as boolean;
      if (present('deployment') && !blank.has('deployment')) {
        if ((deployment === 'gov_cloud') !== onCloud) {
          const written = cellText(cellOf('deployment') ?? null);
          err('onGovCloud', { key: 'import.cloudConflict', params: { value: onCloud ? '是' : '否', deployment: headerOf('deployment'), written: written.ok ? `"${clip(written.value)}"` : '?' } });
        }
      } else if (!failed.has('deployment')) {
        deployment = onCloud ? 'gov_cloud' : s && s.deployment !== 'gov_cloud' ? s.deployment : 'other';
      }
    }

    const candidate: Record<string, unknown> = {
      code: code ?? '',
      name: name ?? '',
      departmentCode: department?.code ?? '',
      operatorUnit: pick('operatorUnit', s?.operatorUnit, null),
      contractor: pick('contractor', s?.contractor, null),
      contact: {
        name: pick('contact.name', s?.contactName, null),
        phone: pick('contact.phone', s?.contactPhone, null),
        email: pick('contact.email', s?.contactEmail, null),
      },
      description: pick('description', s?.description, null),
      lifecycle: pick('lifecycle', s?.lifecycle, undefined),
      launchedOn: pick('launchedOn', s?.launchedOn, null),
      deployment,
      cloudRequired: pick('cloudRequired', s?.cloudRequired, undefined),
      network: pick('network', s?.network, undefined),
      builtBy: pick('builtBy', s?.builtBy, undefined),
      mlpsLevel: pick('mlpsLevel', s?.mlpsLevel, null),
      userScope: pick('userScope', s?.userScope, undefined),
      registeredUsers: pick('registeredUsers', s?.registeredUsers, null),
      endpoints: pick('endpoints', stored?.endpoints.map((e) => ({ url: e.url, role: e.role })), []),
      tags: pick('tags', s?.tags, []),
    };
    for (const k of Object.keys(candidate)) if (candidate[k] === undefined) delete candidate[k];

    const parsed = systemCreateSchema.safeParse(candidate);
    if (!parsed.success) {
      const reported = new Set<string>();
      for (const issue of parsed.error.issues) {
        // One message per field (a bad URL fails both the URL check and the http(s) rule).
        const where = issue.path.map(String).join('.');
        if (reported.has(where)) continue;
        reported.add(where);
        const [head, second, third] = issue.path;
        let key: ColumnKey;
        const problem = issueMessage(issue as Parameters<typeof issueMessage>[0]);
        let m: Localized = problem;
        if (head === 'contact') key = `contact.${String(second)}` as ColumnKey;
        else if (head === 'endpoints' && typeof second === 'number') {
          key = 'endpoints';
          const ep = (candidate.endpoints as Array<{ url: string }>)[second];
          const why: Localized = third === 'url' && ep && !/^https?:\/\//i.test(ep.url) ? { key: 'validation.url' } : problem;
          m = nested('import.endpoint', { n: second + 1, url: clip(ep?.url) }, why);
        } else if (head === 'departmentCode') key = deptKey;
        else key = String(head) as ColumnKey;
        if (failed.has(key)) continue;
        if (key !== 'endpoints') {
          const given = head === 'contact' ? (candidate.contact as Record<string, unknown>)[String(second)] : candidate[String(head)];
          if (typeof given === 'string' && given !== '') m = nested('import.valueProblem', { value: clip(given) }, problem);
        }
        rowErrors.push(rowError(r.number, headerOf(key), m));
      }
    }
    if (rowErrors.length || !parsed.success || !department) {
      // In the order of the file's columns.
      const order = (column: string) => [...layout.byKey.values()].find((p) => p.header === column)?.index ?? -1;
      errors.push(...rowErrors.sort((a, b) => order(a.column) - order(b.column)));
      continue;
    }
    rows.push({ row: r.number, input: parsed.data, department, existing: stored });
  }
  return { rows, errors, dataRows };
}
