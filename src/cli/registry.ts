import type { Command } from './command.js';
import { sweepCommand, usageImportLogCommand } from './commands/sweeps.js';
import { migrateCommand, serveCommand, tokenCreateCommand } from './commands/core.js';
import { inventoryCommands } from './commands/inventory.js';
import { verdictCommands } from './commands/verdicts.js';
import { backupCommands } from './commands/backup.js';
import { resourceCommands } from './commands/resources.js';

/** Every CLI command, in the order `xuncha --help` lists them. */
export const commands: Command[] = [serveCommand, migrateCommand, tokenCreateCommand, ...inventoryCommands, sweepCommand, usageImportLogCommand, ...verdictCommands, ...backupCommands, ...resourceCommands];
