import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, webhooks } from '../../src/db/schema/index.js';
import { createNotifier, maskUrl, type NotificationMessage } from '../../src/notify/index.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { closedPort, startReceiver, startSmtp } from './receivers.js';

const MESSAGE: NotificationMessage = {
  title: '【提醒】问题整改即将到期',
  text: '**兰山区人民政府** 有 2 个问题将于 2026-04-01 到期。',
  en: { title: '[Reminder] Findings due soon', text: '兰山区 has 2 findings due on 2026-04-01.' },
  link: 'https://xuncha.linyi.example/findings',
  data: { findingIds: [3, 4] },
};

describe('webhook URL masking', () => {
  it.each([
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****5aaa'],
    ['https://oapi.dingtalk.com/robot/send?access_token=abc', 'https://oapi.dingtalk.com/robot/send?access_token=****'],
    ['http://user:secret@127.0.0.1:8080/hook', 'http://user:****@127.0.0.1:8080/hook'],
    ['smtp://mail.linyi.example:25?from=xuncha@linyi.example', 'smtp://mail.linyi.example:25?from=xuncha@linyi.example'],
  ])('%s', (url, masked) => expect(maskUrl(url)).toBe(masked));
});

describe.each(backends)('notifier on %s', (backend) => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    rx = await startReceiver((path) =>
      path === '/wecom-bad' ? { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } } : { status: 200, body: { errcode: 0, errmsg: 'ok' } },
    );
    smtp = await startSmtp();
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
    await smtp.close();
  });

  it('webhooks API: ops only, validated, secrets masked, audited, deletable', async () => {
    const viewer = await t.token('viewer');
    await t.call('POST', '/api/v1/departments', { body: { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' } });
    const dept = await t.token('department', '371300');
    for (const token of [viewer, dept, null]) {
      expect((await t.call('GET', '/api/v1/webhooks', { token })).status).toBe(token ? 403 : 401);
      expect((await t.call('POST', '/api/v1/webhooks', { token, body: { name: 'x', kind: 'generic', url: rx.url('/x') } })).status).toBe(token ? 403 : 401);
    }
    const bad: Array<[unknown, string]> = [
      [{ name: 'x', kind: 'wecom', url: 'ftp://x/' }, 'url'],
      [{ name: 'x', kind: 'sms', url: rx.url('/x') }, 'kind'],
      [{ name: 'x', kind: 'smtp', url: `smtp://127.0.0.1:${smtp.port}` }, 'target'],
      [{ name: 'x', kind: 'smtp', url: 'http://x/', target: 'a@b.cn' }, 'url'],
      [{ name: '', kind: 'generic', url: rx.url('/x') }, 'name'],
      [{ name: 'x', kind: 'generic', url: rx.url('/x'), events: ['Bad Event'] }, 'events[0]'],
    ];
    for (const [body, path] of bad) {
      const res = await t.call('POST', '/api/v1/webhooks', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const created = await t.call('POST', '/api/v1/webhooks', { body: { name: '企业微信群', kind: 'wecom', url: rx.url('/wecom?key=supersecretkey-1234') } });
    expect(created.status).toBe(201);
    const hook = await created.json();
    expect(hook.url).toBe(rx.url('/wecom?key=****1234'));
    const list = await (await t.call('GET', '/api/v1/webhooks')).json();
    expect(JSON.stringify(list)).not.toContain('supersecretkey');
    const audit = await (await t.call('GET', `/api/v1/audit?entity=webhook&entityId=${hook.id}`)).json();
    expect(JSON.stringify(audit)).not.toContain('supersecretkey');
    expect((await t.call('DELETE', `/api/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await t.call('DELETE', `/api/v1/webhooks/${hook.id}`)).status).toBe(404);
    expect((await (await t.call('GET', '/api/v1/webhooks')).json()).items).toEqual([]);
  });

  it('sends each kind in its own format, once per webhook and key, only to subscribers', async () => {
    const db = t.database.db;
    const port = await closedPort();
    const hooks = await db
      .insert(webhooks)
      .values([
        { name: 'ding', kind: 'dingtalk', url: rx.url('/ding'), events: ['finding.*'] },
        { name: 'generic', kind: 'generic', url: rx.url('/generic') },
        { name: 'mail', kind: 'smtp', url: `smtp://127.0.0.1:${smtp.port}?from=xuncha@linyi.example`, target: 'ops@linyi.example, lead@linyi.example' },
        { name: 'campaigns only', kind: 'generic', url: rx.url('/campaigns-only'), events: ['campaign.reminder'] },
        { name: 'disabled', kind: 'generic', url: rx.url('/disabled'), enabled: false },
        { name: 'nobody home', kind: 'generic', url: `http://127.0.0.1:${port}/` },
        { name: 'wecom says no', kind: 'wecom', url: rx.url('/wecom-bad') },
      ])
      .returning();
    const notifier = createNotifier(db, { now: () => new Date('2026-03-30T01:00:00Z'), timeoutMs: 3000 });
    const results = await notifier.notify('finding.reminder', 'finding:3:reminder:7d', MESSAGE);
    const by = Object.fromEntries(results.map((r) => [r.webhookName, r]));
    expect(Object.keys(by).sort()).toEqual(['ding', 'generic', 'mail', 'nobody home', 'wecom says no']);
    expect(by.ding).toMatchObject({ status: 'sent', outcome: 'ok' });
    expect(by.generic).toMatchObject({ status: 'sent' });
    expect(by.mail).toMatchObject({ status: 'sent', outcome: 'ok' });
    expect(by['nobody home']).toMatchObject({ status: 'failed', outcome: 'connect_refused' });
    expect(by['wecom says no']).toMatchObject({ status: 'failed', outcome: 'rejected 93000 invalid webhook url' });

    expect(rx.at('/ding')[0]!.body).toEqual({
      msgtype: 'markdown',
      markdown: { title: MESSAGE.title, text: `### ${MESSAGE.title}\n\n${MESSAGE.text}\n\n[查看详情](${MESSAGE.link})` },
    });
    expect(rx.at('/generic')[0]!.body).toEqual({
      event: 'finding.reminder',
      dedupeKey: 'finding:3:reminder:7d',
      at: '2026-03-30T01:00:00.000Z',
      title: MESSAGE.title,
      text: MESSAGE.text,
      en: MESSAGE.en,
      link: MESSAGE.link,
      data: MESSAGE.data,
    });
    expect(rx.at('/campaigns-only')).toHaveLength(0);
    expect(rx.at('/disabled')).toHaveLength(0);

    const mail = smtp.messages[0]!;
    expect(mail.from).toBe('xuncha@linyi.example');
    expect(mail.to).toEqual(['ops@linyi.example', 'lead@linyi.example']);
    // nodemailer may fold a long subject into several encoded words: decode them all.
    const head = mail.data.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    const subject = /^Subject: (.*)$/m.exec(head)![1]!.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8')).trim();
    expect(subject).toBe(MESSAGE.title);
    const body = Buffer.from(mail.data.split('\r\n\r\n')[1]!.replace(/\r\n/g, ''), 'base64').toString('utf8');
    expect(body).toContain('兰山区人民政府');
    expect(body).toContain(MESSAGE.link);
    expect(body).toContain(MESSAGE.en!.title);

    const rows = await db.select().from(notifications).where(eq(notifications.dedupeKey, 'finding:3:reminder:7d'));
    expect(rows).toHaveLength(5);
    expect(rows.filter((r) => r.sentAt !== null)).toHaveLength(3);
    expect(rows.find((r) => r.webhookId === hooks[5]!.id)!.outcome).toBe('connect_refused');

    // Once per webhook and key: only the failed ones are tried again.
    const again = await notifier.notify('finding.reminder', 'finding:3:reminder:7d', MESSAGE);
    expect(again.filter((r) => r.status === 'duplicate').map((r) => r.webhookName).sort()).toEqual(['ding', 'generic', 'mail']);
    expect(again.filter((r) => r.status === 'failed').map((r) => r.webhookName).sort()).toEqual(['nobody home', 'wecom says no']);
    expect(rx.at('/ding')).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);

    // The test endpoint bypasses dedupe and reports the outcome.
    const test = await t.call('POST', `/api/v1/webhooks/${hooks[1]!.id}/test`);
    expect(test.status).toBe(200);
    expect(await test.json()).toEqual({ status: 'sent', outcome: 'ok' });
    expect((await t.call('POST', `/api/v1/webhooks/${hooks[5]!.id}/test`)).status).toBe(200);
    expect((await t.call('POST', '/api/v1/webhooks/999999/test')).status).toBe(404);
  });
});
