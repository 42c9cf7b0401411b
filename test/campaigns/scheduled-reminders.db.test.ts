import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendReminders } from '../../src/reminders.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { campaignInventory, createCampaign, testClock } from './fixtures.js';
import { startReceiver } from './receivers.js';

/** The daily job the server schedules on REMINDER_CRON: campaign and finding reminders, each sent once. */
describe.each(backends)('scheduled reminders on %s', (backend) => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  const clock = testClock('2026-03-02T02:00:00Z');

  beforeAll(async () => {
    rx = await startReceiver();
    t = await startTestApp(backend, { now: clock.now });
    await campaignInventory(t);
    expect((await t.call('POST', '/api/v1/webhooks', { body: { name: '运维群', kind: 'generic', url: rx.url('/hook') } })).status).toBe(201);
    await createCampaign(t, { name: '一季度核查', deadline: '2026-03-20', scope: { counties: ['371302'] } });
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  it('sends the 7-day reminders once however often it runs', async () => {
    const at = new Date('2026-03-13T01:00:00Z');
    await sendReminders(t.database.db, at, { timeZone: 'Asia/Shanghai' });
    const first = rx.at('/hook').length;
    expect(first).toBeGreaterThan(0);
    await sendReminders(t.database.db, at, { timeZone: 'Asia/Shanghai' });
    expect(rx.at('/hook')).toHaveLength(first);
  });
});
