import type { Principal } from '../auth/tokens.js';
import { systemCampaignHistory } from '../campaigns/service.js';
import type { Db } from '../db/client.js';
import { endpointViews, probeHistory } from '../sweeps/results.js';
import { usageSummary } from '../sweeps/usage.js';
import { listFindings } from '../verdicts/findings.js';
import { scopedSystem, toSystemDto } from './systems.js';

/** Findings shown on a system's page; its history beyond them is in the findings list. */
export const SYSTEM_VIEW_FINDINGS = 100;

/** Everything a system's page shows, for a principal that may read the system. */
export async function systemView(db: Db, principal: Principal, code: string, ctx: { now: Date; timeZone?: string }) {
  const found = await scopedSystem(db, principal, code);
  const id = found.row.id;
  const [endpoints, probes, usage, findings, campaigns] = await Promise.all([
    endpointViews(db, id),
    probeHistory(db, id, ctx.now),
    usageSummary(db, id, ctx.now),
    listFindings(db, principal, { system: found.row.code, limit: SYSTEM_VIEW_FINDINGS }, ctx),
    systemCampaignHistory(db, id),
  ]);
  return { system: toSystemDto(found.row, found.endpoints), endpoints, probes, usage, findings: findings.items, campaigns };
}

export type SystemView = Awaited<ReturnType<typeof systemView>>;
