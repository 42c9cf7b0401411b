import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerUnconfirmed, ownershipEvidence } from '../../src/campaigns/index.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { FormClient, linksOf } from '../web/client.js';
import { campaignInventory, createCampaign, systemId, testClock } from './fixtures.js';

describe.each(backends)('owner_unconfirmed evidence on %s', (backend) => {
  let t: TestApp;
  let id: number;
  const clock = testClock('2026-03-02T02:00:00Z');

  beforeAll(async () => {
    t = await startTestApp(backend, { now: clock.now });
    await campaignInventory(t);
    id = await createCampaign(t, { name: '核查', deadline: '2026-03-20', scope: { counties: ['371302'] } });
    const links = await linksOf(t, id);
    const b = new FormClient(t);
    const path = links.get('371302')!;
    const portal = await systemId(t, 'LS-PORTAL');
    const { res } = await b.submit(path, path, { official_name: '王芳', official_phone: '0539-8123456', [`action_${portal}`]: 'confirm' });
    expect(res.status).toBe(303);
  });
  afterAll(() => t.close());

  it('nothing is unconfirmed until the deadline has passed', async () => {
    expect(await ownerUnconfirmed(t.database.db, '2026-03-20')).toEqual([]);
  });

  it('after the deadline, each system still unanswered is listed with its campaign and deadline', async () => {
    const ids = await Promise.all(['LS-GIS', 'LS-OA', 'LS-EDU'].map((c) => systemId(t, c)));
    expect(await ownerUnconfirmed(t.database.db, '2026-03-21')).toEqual(ids.sort((a, b) => a - b).map((systemId) => ({ systemId, campaignId: id, deadline: '2026-03-20' })));
    const portal = await systemId(t, 'LS-PORTAL');
    const ev = await ownershipEvidence(t.database.db, '2026-03-21', [portal]);
    expect(ev.get(portal)).toMatchObject({ unconfirmedAfterDeadline: false, confirmedAt: '2026-03-02', campaignDeadline: '2026-03-20', ownerMissing: false });
  });

  it('a late answer through the link (within the grace period) clears it from then on', async () => {
    clock.set('2026-03-25T03:00:00Z');
    const path = (await linksOf(t, id)).get('371302-001')!;
    const oa = await systemId(t, 'LS-OA');
    const { res } = await new FormClient(t).submit(path, path, { official_name: '陈静', official_phone: '0539-8111111', [`action_${oa}`]: 'confirm' });
    expect(res.status).toBe(303);
    expect((await ownerUnconfirmed(t.database.db, '2026-03-24')).map((e) => e.systemId)).toContain(oa);
    expect((await ownerUnconfirmed(t.database.db, '2026-03-25')).map((e) => e.systemId)).not.toContain(oa);
  });
});
