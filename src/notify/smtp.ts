import { isIP, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { checkAddress, targetPolicyFromEnv, type TargetPolicy } from '../../probes/policy.js';

/**
 * Mail through nodemailer to the bureau's own mail server: `smtp://` (STARTTLS when the server offers
 * it; `?starttls=required` refuses to go on without it) or `smtps://` (implicit TLS, port 465), with
 * AUTH from the URL's user and password (`smtp://user:pass@mail.example:587?from=xuncha@example`).
 * Certificates are verified against the host name in the URL; an internal CA is added with
 * NODE_EXTRA_CA_CERTS. The address is resolved and checked against the target policy first, and the
 * connection goes to that checked address (DNS cannot steer it elsewhere in between).
 */
export interface SmtpTarget {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (smtps://). */
  secure: boolean;
  /** STARTTLS must succeed before anything else is sent. */
  requireTls: boolean;
  user?: string;
  pass?: string;
  from: string;
  to: string[];
}

const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

/** `smtp[s]://[user:pass@]host[:port][?from=addr&starttls=required]` and a comma list of recipients. */
export function parseSmtpTarget(url: string, recipients: string | null | undefined): SmtpTarget | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if ((u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || !u.hostname) return null;
  const to = (recipients ?? '')
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (!to.length || to.some((a) => !EMAIL.test(a))) return null;
  const from = u.searchParams.get('from') ?? 'xuncha@localhost';
  if (!EMAIL.test(from)) return null;
  const starttls = u.searchParams.get('starttls');
  if (starttls !== null && starttls !== 'required' && starttls !== 'optional') return null;
  const secure = u.protocol === 'smtps:';
  const target: SmtpTarget = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    requireTls: !secure && starttls === 'required',
    from,
    to,
  };
  if (u.username) {
    target.user = decodeURIComponent(u.username);
    target.pass = decodeURIComponent(u.password);
  }
  return target;
}

export interface SendMailOptions {
  timeoutMs: number;
  /**
   * Opens the TCP connection through the target policy (probes/egress.ts connectThroughPolicy); nodemailer
   * then speaks SMTP (and TLS, with the URL's host as servername) over it. Without it, the host is
   * resolved with `lookup`, checked with `policy`, and nodemailer connects to the checked address.
   */
  connect?: (host: string, port: number) => Promise<Socket>;
  /** Which addresses may be connected to; default from PROBE_ALLOW_CIDRS / PROBE_DENY_CIDRS. */
  policy?: TargetPolicy;
  /** Host name → addresses; default the system resolver. */
  lookup?: (host: string) => Promise<string[]>;
  /** Extra TLS settings (tests pass their CA here). */
  tls?: ConnectionOptions;
}

async function systemLookup(host: string): Promise<string[]> {
  const { lookup } = await import('node:dns/promises');
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/** The outcome strings of failed deliveries, in the notifier's vocabulary. */
function outcomeOf(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string; reason?: string };
  const text = String(e?.response ?? e?.message ?? err).replace(/\s+/g, ' ').slice(0, 200);
  if (e?.responseCode) return `smtp_error ${text}`;
  if (e?.code === 'ETIMEDOUT' || e?.code === 'ESOCKET' && /timeout/i.test(text)) return 'timeout';
  if (e?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) return 'connect_refused';
  if (e?.code === 'ECONNRESET' || /ECONNRESET/.test(text)) return 'connection_reset';
  if (e?.code === 'ETLS' || /certificate|self[- ]signed|altnames|SSL|TLS/i.test(text)) return `tls_error ${text}`;
  if (e?.code === 'EAUTH') return `smtp_error ${text}`;
  return `error ${e?.code ?? ''} ${text}`.replace(/\s+/g, ' ').trim();
}

/** Sends one message; resolves to an outcome string (`ok`, `smtp_error 535 …`, `timeout`, `blocked_by_policy …`), never throws. */
export async function sendMail(t: SmtpTarget, subject: string, body: string, at: Date, opts: SendMailOptions): Promise<string> {
  let address = t.host;
  if (!opts.connect) {
    try {
      const addresses = isIP(t.host) ? [t.host] : await (opts.lookup ?? systemLookup)(t.host);
      if (!addresses.length) return 'dns_error no address';
      const policy = opts.policy ?? targetPolicyFromEnv();
      const verdicts = addresses.map((a) => ({ a, v: checkAddress(a, policy) }));
      const allowed = verdicts.find((x) => x.v.allowed);
      if (!allowed) return `blocked_by_policy ${verdicts[0]!.v.reason}`;
      address = allowed.a;
    } catch (err) {
      return `dns_error ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }
  const { createTransport } = await import('nodemailer');
  const connect = opts.connect;
  const transport = createTransport({
    host: address,
    ...(connect
      ? {
          getSocket: (o: { host?: string; port?: number }, cb: (err: Error | null, socketOptions?: { connection: Socket }) => void) => {
            connect(o.host ?? t.host, o.port ?? t.port).then((connection) => cb(null, { connection }), (err: Error) => cb(err));
          },
        }
      : {}),
    port: t.port,
    secure: t.secure,
    requireTLS: t.requireTls,
    name: 'xuncha',
    ...(t.user !== undefined ? { auth: { user: t.user, pass: t.pass ?? '' } } : {}),
    // The certificate is checked against the name in the URL, not the address we connected to.
    tls: { servername: isIP(t.host) ? undefined : t.host, ...opts.tls },
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  try {
    await transport.sendMail({
      from: t.from,
      to: t.to,
      subject: subject.replace(/[\r\n]+/g, ' '),
      text: body,
      date: at,
      textEncoding: 'base64',
    });
    return 'ok';
  } catch (err) {
    if ((await import('../../probes/egress.js')).isBlockedByPolicy(err)) return 'blocked_by_policy';
    return outcomeOf(err);
  } finally {
    transport.close();
  }
}
