import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetPolicy } from '../../probes/policy.js';
import { connectThroughPolicy } from '../../probes/egress.js';
import { parseSmtpTarget, sendMail } from '../../src/notify/smtp.js';

const tlsDir = new URL('../fixtures/tls/', import.meta.url);
const key = readFileSync(new URL('leaf.key', tlsDir));
const cert = readFileSync(new URL('leaf.crt', tlsDir));
const ca = readFileSync(new URL('ca.crt', tlsDir));
const USER = 'xuncha@linyi.example';
const PASS = 'p@ss:word/with&symbols';

interface Received {
  from: string;
  to: string[];
  data: string;
  secure: boolean;
  user: string | undefined;
}

/** smtp-server on loopback that requires TLS (STARTTLS, or implicit with `secure`) and AUTH before any mail. */
async function startServer(secure: boolean) {
  const received: Received[] = [];
  const options: SMTPServerOptions = {
    secure,
    key,
    cert,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false, // AUTH only after TLS
    authOptional: false, // MAIL FROM only after AUTH
    disabledCommands: [],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === USER && auth.password === PASS) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  };
  const server = new SMTPServer(options);
  const errors: Error[] = [];
  // Refused handshakes (the certificate tests) are expected here; keep them rather than crash.
  server.on('error', (e) => errors.push(e));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received, errors, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Decodes a base64 text/plain body and the (possibly folded, multi-word) encoded Subject. */
function decode(data: string) {
  const [head, ...rest] = data.split('\r\n\r\n');
  const unfolded = head!.replace(/\r\n[ \t]+/g, ' ');
  const subjectLine = /^Subject: (.*)$/m.exec(unfolded)![1]!;
  const subject = subjectLine.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8')).trim();
  return { head: unfolded, subject, body: Buffer.from(rest.join('\r\n\r\n').replace(/\s+/g, ''), 'base64').toString('utf8') };
}

describe('mail through nodemailer to a server that requires TLS and AUTH', () => {
  let starttls: Awaited<ReturnType<typeof startServer>>;
  let implicit: Awaited<ReturnType<typeof startServer>>;
  // The mail server's name resolves (in this test) to loopback; the certificate is for *.fleet.test.
  const lookup = async (host: string) => (host.endsWith('.test') ? ['127.0.0.1'] : []);
  const policy = createTargetPolicy();
  const opts = { timeoutMs: 10_000, lookup, policy, tls: { ca } };
  const userinfo = `${encodeURIComponent(USER)}:${encodeURIComponent(PASS)}`;
  const subject = '临沂市政务信息系统清查：兰山区待确认系统 12 个，请于截止日前完成确认（第二次提醒）';
  const body = '兰山区人民政府：\n\n请登录核查页面确认。\n.\n一行只有一个点也不能丢。';
  const at = new Date('2026-03-30T01:00:00Z');

  beforeAll(async () => {
    starttls = await startServer(false);
    implicit = await startServer(true);
  });
  afterAll(async () => {
    await starttls.close();
    await implicit.close();
  });

  it('STARTTLS then AUTH, with the certificate checked against the host name', async () => {
    const target = parseSmtpTarget(`smtp://${userinfo}@mail.fleet.test:${starttls.port}?from=xuncha@linyi.example&starttls=required`, 'ops@linyi.example, lead@linyi.example')!;
    expect(target).toMatchObject({ host: 'mail.fleet.test', secure: false, requireTls: true, user: USER, pass: PASS });
    expect(await sendMail(target, subject, body, at, opts)).toBe('ok');
    const mail = starttls.received.at(-1)!;
    expect(mail).toMatchObject({ from: 'xuncha@linyi.example', to: ['ops@linyi.example', 'lead@linyi.example'], secure: true, user: USER });
    const d = decode(mail.data);
    expect(d.subject).toBe(subject);
    expect(d.body.replace(/\r\n/g, '\n')).toBe(body);
    expect(d.head).toMatch(/^Date: Mon, 30 Mar 2026 01:00:00 \+0000$/m);
  });

  it('implicit TLS (smtps://, AUTH)', async () => {
    const target = parseSmtpTarget(`smtps://${userinfo}@mail.fleet.test:${implicit.port}?from=xuncha@linyi.example`, 'ops@linyi.example')!;
    expect(target.secure).toBe(true);
    expect(await sendMail(target, subject, body, at, opts)).toBe('ok');
    expect(implicit.received.at(-1)).toMatchObject({ secure: true, user: USER, to: ['ops@linyi.example'] });
  });

  it('failures are outcomes: wrong password, no AUTH, certificate for another name, untrusted CA, address denied by policy', async () => {
    const count = starttls.received.length + implicit.received.length;
    const base = `mail.fleet.test:${starttls.port}?from=xuncha@linyi.example`;
    const wrong = parseSmtpTarget(`smtp://${encodeURIComponent(USER)}:nope@${base}`, 'ops@linyi.example')!;
    expect(await sendMail(wrong, subject, body, at, opts)).toMatch(/^smtp_error .*535/);
    const anonymous = parseSmtpTarget(`smtp://${base}`, 'ops@linyi.example')!;
    expect(await sendMail(anonymous, subject, body, at, opts)).toMatch(/^smtp_error .*53\d/);
    // The certificate names *.fleet.test (and 127.0.0.1): reached as mail.other.test, it must fail,
    // which shows the name in the URL is what is checked, not the address connected to.
    const otherName = parseSmtpTarget(`smtps://${userinfo}@mail.other.test:${implicit.port}?from=xuncha@linyi.example`, 'ops@linyi.example')!;
    const lookupAny = async () => ['127.0.0.1'];
    expect(await sendMail(otherName, subject, body, at, { ...opts, lookup: lookupAny })).toMatch(/^tls_error .*(altnames|mail\.other\.test)/i);
    const untrusted = parseSmtpTarget(`smtps://${userinfo}@mail.fleet.test:${implicit.port}?from=xuncha@linyi.example`, 'ops@linyi.example')!;
    expect(await sendMail(untrusted, subject, body, at, { ...opts, tls: {} })).toMatch(/^tls_error /);
    const denied = createTargetPolicy({ deny: '127.0.0.0/8' });
    expect(await sendMail(untrusted, subject, body, at, { ...opts, policy: denied })).toMatch(/^blocked_by_policy 127\.0\.0\.1 is in denied 127\.0\.0\.0\/8/);
    const metadata = parseSmtpTarget('smtp://169.254.169.254:25?from=xuncha@linyi.example', 'ops@linyi.example')!;
    expect(await sendMail(metadata, subject, body, at, opts)).toMatch(/^blocked_by_policy .*cloud metadata/);
    expect(starttls.received.length + implicit.received.length).toBe(count);
  });

  it('through the policy-checked connector of probes/egress.ts (as the notifier sends)', async () => {
    const through = (p: ReturnType<typeof createTargetPolicy>) => (host: string, port: number) => connectThroughPolicy({ policy: p, connectTimeoutMs: 10_000 }, host, port);
    const target = parseSmtpTarget(`smtp://${userinfo}@127.0.0.1:${starttls.port}?from=xuncha@linyi.example&starttls=required`, 'ops@linyi.example')!;
    const before = starttls.received.length;
    expect(await sendMail(target, subject, body, at, { timeoutMs: 10_000, tls: { ca }, connect: through(policy) })).toBe('ok');
    expect(starttls.received.length).toBe(before + 1);
    expect(starttls.received.at(-1)).toMatchObject({ secure: true, user: USER });
    const implicitTarget = parseSmtpTarget(`smtps://${userinfo}@127.0.0.1:${implicit.port}?from=xuncha@linyi.example`, 'ops@linyi.example')!;
    expect(await sendMail(implicitTarget, subject, body, at, { timeoutMs: 10_000, tls: { ca }, connect: through(policy) })).toBe('ok');
    expect(await sendMail(target, subject, body, at, { timeoutMs: 10_000, tls: { ca }, connect: through(createTargetPolicy({ deny: '127.0.0.0/8' })) })).toBe('blocked_by_policy');
    expect(starttls.received.length).toBe(before + 1);
  });

  it('parses the mail URL forms and refuses bad ones', () => {
    expect(parseSmtpTarget('smtp://mail.linyi.example?from=a@b.cn', 'x@y.cn')).toMatchObject({ port: 25, secure: false, requireTls: false });
    expect(parseSmtpTarget('smtps://mail.linyi.example?from=a@b.cn', 'x@y.cn')).toMatchObject({ port: 465, secure: true });
    expect(parseSmtpTarget('smtp://mail.linyi.example?starttls=maybe', 'x@y.cn')).toBeNull();
    expect(parseSmtpTarget('http://mail.linyi.example', 'x@y.cn')).toBeNull();
    expect(parseSmtpTarget('smtp://mail.linyi.example', 'not-an-address')).toBeNull();
  });
});
