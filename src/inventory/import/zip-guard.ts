import { inflateRaw } from 'node:zlib';
import { promisify } from 'node:util';

const inflateRawAsync = promisify(inflateRaw);
import { AppError } from '../../errors.js';

export interface ZipLimits {
  /** Total bytes all entries may inflate to. */
  maxUncompressed: number;
  maxEntries: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const bad = (detail: string) => new AppError('bad_request', detail);

/**
 * Checks that bytes are an .xlsx (a zip holding a workbook) that inflates to no more than the limits,
 * BEFORE exceljs sees them: exceljs (JSZip) would inflate every entry into memory, so a zip bomb of a few
 * hundred kilobytes could take gigabytes. Walks the central directory itself and inflates each entry with
 * a hard output cap, counting what the data really inflates to (declared sizes can lie, and several
 * directory entries may point at the same data). Inflates on libuv's thread pool (async zlib), so even
 * 100 MB of inflating never holds up the event loop.
 */
export async function checkXlsxContainer(bytes: Uint8Array, limits: ZipLimits): Promise<void> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 8 && OLE_MAGIC.every((b, i) => buf[i] === b)) {
    throw bad('not an .xlsx file: this is an old Excel .xls workbook (or a password-protected one); save it as .xlsx without a password');
  }
  if (buf.length < 22 || buf.readUInt32LE(0) !== SIG_LOCAL) throw bad('not an .xlsx file (an .xlsx is a zip archive; this file is not one)');

  let end = -1;
  for (let p = buf.length - 22; p >= Math.max(0, buf.length - 22 - 0xffff); p--) {
    if (buf.readUInt32LE(p) === SIG_END) {
      end = p;
      break;
    }
  }
  if (end < 0) throw bad('not an .xlsx file: the zip archive is damaged (no central directory); it may be truncated');
  const entries = buf.readUInt16LE(end + 10);
  const dirSize = buf.readUInt32LE(end + 12);
  const dirOffset = buf.readUInt32LE(end + 16);
  if (entries === 0xffff || dirOffset === 0xffffffff || dirSize === 0xffffffff) throw bad('the .xlsx uses ZIP64, which a workbook of this size never needs; refused');
  if (entries > limits.maxEntries) throw bad(`the .xlsx holds ${entries} files; a workbook has far fewer (limit ${limits.maxEntries}); refused`);
  if (dirOffset + dirSize > end) throw bad('not an .xlsx file: the zip archive is damaged (bad central directory)');

  let total = 0;
  let p = dirOffset;
  const names = new Set<string>();
  for (let i = 0; i < entries; i++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== SIG_CENTRAL) throw bad('not an .xlsx file: the zip archive is damaged (bad central directory entry)');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    names.add(name);
    if (flags & 1) throw bad('the .xlsx is encrypted; save it without a password');
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== SIG_LOCAL) throw bad(`not an .xlsx file: the zip archive is damaged (entry ${name})`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) throw bad(`not an .xlsx file: the zip archive is damaged or truncated (entry ${name})`);
    const remaining = limits.maxUncompressed - total;
    if (method === 0) {
      total += compressed;
    } else if (method === 8) {
      let inflated: Buffer;
      try {
        inflated = await inflateRawAsync(buf.subarray(start, start + compressed), { maxOutputLength: Math.max(1, remaining) });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw tooBig(limits);
        throw bad(`not an .xlsx file: the zip archive is damaged (entry ${name} does not inflate)`);
      }
      total += inflated.length;
    } else {
      throw bad(`the .xlsx uses an unsupported compression method (${method}) for ${name}`);
    }
    if (total > limits.maxUncompressed) throw tooBig(limits);
  }
  if (!names.has('[Content_Types].xml') || ![...names].some((n) => n.startsWith('xl/'))) {
    throw bad('not an .xlsx file: the zip archive holds no Excel workbook (is it a .docx or another zip?)');
  }
}

function tooBig(limits: ZipLimits): AppError {
  return new AppError(
    'bad_request',
    `the .xlsx inflates to more than ${Math.round(limits.maxUncompressed / 1024 / 1024)} MB (a zip bomb, or far more than an inventory); refused before reading it`,
  );
}
