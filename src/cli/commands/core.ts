import { createToken } from '../../auth/tokens.js';
import { ROLES, type Role } from '../../db/schema/enums.js';
import { recordAudit } from '../../audit/index.js';
import { UsageError, type Command } from '../command.js';

export const serveCommand: Command = {
  words: ['serve'],
  usage: 'xuncha serve',
  summary: 'run the HTTP service (same as npm start)',
  async run(_args, ctx) {
    const { runServer } = await import('../../entry/node.js');
    const seedEnv = process.env.SEED_DEMO;
    const seedDemo = seedEnv === undefined || seedEnv === '' ? undefined : !/^(0|false|no)$/i.test(seedEnv);
    await runServer(ctx.config, { seedDemo });
    return -1; // keep running; signals end the process
  },
};

export const migrateCommand: Command = {
  words: ['migrate'],
  usage: 'xuncha migrate',
  summary: 'apply database migrations and exit',
  async run(_args, ctx) {
    const database = await ctx.openDb();
    ctx.out(`migrations applied (${database.kind})`);
    return 0;
  },
};

export const tokenCreateCommand: Command = {
  words: ['token', 'create'],
  usage: 'xuncha token create --role admin|auditor|department|viewer [--department CODE] [--name TEXT]',
  summary: 'create an API token and print it once',
  options: { role: { type: 'string' }, department: { type: 'string' }, name: { type: 'string' } },
  optionHelp: { role: 'what the token may do', department: 'department code (required for --role department)', name: 'a label shown in the token list' },
  async run({ values }, ctx) {
    const role = values.role as string | undefined;
    if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    if (role === 'department' && !values.department) throw new UsageError('--department CODE is required for a department token');
    const { db } = await ctx.openDb();
    const name = (values.name as string | undefined) ?? `${role} token`;
    const created = await db.transaction(async (tx) => {
      const t = await createToken(tx, { role: role as Role, name, departmentCode: values.department as string | undefined });
      await recordAudit(tx, { principal: ctx.principal }, { action: 'create', entity: 'token', entityId: String(t.id), after: { name, role, departmentCode: values.department ?? null } });
      return t;
    });
    ctx.out(created.token);
    return 0;
  },
};
