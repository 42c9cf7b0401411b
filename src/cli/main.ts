import { ConfigError, loadConfig } from '../config.js';
import { DataDirBusyError } from '../db/pglite.js';
import { AppError, fromDatabaseError } from '../errors.js';
import { makeContext, parseCommandArgs, UsageError, type Command } from './command.js';
import { commands } from './registry.js';

function help(): string {
  return ['Usage: xuncha <command> [options]', '', ...commands.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]), ''].join('\n');
}

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of commands) {
    if (cmd.words.every((w, i) => argv[i] === w) && (!best || cmd.words.length > best.cmd.words.length)) {
      best = { cmd, rest: argv.slice(cmd.words.length) };
    }
  }
  return best;
}

/** One clear line on stderr; never a stack trace (LOG_LEVEL=debug adds it for developers). */
function describe(e: unknown): { line: string; code: number } {
  if (e instanceof UsageError) return { line: e.message, code: 2 };
  if (e instanceof ConfigError || e instanceof DataDirBusyError) return { line: e.message, code: 1 };
  if (e instanceof AppError) {
    const where = e.errors?.length ? ` [${e.errors.slice(0, 3).map((f) => `${f.path}: ${f.message}`).join('; ')}${e.errors.length > 3 ? '; …' : ''}]` : '';
    return { line: `${e.message}${where}`, code: 1 };
  }
  const mapped = fromDatabaseError(e);
  if (mapped) return { line: mapped.message, code: 1 };
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' && err.path) return { line: `no such file: ${err.path}`, code: 1 };
  if (err?.code === 'EACCES' && err.path) return { line: `permission denied: ${err.path}`, code: 1 };
  if (err?.code === 'ECONNREFUSED') return { line: `cannot reach the database: ${err.message}`, code: 1 };
  return { line: `unexpected error: ${(err?.message ?? String(e)).split('\n')[0]}`, code: 1 };
}

async function main(argv: string[]): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(help());
    return argv.length ? 0 : 2;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`xuncha: unknown command "${argv.slice(0, 2).join(' ')}" (xuncha --help lists them)\n`);
    return 2;
  }
  let ctx: ReturnType<typeof makeContext> | undefined;
  try {
    const args = parseCommandArgs(found.cmd, found.rest);
    ctx = makeContext(loadConfig(), found.cmd.words.join(' '));
    const code = await found.cmd.run(args, ctx);
    if (code >= 0) await ctx.closeAll();
    return code;
  } catch (e) {
    const { line, code } = describe(e);
    process.stderr.write(`xuncha: ${line}\n`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') process.stderr.write(`${(e as Error)?.stack}\n`);
    await ctx?.closeAll().catch(() => {});
    return code;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
