import { userInfo } from 'node:os';
import type { ParseArgsConfig } from 'node:util';
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
  /** Positional arguments, e.g. `[{ name: '<file>' }]` (commander syntax); none means none are taken. */
  args?: Array<{ name: string; description?: string }>;
  /** Options as node:util parseArgs spells them; `--help` shows `optionHelp[name]` beside each. */
  options?: ParseArgsConfig['options'];
  optionHelp?: Record<string, string>;
  /** Returns the exit code. */
  run(args: { positionals: string[]; values: Record<string, unknown> }, ctx: CliContext): Promise<number>;
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
