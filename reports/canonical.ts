import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no insignificant whitespace (unless `indent`),
 * `undefined` members dropped, Dates as ISO strings. The same value always gives the same bytes, so a
 * SHA-256 over it identifies evidence packs and report inputs. Non-finite numbers and values JSON cannot
 * carry (functions, symbols, bigint, Maps, class instances other than Date) are refused rather than
 * silently changed.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown, indent = 0): string {
  const out: string[] = [];
  write(value, out, indent, 0, '$');
  return out.join('');
}

function write(value: unknown, out: string[], indent: number, depth: number, path: string): void {
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
      out.push(Object.is(value, -0) ? '0' : JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value} at ${path}`);
  }
  if (value instanceof Date) {
    out.push(JSON.stringify(value.toISOString()));
    return;
  }
  const nl = indent > 0 ? '\n' + ' '.repeat(indent * (depth + 1)) : '';
  const close = indent > 0 ? '\n' + ' '.repeat(indent * depth) : '';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      out.push(nl);
      write(item === undefined ? null : item, out, indent, depth + 1, `${path}[${i}]`);
    });
    out.push(close, ']');
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`canonicalJson: cannot encode ${proto?.constructor?.name ?? 'object'} at ${path}`);
  }
  const keys = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort(compareCodeUnits);
  if (keys.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{');
  keys.forEach((k, i) => {
    if (i > 0) out.push(',');
    out.push(nl, JSON.stringify(k), indent > 0 ? ': ' : ':');
    write((value as Record<string, unknown>)[k], out, indent, depth + 1, `${path}.${k}`);
  });
  out.push(close, '}');
}

/** Plain code-unit order: deterministic everywhere, unlike `localeCompare`, whose result depends on ICU data. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
