import { randomBytes } from 'node:crypto';

/**
 * A minimal SMTP client: plain SMTP (no STARTTLS, no AUTH) to a relay the bureau runs on its own network,
 * such as a government mail gateway that accepts mail from the service's address. Enough for reminders;
 * anything fancier belongs in that relay.
 */
export interface SmtpTarget {
  host: string;
  port: number;
  from: string;
  to: string[];
}

/** `smtp://host[:port][?from=addr]` and a comma list of recipients. */
export function parseSmtpTarget(url: string, recipients: string | null | undefined): SmtpTarget | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'smtp:' || !u.hostname) return null;
  const to = (recipients ?? '')
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (!to.length || to.some((a) => !EMAIL.test(a))) return null;
  const from = u.searchParams.get('from') ?? 'xuncha@localhost';
  if (!EMAIL.test(from)) return null;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 25, from, to };
}

const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

function encodeHeader(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

export function buildMail(t: SmtpTarget, subject: string, body: string, at: Date): string {
  const b64 = Buffer.from(body, 'utf8').toString('base64').replace(/.{1,76}/g, '$&\r\n');
  const domain = t.from.split('@')[1] ?? 'localhost';
  return [
    `From: ${t.from}`,
    `To: ${t.to.join(', ')}`,
    `Subject: ${encodeHeader(subject.replace(/[\r\n]+/g, ' '))}`,
    `Date: ${at.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
  ].join('\r\n');
}

/** Sends one message; resolves to an outcome string (`ok`, `smtp_error 550 …`, `timeout`, …), never throws. */
export async function sendMail(t: SmtpTarget, subject: string, body: string, at: Date, timeoutMs: number): Promise<string> {
  const net = await import('node:net');
  return new Promise<string>((resolve) => {
    const socket = net.createConnection({ host: t.host, port: t.port });
    let buffer = '';
    let settled = false;
    const finish = (outcome: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const steps: Array<{ send?: string; expect: number[] }> = [
      { expect: [220] },
      { send: `EHLO xuncha`, expect: [250] },
      { send: `MAIL FROM:<${t.from}>`, expect: [250] },
      ...t.to.map((to) => ({ send: `RCPT TO:<${to}>`, expect: [250, 251] })),
      { send: 'DATA', expect: [354] },
      // Dot-stuffing: a line starting with "." gets another.
      { send: `${buildMail(t, subject, body, at).replace(/\r\n\./g, '\r\n..')}\r\n.`, expect: [250] },
      { send: 'QUIT', expect: [221] },
    ];
    let step = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        // A reply ends with a line "NNN text" (a hyphen after the code means more lines follow).
        const m = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
        if (!m) return;
        const code = Number(m[1]);
        const line = buffer.slice(0, m.index + m[0].length).trim().split('\r\n').pop() ?? '';
        buffer = buffer.slice(m.index + m[0].length);
        const current = steps[step]!;
        if (!current.expect.includes(code)) return finish(`smtp_error ${line.slice(0, 200)}`);
        step += 1;
        if (step >= steps.length) return finish('ok');
        socket.write(`${steps[step]!.send}\r\n`);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'connect_refused' : `error ${err.code ?? err.message}`));
    socket.on('close', () => finish(step >= steps.length - 1 ? 'ok' : 'connection_reset'));
  });
}
