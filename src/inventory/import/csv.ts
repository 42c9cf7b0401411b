import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../../errors.js';

export type CsvEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

const bad = (detail: string) => new AppError('bad_request', detail);

/**
 * CSV text from bytes. Excel in China saves "CSV" as GB18030 (GBK), "CSV UTF-8" with a BOM, and
 * "Unicode text" as UTF-16 with tabs. A file that is valid UTF-8 is UTF-8; otherwise it must be GB18030 as a
 * whole. A file whose lines disagree (some UTF-8 with Chinese, some not) was pasted together from two
 * sources: decoding it either way garbles part of it, so it is refused, naming the first line that differs.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: decodeStrict('utf-16le', bytes.subarray(2), 'UTF-16'), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: decodeStrict('utf-16be', bytes.subarray(2), 'UTF-16'), encoding: 'utf-16be' };
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0) throw bad(`not a CSV text file: it holds binary data (line ${lineOf(body, nul)}); import takes .xlsx or .csv`);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    /* not UTF-8 as a whole: below */
  }
  const lines = splitLines(body);
  let firstKind: 'utf8' | 'other' | undefined;
  let firstLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.every((b) => b < 0x80)) continue;
    const kind = validUtf8(line) ? 'utf8' : 'other';
    if (!firstKind) {
      firstKind = kind;
      firstLine = i + 1;
      // A UTF-8 BOM promises UTF-8: the first line that is not is the offender.
      if (bom && kind === 'other') throw mixed(i + 1, 'the file starts with a UTF-8 byte-order mark but this line is not UTF-8');
    } else if (kind !== firstKind) {
      throw mixed(
        i + 1,
        firstKind === 'utf8'
          ? `line ${firstLine} is UTF-8 but line ${i + 1} is not (GB18030/GBK?)`
          : `line ${firstLine} is GB18030/GBK but line ${i + 1} is UTF-8`,
      );
    }
  }
  if (bom) throw mixed(firstLine, 'the file starts with a UTF-8 byte-order mark but is not UTF-8');
  const gb = new TextDecoder('gb18030', { fatal: true });
  try {
    return { text: gb.decode(body), encoding: 'gb18030' };
  } catch {
    for (let i = 0; i < lines.length; i++) {
      try {
        gb.decode(lines[i]!);
      } catch {
        throw bad(`the CSV is neither UTF-8 nor GB18030 text (line ${i + 1} cannot be read); save it as "CSV UTF-8"`);
      }
    }
    throw bad('the CSV is neither UTF-8 nor GB18030 text; save it as "CSV UTF-8"');
  }
}

function mixed(line: number, why: string): AppError {
  return bad(`the CSV mixes text encodings: ${why} (first offending line: ${line}); save the whole file as "CSV UTF-8" and import it again`);
}

function decodeStrict(encoding: string, bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw bad(`the CSV claims to be ${label} (byte-order mark) but is not valid ${label}`);
  }
}

function validUtf8(line: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(line);
    return true;
  } catch {
    return false;
  }
}

function splitLines(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

function lineOf(bytes: Uint8Array, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/**
 * RFC 4180 records (csv-parse): fields split by the delimiter, `"` quotes fields that hold delimiters,
 * quotes or line breaks (`""` is a quote), records end with CRLF, LF or CR, rows may differ in length.
 * The delimiter is a tab when the first line has tabs and no commas (Excel's "Unicode text"), else a
 * comma. Lenient like Excel: a quote inside an unquoted field is kept as is.
 */
export function parseCsv(text: string): string[][] {
  const firstLine = text.slice(0, Math.max(0, text.search(/[\r\n]/)) || text.length);
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  try {
    return parse(text, { delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_quotes: true, relax_column_count: true, bom: false });
  } catch (e) {
    if (e instanceof CsvError && e.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw bad(`the CSV is damaged: a quoted field opened on line ${unclosedQuoteLine(text, recordStart(text, Number(e.bytes_records)), delimiter)} is never closed`);
    }
    if (e instanceof CsvError) throw bad(`the CSV cannot be read: ${e.message}`);
    throw e;
  }
}

/** Where, in characters, the record starts that begins `bytes` UTF-8 bytes into the text. */
function recordStart(text: string, bytes: number): number {
  return new TextDecoder().decode(new TextEncoder().encode(text).subarray(0, bytes)).length;
}

/** The line of the quote that opens the field a record leaves open (its earlier fields are closed). */
function unclosedQuoteLine(text: string, from: number, delimiter: string): number {
  let quoted = false;
  let fieldStart = true;
  let opened = from;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = true;
      opened = i;
    }
    fieldStart = ch === delimiter;
  }
  return (text.slice(0, opened).match(/\r\n|\n|\r/g)?.length ?? 0) + 1;
}
