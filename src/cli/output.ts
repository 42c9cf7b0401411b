import { closeSync, openSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { isatty } from 'node:tty';
import { UsageError } from './command.js';

/**
 * Where `--out` writes. `-` is stdout. A regular file (or a new name) is written beside the target and
 * renamed, so a failed write never leaves half a file under the real name. Anything else that exists —
 * a FIFO, /dev/stdout, a terminal, a socket — is written into, never renamed over: renaming a temporary
 * file onto `/dev/stdout` as root would replace the machine's symlink with a regular file.
 * A binary body (xlsx) is refused for a terminal.
 */
export async function writeOutput(out: string, body: string | Uint8Array, opts: { binary: boolean; what: string }): Promise<'stdout' | 'device' | 'file'> {
  if (out === '-') {
    if (opts.binary && process.stdout.isTTY) throw new UsageError(`${opts.what} is binary: give --out FILE instead of writing it to the terminal`);
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(body, (err) => (err && (err as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(err) : resolve())),
    );
    return 'stdout';
  }
  const info = await stat(out).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (info && !info.isFile()) {
    if (info.isDirectory()) throw new UsageError(`--out ${out} is a directory`);
    if (opts.binary && info.isCharacterDevice() && isTerminal(out)) throw new UsageError(`${opts.what} is binary: --out ${out} is a terminal`);
    await writeFile(out, body);
    return 'device';
  }
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, body);
    await rename(tmp, out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return 'file';
}

function isTerminal(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return isatty(fd);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Refuses to print a binary body on a terminal (no --out). */
export function refuseBinaryOnTerminal(binary: boolean, what: string): void {
  if (binary && process.stdout.isTTY) throw new UsageError(`${what} is binary: give --out FILE instead of writing it to the terminal`);
}
