import type { Command } from './command.js';
import { migrateCommand, serveCommand, tokenCreateCommand } from './commands/core.js';

/** Every CLI command, in the order `xuncha --help` lists them. */
export const commands: Command[] = [serveCommand, migrateCommand, tokenCreateCommand];
