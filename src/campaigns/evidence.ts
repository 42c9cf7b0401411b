import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { campaignItems, campaigns } from '../db/schema/index.js';
import { ANSWERED_STATES } from './schemas.js';
import type { Day } from '../../reports/dates.js';
import { DEFAULT_TIME_ZONE, endOfDay, localDay } from '../../probes/time.js';

/**
 * Ownership evidence from confirmation campaigns, for the classifier (`owner_unconfirmed`, and
 * `owner_missing` when a department disowned a system).
 *
 * The rule, per system, as of a day `asOf` (Asia/Shanghai):
 *  - look at the LATEST campaign that covered the system (largest deadline, then id), among campaigns
 *    created by the end of `asOf`;
 *  - the system is answered there if its item is `confirmed`, `transferred` (the receiver accepted) or
 *    `retirement_requested` (the owner spoke for it) and that answer was given by the end of `asOf` —
 *    late answers count ("no confirmation arrived by the deadline, nor since");
 *  - `unconfirmedAfterDeadline` is true when it is not answered and the deadline is before `asOf`.
 *    `pending`, `transfer_requested` (the receiver has not accepted) and `disowned` are unanswered.
 *
 * A newer campaign therefore gives a system a fresh chance until its own deadline passes.
 * The output maps onto `reports/evidence.ts` `OwnershipEvidence` (`confirmedAt`, `campaignDeadline`,
 * `unconfirmedAfterDeadline`, `ownerMissing`).
 */
export interface CampaignItemFact {
  systemId: number;
  campaignId: number;
  deadline: Day;
  campaignCreatedAt: Date;
  state: string;
  /** When the answer was given (campaign_items.confirmed_at, else updated_at). */
  answeredAt: Date | null;
}

export interface OwnershipFromCampaigns {
  systemId: number;
  campaignId: number;
  campaignDeadline: Day;
  /** Day of the latest answer for the system in any campaign up to `asOf`; null when none. */
  confirmedAt: Day | null;
  unconfirmedAfterDeadline: boolean;
  /** The department said the system is not theirs and named no one. */
  ownerMissing: boolean;
}

/** `owner_unconfirmed` evidence of one system: the campaign whose deadline passed without an answer. */
export interface OwnerUnconfirmed {
  systemId: number;
  campaignId: number;
  deadline: Day;
}

/** Pure: ownership evidence per system from its campaign items (any order, any number of campaigns). */
export function ownershipFromItems(items: readonly CampaignItemFact[], asOf: Day, timeZone = DEFAULT_TIME_ZONE): Map<number, OwnershipFromCampaigns> {
  const endOfAsOf = endOfDay(asOf, timeZone).getTime();
  const bySystem = new Map<number, CampaignItemFact[]>();
  for (const it of items) {
    if (it.campaignCreatedAt.getTime() >= endOfAsOf) continue;
    const list = bySystem.get(it.systemId) ?? [];
    list.push(it);
    bySystem.set(it.systemId, list);
  }
  const out = new Map<number, OwnershipFromCampaigns>();
  for (const [systemId, list] of bySystem) {
    const answeredBy = (it: CampaignItemFact) => ANSWERED_STATES.has(it.state) && it.answeredAt !== null && it.answeredAt.getTime() < endOfAsOf;
    list.sort((a, b) => (a.deadline === b.deadline ? a.campaignId - b.campaignId : a.deadline < b.deadline ? -1 : 1));
    const latest = list[list.length - 1]!;
    let confirmedAt: Day | null = null;
    for (const it of list) {
      if (answeredBy(it)) {
        const d = localDay(it.answeredAt!, timeZone);
        if (confirmedAt === null || d > confirmedAt) confirmedAt = d;
      }
    }
    const answered = answeredBy(latest);
    out.set(systemId, {
      systemId,
      campaignId: latest.campaignId,
      campaignDeadline: latest.deadline,
      confirmedAt,
      unconfirmedAfterDeadline: !answered && latest.deadline < asOf,
      ownerMissing: latest.state === 'disowned' && latest.answeredAt !== null && latest.answeredAt.getTime() < endOfAsOf,
    });
  }
  return out;
}

/** Loads the campaign items of the given systems (all systems when omitted). */
export async function loadCampaignItemFacts(db: Db, asOf: Day, systemIds?: number[], timeZone = DEFAULT_TIME_ZONE): Promise<CampaignItemFact[]> {
  if (systemIds && !systemIds.length) return [];
  const endOfAsOf = endOfDay(asOf, timeZone);
  const rows = await db
    .select({
      systemId: campaignItems.systemId,
      campaignId: campaignItems.campaignId,
      deadline: campaigns.deadline,
      campaignCreatedAt: campaigns.createdAt,
      state: campaignItems.state,
      confirmedAt: campaignItems.confirmedAt,
      updatedAt: campaignItems.updatedAt,
    })
    .from(campaignItems)
    .innerJoin(campaigns, eq(campaigns.id, campaignItems.campaignId))
    .where(and(lte(campaigns.createdAt, endOfAsOf), systemIds ? inArray(campaignItems.systemId, systemIds) : undefined));
  return rows.map((r) => ({
    systemId: r.systemId,
    campaignId: r.campaignId,
    deadline: r.deadline,
    campaignCreatedAt: r.campaignCreatedAt,
    state: r.state,
    answeredAt: r.state === 'pending' || r.state === 'transfer_requested' ? null : (r.confirmedAt ?? r.updatedAt),
  }));
}

/** Ownership evidence of every system that was ever in a campaign (or of the given systems), as of a day. */
export async function ownershipEvidence(db: Db, asOf: Day, systemIds?: number[]): Promise<Map<number, OwnershipFromCampaigns>> {
  return ownershipFromItems(await loadCampaignItemFacts(db, asOf, systemIds), asOf);
}

/** The systems with `owner_unconfirmed` as of a day: `{systemId, campaignId, deadline}` each. */
export async function ownerUnconfirmed(db: Db, asOf: Day, systemIds?: number[]): Promise<OwnerUnconfirmed[]> {
  const out: OwnerUnconfirmed[] = [];
  for (const e of (await ownershipEvidence(db, asOf, systemIds)).values()) {
    if (e.unconfirmedAfterDeadline) out.push({ systemId: e.systemId, campaignId: e.campaignId, deadline: e.campaignDeadline });
  }
  return out.sort((a, b) => a.systemId - b.systemId);
}
