import { readFile } from 'node:fs/promises';
import { UsageError, type Command } from '../command.js';
import { writeOutput } from '../output.js';

export const backupCommand: Command = {
  words: ['backup'],
  usage: 'xuncha backup --out FILE',
  summary: 'back up the whole database to one file (pg_dump on PostgreSQL, the data directory for the embedded one)',
  options: { out: { type: 'string' } },
  optionHelp: { out: 'file, device or FIFO to write (- for stdout)' },
  async run({ values }, ctx) {
    const out = values.out as string | undefined;
    if (!out) throw new UsageError(`--out FILE is required (usage: ${backupCommand.usage})`);
    if (out === '-' && process.stdout.isTTY) throw new UsageError('a backup is binary: give --out FILE instead of writing it to the terminal');
    const { createBackup } = await import('../../backup.js');
    const bytes = await createBackup(ctx.config);
    const where = await writeOutput(out, bytes, { binary: true, what: 'a backup' });
    if (where === 'file') ctx.out(`wrote ${out} (${ctx.config.DATABASE_URL ? 'PostgreSQL' : 'embedded database'}, ${Math.max(1, Math.round(bytes.length / 1024))} KB)`);
    return 0;
  },
};

export const restoreCommand: Command = {
  words: ['restore'],
  usage: 'xuncha restore FILE [--force]',
  summary: 'restore a backup into an empty database (--force replaces one that has data)',
  args: [{ name: '<file>', description: 'a file written by xuncha backup' }],
  options: { force: { type: 'boolean' } },
  optionHelp: { force: 'replace a database that already has data (the embedded one is kept beside it)' },
  async run({ positionals, values }, ctx) {
    const file = positionals[0]!;
    const { restoreBackup } = await import('../../backup.js');
    const r = await restoreBackup(ctx.config, file, await readFile(file), { force: Boolean(values.force) });
    ctx.out(
      `restored ${file} (${r.backend === 'pglite' ? 'embedded database' : 'PostgreSQL'}, schema ${r.header.schema.migrations}, taken ${r.header.createdAt})` +
        (r.keptAs ? `; the replaced database is kept in ${r.keptAs}` : '') +
        '; the next start applies any newer migrations',
    );
    return 0;
  },
};

export const backupCommands: Command[] = [backupCommand, restoreCommand];
