import { and, desc, eq, gte } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { probeResults } from '../db/schema/index.js';
import { scopedSystem } from '../inventory/systems.js';

export interface ProbeResultQuery {
  kind?: 'liveness' | 'ipv6' | 'freshness' | 'usage_pull';
  /** ISO date or date-time: results at or after it. */
  since?: string;
  limit: number;
}

export interface ProbeResultDto {
  id: number;
  kind: string;
  url: string;
  at: string;
  outcome: string;
  httpStatus: number | null;
  durationMs: number | null;
  detail: unknown;
}

/** Raw probe results of a system the principal may read, newest first. */
export async function listProbeResults(db: Db, principal: Principal, code: string, q: ProbeResultQuery): Promise<ProbeResultDto[]> {
  const system = (await scopedSystem(db, principal, code)).row;
  const rows = await db
    .select()
    .from(probeResults)
    .where(and(eq(probeResults.systemId, system.id), q.kind ? eq(probeResults.kind, q.kind) : undefined, q.since ? gte(probeResults.at, new Date(q.since)) : undefined))
    .orderBy(desc(probeResults.at), desc(probeResults.id))
    .limit(q.limit);
  return rows.map((r) => ({ id: r.id, kind: r.kind, url: r.url, at: r.at.toISOString(), outcome: r.outcome, httpStatus: r.httpStatus, durationMs: r.durationMs, detail: r.detail }));
}
