import { describe, expect, it } from 'vitest';
import { ownershipFromItems, type CampaignItemFact } from '../../src/campaigns/evidence.js';

/** Pure rule of `owner_unconfirmed`; dates are Asia/Shanghai days, instants UTC. */
const item = (over: Partial<CampaignItemFact>): CampaignItemFact => ({
  systemId: 1,
  campaignId: 1,
  deadline: '2026-03-20',
  campaignCreatedAt: new Date('2026-03-01T02:00:00Z'),
  state: 'pending',
  answeredAt: null,
  ...over,
});

describe('ownershipFromItems', () => {
  it('pending after the deadline is unconfirmed; on the deadline day it is not yet', () => {
    expect(ownershipFromItems([item({})], '2026-03-20').get(1)).toMatchObject({ unconfirmedAfterDeadline: false, campaignDeadline: '2026-03-20', confirmedAt: null });
    expect(ownershipFromItems([item({})], '2026-03-21').get(1)).toMatchObject({ unconfirmedAfterDeadline: true, campaignId: 1, ownerMissing: false });
  });

  it('an answer by the end of asOf counts, late or not; one given after asOf does not', () => {
    const late = item({ state: 'confirmed', answeredAt: new Date('2026-03-25T08:00:00Z') });
    expect(ownershipFromItems([late], '2026-03-24').get(1)!.unconfirmedAfterDeadline).toBe(true);
    expect(ownershipFromItems([late], '2026-03-25').get(1)).toMatchObject({ unconfirmedAfterDeadline: false, confirmedAt: '2026-03-25' });
    // 23:30 in Linyi on the 24th is still the 24th.
    const evening = item({ state: 'confirmed', answeredAt: new Date('2026-03-24T15:30:00Z') });
    expect(ownershipFromItems([evening], '2026-03-24').get(1)).toMatchObject({ unconfirmedAfterDeadline: false, confirmedAt: '2026-03-24' });
  });

  it('transferred and retirement requested are answers; a transfer not yet accepted and a disowned system are not', () => {
    const at = new Date('2026-03-10T02:00:00Z');
    expect(ownershipFromItems([item({ state: 'transferred', answeredAt: at })], '2026-04-01').get(1)!.unconfirmedAfterDeadline).toBe(false);
    expect(ownershipFromItems([item({ state: 'retirement_requested', answeredAt: at })], '2026-04-01').get(1)!.unconfirmedAfterDeadline).toBe(false);
    expect(ownershipFromItems([item({ state: 'transfer_requested' })], '2026-04-01').get(1)!.unconfirmedAfterDeadline).toBe(true);
    expect(ownershipFromItems([item({ state: 'disowned', answeredAt: at })], '2026-04-01').get(1)).toMatchObject({ unconfirmedAfterDeadline: true, ownerMissing: true });
  });

  it('the latest campaign decides: a new one gives a fresh chance until its own deadline', () => {
    const old = item({ campaignId: 1, deadline: '2025-12-20', campaignCreatedAt: new Date('2025-12-01T00:00:00Z'), state: 'confirmed', answeredAt: new Date('2025-12-05T00:00:00Z') });
    const fresh = item({ campaignId: 2, deadline: '2026-03-20' });
    expect(ownershipFromItems([fresh, old], '2026-03-10').get(1)).toMatchObject({ campaignId: 2, unconfirmedAfterDeadline: false, confirmedAt: '2025-12-05' });
    expect(ownershipFromItems([fresh, old], '2026-03-21').get(1)).toMatchObject({ campaignId: 2, unconfirmedAfterDeadline: true, confirmedAt: '2025-12-05' });
    // An old miss is forgiven once the newer campaign is answered.
    const oldMiss = item({ ...old, state: 'pending', answeredAt: null });
    const freshAnswer = item({ campaignId: 2, deadline: '2026-03-20', state: 'confirmed', answeredAt: new Date('2026-03-03T00:00:00Z') });
    expect(ownershipFromItems([oldMiss, freshAnswer], '2026-03-21').get(1)!.unconfirmedAfterDeadline).toBe(false);
  });

  it('campaigns created after asOf are ignored; systems never in a campaign are absent', () => {
    const future = item({ campaignCreatedAt: new Date('2026-05-01T00:00:00Z'), deadline: '2026-05-20' });
    expect(ownershipFromItems([future], '2026-04-01').size).toBe(0);
    expect(ownershipFromItems([item({ systemId: 7 })], '2026-04-01').has(1)).toBe(false);
  });
});
