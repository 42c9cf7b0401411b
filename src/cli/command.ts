import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Principal } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { openDatabase } from '../db/open.js';

/** Wrong words on the command line: exit code 2. */
export class UsageError extends Error {}

export interface CliContext {
  config: Config;
  /** Opens (and migrates) the configured database; the embedded one is locked for this process. */
  openDb(): Promise<Database>;
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  /** The audit actor of CLI writes. */
  principal: Principal;
}

export interface Command {
  /** Words that select the command, e.g. ['report', 'monthly']. */
  words: string[];
  usage: string;
  summary: string;
  options?: ParseArgsConfig['options'];
  /** Returns the exit code. */
  run(args: { positionals: string[]; values: Record<string, unknown> }, ctx: CliContext): Promise<number>;
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  try {
    const { positionals, values } = parseArgs({ args: argv, options: cmd.options ?? {}, allowPositionals: true, strict: true });
    return { positionals, values: values as Record<string, unknown> };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (usage: ${cmd.usage})`);
  }
}

export function cliPrincipal(): Principal {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* containers without a passwd entry */
  }
  return { tokenId: null, name: `cli:${user}`, role: 'admin', departmentId: null, departmentPath: null, departmentCode: null };
}

export function makeContext(config: Config, commandName: string): CliContext & { closeAll(): Promise<void> } {
  let opened: Database | undefined;
  return {
    config,
    async openDb() {
      if (!opened) {
        opened = await openDatabase(config, `xuncha ${commandName}`);
        await opened.migrate();
      }
      return opened;
    },
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    isTTY: Boolean(process.stderr.isTTY),
    principal: cliPrincipal(),
    async closeAll() {
      await opened?.close();
    },
  };
}
