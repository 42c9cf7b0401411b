import { Command as Commander, CommanderError, Option } from 'commander';
import type { Command } from './command.js';

/**
 * The command line on commander: `--help` for the tool and every command, a did-you-mean for typos,
 * one line on stderr for every error, exit codes 0 done / 1 failed / 2 bad usage (shared/contract.md).
 * The commands themselves come from the registry; this file only turns words into a call.
 */

/** One line: commander's "error: …\n(Did you mean …?)" becomes "xuncha: … (Did you mean …?)". */
function oneLine(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** The value placeholder of `--name` as the usage line spells it (`--format xlsx|csv|json` → `xlsx|csv|json`). */
function placeholder(cmd: Command, name: string): string {
  const m = new RegExp(`--${name}[ =]([^\\s\\]]+)`).exec(cmd.usage);
  return (m?.[1] ?? 'VALUE').replace(/…$/, '');
}

interface Selected {
  cmd: Command;
  positionals: string[];
  values: Record<string, unknown>;
}

export function buildProgram(commands: Command[], version: string, select: (s: Selected) => void): Commander {
  const program = new Commander('xuncha');
  const errorLines: string[] = [];
  const configure = (c: Commander) =>
    c
      .exitOverride()
      .showSuggestionAfterError(true)
      .helpCommand(c === program)
      .helpOption('-h, --help', 'show this help')
      .configureOutput({
        writeOut: (s) => process.stdout.write(s),
        writeErr: (s) => process.stderr.write(s),
        outputError: (s) => errorLines.push(s),
      });
  configure(program)
    .description('巡查 Xuncha: inventory and standing audit of government information systems')
    .version(version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help (xuncha COMMAND --help for one command)')
    .addHelpText('after', '\nExit codes: 0 done, 1 failed, 2 bad usage. Environment: see README "Configuration".\n');

  const groups = new Map<string, Commander>();
  for (const cmd of commands) {
    let parent = program;
    for (const [i, word] of cmd.words.slice(0, -1).entries()) {
      const key = cmd.words.slice(0, i + 1).join(' ');
      let group = groups.get(key);
      if (!group) {
        group = configure(parent.command(word));
        groups.set(key, group);
      }
      parent = group;
    }
    const name = cmd.words.at(-1)!;
    const sub = configure(parent.command(name))
      .description(cmd.summary)
      .usage(cmd.usage.replace(/^xuncha\s+/, '').split(/\s+/).slice(cmd.words.length).join(' ') || '');
    for (const arg of cmd.args ?? []) sub.argument(arg.name, arg.description);
    const options = Object.entries(cmd.options ?? {});
    const byName = new Map<string, Option>();
    for (const [optName, spec] of options) {
      const flags = `${spec.short ? `-${spec.short}, ` : ''}--${optName}${spec.type === 'string' ? ` <${placeholder(cmd, optName)}>` : ''}`;
      const option = new Option(flags, cmd.optionHelp?.[optName] ?? '');
      if (spec.multiple) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
      sub.addOption(option);
      byName.set(optName, option);
    }
    sub.action((...params: unknown[]) => {
      const self = params.at(-1) as Commander;
      const raw = self.opts();
      const values: Record<string, unknown> = {};
      for (const [optName, option] of byName) {
        const v = raw[option.attributeName()];
        if (v !== undefined) values[optName] = v;
      }
      select({ cmd, positionals: self.args, values });
    });
  }
  for (const [key, group] of groups) {
    const subs = commands.filter((c) => c.words.join(' ').startsWith(`${key} `));
    group.description(subs.map((c) => `${c.words.slice(key.split(' ').length).join(' ')}: ${c.summary}`).join('; '));
  }
  (program as Commander & { errorLines: string[] }).errorLines = errorLines;
  return program;
}

export interface ParsedCommandLine {
  /** The command to run, or the exit code when commander already answered (help, version, bad usage). */
  selected?: Selected;
  exitCode?: number;
  /** The one error line, when the words were wrong. */
  error?: string;
}

export async function parseCommandLine(commands: Command[], argv: string[], version: string): Promise<ParsedCommandLine> {
  let selected: Selected | undefined;
  const program = buildProgram(commands, version, (s) => (selected = s));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const lines = (program as Commander & { errorLines: string[] }).errorLines;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return { exitCode: 0 };
    // `xuncha help import` asked for help (0); a group word alone (`xuncha report`) is bad usage, its help on stderr.
    if (e.code === 'commander.help') return { exitCode: e.exitCode === 0 ? 0 : 2 };
    const usage = selectedUsage(commands, argv);
    return { exitCode: 2, error: `${oneLine(lines.join('\n') || e.message)}${usage ? ` (usage: ${usage})` : ''}` };
  }
  return selected ? { selected } : { exitCode: 2, error: 'no command given (xuncha --help lists them)' };
}

/** The usage line of the command the words name, for error messages. */
function selectedUsage(commands: Command[], argv: string[]): string | undefined {
  let best: Command | undefined;
  for (const cmd of commands) {
    if (cmd.words.every((w, i) => argv[i] === w) && (!best || cmd.words.length > best.words.length)) best = cmd;
  }
  return best?.usage;
}

/** `xuncha … | head`: the reader leaving is not an error, so no stack trace, and a quiet exit. */
function guardPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      process.exitCode = 1;
    });
  }
}

/** One clear line on stderr; never a stack trace (LOG_LEVEL=debug adds it for developers). */
async function describe(e: unknown): Promise<{ line: string; code: number }> {
  // (DataDirBusyError is matched by name: importing db/pglite.ts for a class would load PGlite.)
  const [{ ConfigError }, { AppError, fromDatabaseError }, { UsageError }] = await Promise.all([
    import('../config.js'),
    import('../errors.js'),
    import('./command.js'),
  ]);
  if (e instanceof UsageError) return { line: e.message, code: 2 };
  if (e instanceof ConfigError || (e instanceof Error && (e.name === 'DataDirBusyError' || e.name === 'BackupError'))) return { line: e.message, code: 1 };
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

/** Runs the command line; returns the exit code, or -1 for a command that keeps running (serve). */
export async function runCli(argv: string[], version: string): Promise<number> {
  guardPipes();
  const { commands } = await import('./registry.js');
  if (!argv.length) {
    // No words at all: the overview on stdout, and "bad usage".
    buildProgram(commands, version, () => {}).outputHelp();
    return 2;
  }
  let closeAll: (() => Promise<void>) | undefined;
  try {
    const parsed = await parseCommandLine(commands, argv, version);
    if (!parsed.selected) {
      if (parsed.error) process.stderr.write(`xuncha: ${parsed.error}\n`);
      return parsed.exitCode ?? 2;
    }
    const { cmd, positionals, values } = parsed.selected;
    const [{ loadConfig }, { makeContext }] = await Promise.all([import('../config.js'), import('./command.js')]);
    const ctx = makeContext(loadConfig(), cmd.words.join(' '));
    closeAll = () => ctx.closeAll();
    const code = await cmd.run({ positionals, values }, ctx);
    if (code >= 0) await ctx.closeAll();
    return code;
  } catch (e) {
    const { line, code } = await describe(e);
    process.stderr.write(`xuncha: ${line}\n`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') process.stderr.write(`${(e as Error)?.stack}\n`);
    await closeAll?.().catch(() => {});
    return code;
  }
}
