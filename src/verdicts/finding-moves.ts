import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { rowsOf } from '../db/sql.js';

/**
 * Findings follow their system: when a system moves to another department (an accepted transfer or a
 * PATCH of `departmentCode`), its findings in progress move with it, so the new owner reads and answers
 * them and the old one no longer can (access is decided from the finding's department). Closed findings
 * stay where they were closed. Each move is a timeline entry (`transfer` in the audit log).
 */
export async function moveOpenFindings(
  tx: Db,
  actor: Actor,
  system: { id: number; code: string },
  from: string,
  to: { id: number; code: string },
): Promise<number[]> {
  const res = await tx.execute(sql`
    update findings set department_id = ${to.id}, version = version + 1
    where system_id = ${system.id} and status <> 'closed' and department_id <> ${to.id}
    returning id, status`);
  const moved = rowsOf<{ id: unknown; status: unknown }>(res).map((r) => ({ id: Number(r.id), status: String(r.status) }));
  await recordAudit(
    tx,
    actor,
    moved.map((m) => ({
      action: 'transfer',
      entity: 'finding',
      entityId: String(m.id),
      before: { departmentCode: from },
      after: { systemCode: system.code, departmentCode: to.code, status: m.status, note: `${from} → ${to.code}` },
    })),
  );
  return moved.map((m) => m.id).sort((a, b) => a - b);
}
