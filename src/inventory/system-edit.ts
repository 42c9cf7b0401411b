import { and, asc, eq, sql } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import type { SystemDto } from './schemas.js';
import { getSystem } from './systems.js';

/** Fields a person edits on the system page, in the order the form shows them. */
export const EDITABLE_FIELDS = [
  'name',
  'departmentCode',
  'operatorUnit',
  'contractor',
  'contact',
  'description',
  'lifecycle',
  'launchedOn',
  'deployment',
  'cloudRequired',
  'network',
  'builtBy',
  'mlpsLevel',
  'userScope',
  'registeredUsers',
  'endpoints',
  'tags',
] as const satisfies ReadonlyArray<keyof SystemDto>;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export interface SystemChanges {
  current: SystemDto;
  /** Who made the latest change after `version`, and when (from the audit trail). */
  by: string | null;
  at: Date | null;
  /** Fields that changed between `version` and now, with their value now. */
  changed: Array<{ field: EditableField; theirs: unknown }>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * What others changed on a system since the version someone started editing: read from the audit
 * trail (each update records the system before and after), for the conflict a stale If-Match gets.
 */
export async function systemChangesSince(db: Db, principal: Principal, code: string, version: number): Promise<SystemChanges> {
  const current = await getSystem(db, principal, code);
  const rows = await db
    .select({ actor: auditLog.actor, at: auditLog.at, before: auditLog.before })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'system'), eq(auditLog.entityId, code), eq(auditLog.action, 'update'), sql`(${auditLog.after}->>'version')::int > ${version}`))
    .orderBy(asc(auditLog.id));
  const base = (rows[0]?.before ?? null) as SystemDto | null;
  const last = rows[rows.length - 1];
  const changed = base ? EDITABLE_FIELDS.filter((f) => !same(base[f], current[f])).map((f) => ({ field: f, theirs: current[f] })) : [];
  return { current, by: last?.actor ?? null, at: last?.at ?? null, changed };
}
