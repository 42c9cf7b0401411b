import { isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminderStage, runCampaignReminders } from '../../src/campaigns/index.js';
import { notifications } from '../../src/db/schema/index.js';
import { createNotifier } from '../../src/notify/index.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { FormClient, linksOf } from '../web/client.js';
import { campaignInventory, createCampaign, testClock } from './fixtures.js';
import { startReceiver } from './receivers.js';

describe('reminder stages', () => {
  it.each([
    ['2026-03-10', null],
    ['2026-03-12', null],
    ['2026-03-13', '7d'],
    ['2026-03-18', '7d'],
    ['2026-03-19', '1d'],
    ['2026-03-20', '1d'],
    ['2026-03-21', 'overdue'],
    ['2026-05-01', 'overdue'],
  ])('deadline 2026-03-20, today %s → %s', (today, stage) => {
    expect(reminderStage('2026-03-20', today)).toBe(stage);
  });
});

describe.each(backends)('campaign reminders on %s', (backend) => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let brokenStatus = 500;
  const clock = testClock('2026-03-02T02:00:00Z');

  beforeAll(async () => {
    rx = await startReceiver((path) =>
      path === '/broken' ? { status: brokenStatus, body: { error: 'down' } } : { status: 200, body: { errcode: 0, errmsg: 'ok' } },
    );
    t = await startTestApp(backend, { now: clock.now });
    await campaignInventory(t);
    const hooks = [
      { name: '大数据局运维群', kind: 'wecom', url: rx.url('/wecom?key=0123456789abcdef') },
      { name: '归属核查接收', kind: 'generic', url: rx.url('/generic'), events: ['campaign.*'] },
      { name: '问题台账钉钉群', kind: 'dingtalk', url: rx.url('/dingtalk'), events: ['finding.reminder'] },
    ];
    for (const body of hooks) expect((await t.call('POST', '/api/v1/webhooks', { body })).status).toBe(201);
    const id = await createCampaign(t, { name: '一季度核查', deadline: '2026-03-20', scope: { counties: ['371302'], departments: ['371311'] } });
    // 罗庄区 answers at once and is never reminded.
    const path = (await linksOf(t, id)).get('371311')!;
    const b = new FormClient(t);
    const { res } = await b.submit(path, path, { official_name: '孙明', official_phone: '0539-8000000', all: 'confirm' });
    expect(res.status).toBe(303);
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  const run = (iso: string) => runCampaignReminders(t.database.db, new Date(iso), createNotifier(t.database.db, { now: () => new Date(iso) }), { baseUrl: 'https://xuncha.linyi.example' });

  it('nothing is due more than a week before the deadline', async () => {
    const r = await run('2026-03-10T01:00:00Z');
    expect(r).toMatchObject({ campaigns: 0, due: 0, sent: 0 });
    expect(rx.received).toHaveLength(0);
  });

  it('7 days before: one message per late department and subscribed webhook, in the robot formats', async () => {
    const r = await run('2026-03-13T01:00:00Z');
    expect(r).toMatchObject({ campaigns: 1, due: 3, sent: 6, failed: 0, duplicates: 0 });
    const wecom = rx.at('/wecom');
    expect(wecom).toHaveLength(3);
    expect(wecom[0]!.query.get('key')).toBe('0123456789abcdef');
    const bodies = wecom.map((w) => w.body as { msgtype: string; markdown: { content: string } });
    expect(bodies.every((b) => b.msgtype === 'markdown')).toBe(true);
    const lanshan = bodies.find((b) => b.markdown.content.includes('兰山区人民政府'))!;
    expect(lanshan.markdown.content).toContain('将于 2026-03-20 截止（还有 7 天）');
    expect(lanshan.markdown.content).toContain('[查看详情](https://xuncha.linyi.example/campaigns/1)');
    // Reminders go to ops channels: never a department's credential link.
    expect(JSON.stringify(rx.received)).not.toContain('/confirm/');
    expect(bodies.some((b) => b.markdown.content.includes('罗庄区'))).toBe(false);
    const generic = rx.at('/generic').map((g) => g.body as { event: string; dedupeKey: string; data: { stage: string; departmentCode: string; pending: number }; en: { title: string } });
    expect(generic).toHaveLength(3);
    expect(generic.map((g) => g.data.departmentCode).sort()).toEqual(['371302', '371302-001', '371302-JY']);
    expect(generic[0]).toMatchObject({ event: 'campaign.reminder', data: { stage: '7d' } });
    expect(generic.find((g) => g.data.departmentCode === '371302')!.dedupeKey).toBe('campaign:1:department:371302:reminder:7d');
    expect(generic.find((g) => g.data.departmentCode === '371302')!.data.pending).toBe(2);
    expect(generic[0]!.en.title).toMatch(/^\[Reminder\]/);
    expect(rx.at('/dingtalk')).toHaveLength(0);
  });

  it('a second run the same day sends nothing again', async () => {
    const before = rx.received.length;
    const r = await run('2026-03-13T09:00:00Z');
    expect(r).toMatchObject({ due: 3, sent: 0, duplicates: 6 });
    expect(rx.received.length).toBe(before);
  });

  it('1 day before and overdue: each sent once', async () => {
    expect(await run('2026-03-19T01:00:00Z')).toMatchObject({ sent: 6, duplicates: 0 });
    expect(await run('2026-03-20T01:00:00Z')).toMatchObject({ sent: 0, duplicates: 6 });
    const overdue = await run('2026-03-21T01:00:00Z');
    expect(overdue).toMatchObject({ sent: 6, duplicates: 0 });
    expect(await run('2026-03-25T01:00:00Z')).toMatchObject({ sent: 0, duplicates: 6 });
    const last = rx.at('/wecom').slice(-3).map((w) => (w.body as { markdown: { content: string } }).markdown.content);
    expect(last.every((c) => c.includes('【已逾期】') && c.includes('已于 2026-03-20 截止'))).toBe(true);
    expect(rx.at('/wecom')).toHaveLength(9);
    expect(rx.at('/generic')).toHaveLength(9);
    const sent = await t.database.db.select().from(notifications).where(isNotNull(notifications.sentAt));
    expect(sent).toHaveLength(18);
    expect(new Set(sent.map((n) => `${n.webhookId}|${n.dedupeKey}`)).size).toBe(18);
  });

  it('a failed delivery is recorded as data and retried on the next run until it succeeds', async () => {
    expect((await t.call('POST', '/api/v1/webhooks', { body: { name: '故障接收端', kind: 'generic', url: rx.url('/broken') } })).status).toBe(201);
    const first = await run('2026-03-26T01:00:00Z');
    expect(first).toMatchObject({ sent: 0, failed: 3, duplicates: 6 });
    expect(first.results.filter((r) => r.status === 'failed').every((r) => r.outcome === 'http_error 500')).toBe(true);
    const again = await run('2026-03-26T02:00:00Z');
    expect(again).toMatchObject({ failed: 3 });
    expect(rx.at('/broken')).toHaveLength(6);
    brokenStatus = 200;
    expect(await run('2026-03-26T03:00:00Z')).toMatchObject({ sent: 3, failed: 0 });
    expect(await run('2026-03-26T04:00:00Z')).toMatchObject({ sent: 0, failed: 0, duplicates: 9 });
    expect(rx.at('/broken')).toHaveLength(9);
  });

  it('closed campaigns are not reminded', async () => {
    expect((await t.call('POST', '/api/v1/campaigns/1/close')).status).toBe(200);
    expect(await run('2026-03-27T01:00:00Z')).toMatchObject({ campaigns: 0, due: 0 });
  });
});
