/**
 * Webhooks go through the probes' policy-checked connector with their own lists (NOTIFY_ALLOW_CIDRS /
 * NOTIFY_DENY_CIDRS): the cloud metadata service in every spelling, link-local, denied loopback, DNS
 * answers that point there and redirects are refused before any byte is sent, and every refusal reads the
 * same (`blocked_by_policy`), whether the port behind it is open or closed: no port scanner.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProbeResolver } from '../../probes/dns.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { createNotifier, type NotificationMessage } from '../../src/notify/index.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { closedPort, startReceiver } from '../campaigns/receivers.js';

const MESSAGE: NotificationMessage = { title: '测试', text: '测试消息', en: { title: 'test', text: 'test' } };

/** The probe policy's metadata and link-local cases, as a webhook URL would spell them. */
const METADATA_URLS = [
  'http://169.254.169.254/latest/meta-data/',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://2852039166/latest/meta-data/',
  'http://0xa9fea9fe/latest/meta-data/',
  'http://0251.0376.0251.0376/',
  'http://169.254.43518/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[64:ff9b::169.254.169.254]/',
  'http://100.100.100.200/latest/meta-data/',
  'http://169.254.1.1:8080/',
  'http://[fe80::1]:8080/',
  'https://169.254.169.254/',
];

describe.each(backends)('webhook destinations on %s', (backend) => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let dns: TestDnsServer;
  let redirector: Server;
  let redirectorUrl: string;
  const saved = { allow: process.env.NOTIFY_ALLOW_CIDRS, deny: process.env.NOTIFY_DENY_CIDRS };

  beforeAll(async () => {
    t = await startTestApp(backend);
    rx = await startReceiver();
    dns = await startDnsServer({
      zone: {
        'metadata.hooks.test': { A: ['169.254.169.254'] },
        'v6metadata.hooks.test': { AAAA: ['fd00:ec2::254'] },
        'mapped.hooks.test': { AAAA: ['::ffff:169.254.169.254'] },
        'loopback.hooks.test': { A: ['127.0.0.1'] },
      },
    });
    redirector = createServer((req, res) => {
      res.writeHead(302, { location: req.url === '/to-loopback' ? rx.url('/after-redirect') : 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
  });
  afterEach(() => {
    for (const [k, v] of [['NOTIFY_ALLOW_CIDRS', saved.allow], ['NOTIFY_DENY_CIDRS', saved.deny]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterAll(async () => {
    await t?.close();
    await rx?.close();
    await dns?.close();
    await new Promise((r) => redirector?.close(r));
  });

  async function hook(url: string): Promise<number> {
    const res = await t.call('POST', '/api/v1/webhooks', { body: { name: `h ${url}`.slice(0, 100), kind: 'generic', url } });
    expect(res.status, url).toBe(201);
    return ((await res.json()) as { id: number }).id;
  }
  async function testHook(id: number) {
    const res = await t.call('POST', `/api/v1/webhooks/${id}/test`);
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; outcome: string };
  }

  it.each(METADATA_URLS)('POST /webhooks/{id}/test refuses %s', async (url) => {
    const r = await testHook(await hook(url));
    expect(r).toEqual({ status: 'failed', outcome: 'blocked_by_policy' });
  });

  it('denied loopback reads the same for an open and a closed port, and nothing arrives', async () => {
    process.env.NOTIFY_DENY_CIDRS = '127.0.0.0/8';
    const before = rx.received.length;
    const open = await testHook(await hook(rx.url('/open')));
    const closed = await testHook(await hook(`http://127.0.0.1:${await closedPort()}/closed`));
    expect(open).toEqual({ status: 'failed', outcome: 'blocked_by_policy' });
    expect(closed).toEqual(open);
    expect(rx.received.length).toBe(before);
  });

  it('an allow list keeps deliveries inside it; the default denials stay even when allowed', async () => {
    process.env.NOTIFY_ALLOW_CIDRS = '10.0.0.0/8';
    expect(await testHook(await hook(rx.url('/outside')))).toEqual({ status: 'failed', outcome: 'blocked_by_policy' });
    process.env.NOTIFY_ALLOW_CIDRS = '127.0.0.0/8, 169.254.0.0/16';
    expect(await testHook(await hook(rx.url('/inside')))).toEqual({ status: 'sent', outcome: 'ok' });
    expect(await testHook(await hook('http://169.254.169.254/'))).toEqual({ status: 'failed', outcome: 'blocked_by_policy' });
    expect(rx.at('/inside')).toHaveLength(1);
    expect(rx.at('/outside')).toHaveLength(0);
  });

  it('a redirect is an answer, never a new destination', async () => {
    expect(await testHook(await hook(`${redirectorUrl}/to-metadata`))).toEqual({ status: 'failed', outcome: 'http_error 302' });
    expect(await testHook(await hook(`${redirectorUrl}/to-loopback`))).toEqual({ status: 'failed', outcome: 'http_error 302' });
    expect(rx.at('/after-redirect')).toHaveLength(0);
  });

  it('DNS answers are checked: names pointing at metadata or denied loopback are refused', async () => {
    const resolver = createProbeResolver({ servers: [dns.address], timeoutMs: 1000, tries: 1 });
    const policy = createTargetPolicy({ deny: '127.0.0.0/8' });
    const ids: Record<string, number> = {};
    for (const name of ['metadata', 'v6metadata', 'mapped', 'loopback']) ids[name] = await hook(`http://${name}.hooks.test:${new URL(rx.url('/')).port}/dns-${name}`);
    const notifier = createNotifier(t.database.db, { egress: { policy, resolver } });
    for (const name of Object.keys(ids)) {
      expect(await notifier.test(ids[name]!, MESSAGE), name).toMatchObject({ status: 'failed', outcome: 'blocked_by_policy' });
    }
    // The same name, allowed: delivered (so the refusals above are the policy, not DNS trouble).
    const open = createNotifier(t.database.db, { egress: { policy: createTargetPolicy(), resolver } });
    expect(await open.test(ids.loopback!, MESSAGE)).toMatchObject({ status: 'sent', outcome: 'ok' });
    expect(rx.at('/dns-loopback')).toHaveLength(1);
    expect(rx.at('/dns-metadata')).toHaveLength(0);
  });

  it('the recorded outcome of a refusal names no address or reason', async () => {
    const id = await hook('http://2852039166/');
    await testHook(id);
    const list = await t.call('GET', '/api/v1/webhooks');
    expect(list.status).toBe(200);
    const { notifications } = await import('../../src/db/schema/index.js');
    const rows = await t.database.db.select().from(notifications);
    const outcomes = new Set(rows.filter((r) => r.webhookId === id).map((r) => r.outcome));
    expect([...outcomes]).toEqual(['blocked_by_policy']);
  });
});
