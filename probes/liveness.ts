import { rootCertificates } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib';
import type { buildConnector } from 'undici';
import { detectChallenge, type ChallengeVendor } from './challenge.js';
import { openConnection, type CertificateInfo, type Connection, type ConnectContext } from './connect.js';
import { contentHash, decodeBody, extractTitle, isHtml, sha256Hex } from './content.js';
import { sendRequest } from './http1.js';
import type { ProbeResolver } from './dns.js';
import { ProbeFailure, roundMs, shortMessage, systemClock, type ProbeClock, type ProbeOutcome, type TlsReason } from './outcome.js';
import type { TargetPolicy } from './policy.js';
import { parseHttpDate } from './time.js';

/**
 * The liveness probe: one GET of a URL as a browser would see it, with redirects followed by hand, every
 * connected address checked against the target policy, and per-phase timings. It never throws.
 */

export const USER_AGENT = 'Xuncha/0.1 (+government system audit)';
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 10;

export interface LivenessOptions {
  resolver: ProbeResolver;
  policy: TargetPolicy;
  /** Whole probe, redirects and body included (`PROBE_TIMEOUT_MS`, default 15000). */
  timeoutMs?: number;
  /** Per TCP connection attempt; defaults to the whole budget. */
  connectTimeoutMs?: number;
  /** Pin the address family: only A (4) or only AAAA (6) records are used, with no fallback. */
  family?: 4 | 6;
  maxRedirects?: number;
  /** Body cap after decompression (default 2 MiB). */
  maxBodyBytes?: number;
  /** Extra trusted CA certificates (PEM), added to the bundled roots. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Return the decoded body text, for the IPv6 parity and link checks. */
  includeBody?: boolean;
  /** Return the body bytes as received (after Content-Encoding), e.g. for gzipped sitemaps. */
  includeRawBody?: boolean;
  userAgent?: string;
  /** `HEAD` for a link check's first try (default `GET`). */
  method?: 'GET' | 'HEAD';
  /** Extra request headers (e.g. `authorization` for a usage API). */
  headers?: Record<string, string>;
  clock?: ProbeClock;
  /**
   * Client options: `maxHeaderSize` (bytes of response headers, default 16 KiB as node's). Connections
   * are always ours (the connector of connect.ts), one per request (http1.ts).
   */
  agentOptions?: { maxHeaderSize?: number };
  /** Cancels the probe; reported as `timeout`. */
  signal?: AbortSignal;
}

export interface LivenessTimings {
  /** Look-ups for every connection the probe opened, summed. */
  dnsMs: number;
  /** TCP handshakes, summed. */
  connectMs: number;
  /** TLS handshakes, summed. */
  tlsMs: number;
  /** From sending the final request (connection set-up included) to its response headers. */
  firstByteMs: number;
  /** The whole probe: redirects and body included. */
  totalMs: number;
}

export interface RedirectHop {
  url: string;
  status: number;
  location: string;
  remoteAddress: string | null;
}


export interface LivenessResult {
  url: string;
  outcome: ProbeOutcome;
  /** HTTP status of the final response, when one arrived. */
  status?: number;
  tlsReason?: TlsReason;
  /** Short single-line reason for any outcome but `ok`. */
  error?: string;
  startedAt: string;
  timings: LivenessTimings;
  finalUrl: string;
  redirects: RedirectHop[];
  /** Address of the last connection, when one was made. */
  remoteAddress: string | null;
  family?: 4 | 6;
  cert?: CertificateInfo;
  title?: string;
  contentType?: string;
  charset?: string;
  /** SHA-256 of the body with volatile parts removed (see content.ts). */
  contentHash?: string;
  /** Body bytes read, after decompression. */
  bodyBytes: number;
  /** `Last-Modified` as ISO 8601, when the header parses. */
  lastModified?: string;
  /** The decoded body, only with `includeBody` and a textual content type. */
  bodyText?: string;
  /** The body bytes, only with `includeRawBody`. */
  body?: Buffer;
  /** Outcome `challenged`: the WAF recognised and what gave it away. */
  challenge?: { vendor: ChallengeVendor; marker: string };
  /** Our side of the last connection: the prober's source address as the server saw it (before any NAT). */
  localAddress?: string | null;
}

interface ProbeContext extends ConnectContext {
  options: LivenessOptions;
  timedOut: boolean;
  /** Why the probe was stopped (its timeout or the caller's cancel), once it was. */
  stopped?: ProbeFailure;
  /** Aborts the exchange in progress, if any. */
  cancel?: (reason: Error) => void;
}

export async function probeLiveness(url: string, options: LivenessOptions): Promise<LivenessResult> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctx = newProbeContext(options, clock, timeoutMs);
  const started = clock.elapsedMs();
  const result = emptyResult(url, clock);
  const deadline = startDeadline(ctx, timeoutMs, options.signal);
  try {
    await followAndRead(url, ctx, result);
  } catch (err) {
    recordFailure(result, err, ctx);
  } finally {
    deadline.clear();
    // Whatever exchange is still open (a failure cut it short) is torn down with its connection.
    ctx.cancel?.(PROBE_DONE);
  }
  result.timings.dnsMs = roundMs(ctx.timings.dnsMs);
  result.timings.connectMs = roundMs(ctx.timings.connectMs);
  result.timings.tlsMs = roundMs(ctx.timings.tlsMs);
  result.timings.totalMs = roundMs(clock.elapsedMs() - started);
  if (!result.cert && ctx.failedCert && result.outcome === 'tls_error') result.cert = ctx.failedCert;
  return result;
}

/**
 * The reason an exchange nobody waits for any more is ended with (a redirect's body, one past the cap,
 * a finished probe's leftovers): one error, its stack formatted once, since whatever it ends has
 * already been settled and nobody reads it.
 */
const PROBE_DONE = new Error('probe finished with this connection');
void PROBE_DONE.stack;

function newProbeContext(options: LivenessOptions, clock: ProbeClock, timeoutMs: number): ProbeContext {
  const ctx: ProbeContext = {
    options,
    resolver: options.resolver,
    policy: options.policy,
    clock,
    deadline: clock.elapsedMs() + timeoutMs,
    phase: 'start',
    timedOut: false,
    timings: { dnsMs: 0, connectMs: 0, tlsMs: 0 },
    connections: new Map(),
  };
  const trustedCa = trustedCaList(options.ca);
  if (trustedCa) ctx.trustedCa = trustedCa;
  if (options.family) ctx.family = options.family;
  if (options.connectTimeoutMs !== undefined) ctx.connectTimeoutMs = options.connectTimeoutMs;
  return ctx;
}

function emptyResult(url: string, clock: ProbeClock): LivenessResult {
  return {
    url,
    outcome: 'ok',
    startedAt: clock.now().toISOString(),
    timings: { dnsMs: 0, connectMs: 0, tlsMs: 0, firstByteMs: 0, totalMs: 0 },
    finalUrl: url,
    redirects: [],
    remoteAddress: null,
    bodyBytes: 0,
  };
}

/**
 * One deadline for the whole probe (redirects and body included), and the caller's cancel: either
 * stops the exchange in progress and any later one. No AbortSignal per probe: a timer and a callback
 * cost less, and a sweep runs thousands of probes a second.
 */
function startDeadline(ctx: ProbeContext, timeoutMs: number, callerSignal: AbortSignal | undefined) {
  const stop = (failure: ProbeFailure) => {
    if (ctx.stopped) return;
    ctx.stopped = failure;
    ctx.cancel?.(failure);
  };
  const onDeadline = () => {
    ctx.timedOut = true;
    stop(new ProbeFailure('timeout', `no complete response within ${timeoutMs} ms`));
  };
  let cancelTimer: () => void;
  if (ctx.clock.setTimer) cancelTimer = ctx.clock.setTimer(timeoutMs, onDeadline);
  else {
    const timer = setTimeout(onDeadline, timeoutMs);
    cancelTimer = () => clearTimeout(timer);
  }
  const onCallerAbort = () => stop(new ProbeFailure('timeout', 'probe cancelled'));
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  if (callerSignal?.aborted) onCallerAbort();
  return {
    clear() {
      cancelTimer();
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

function trustedCaList(ca: LivenessOptions['ca']): string[] | undefined {
  if (ca === undefined) return undefined;
  const extra = (Array.isArray(ca) ? ca : [ca]) as Array<string | Buffer>;
  return [...rootCertificates, ...extra.map((c) => c.toString())];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

async function followAndRead(startUrl: string, ctx: ProbeContext, result: LivenessResult): Promise<void> {
  let current = parseProbeUrl(startUrl);
  const visited = new Set<string>([current.href]);
  const maxRedirects = ctx.options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (;;) {
    result.finalUrl = current.href;
    describeConnection(result, undefined);
    delete result.status;
    const hopStart = ctx.clock.elapsedMs();
    ctx.phase = 'request';
    const response = await exchange(current, ctx, result);
    result.timings.firstByteMs = roundMs(ctx.clock.elapsedMs() - hopStart);
    describeConnection(result, ctx.connections.get(`${current.protocol}//${current.host}`));
    result.status = response.statusCode;

    const location = headerValue(response.headers, 'location');
    if (REDIRECT_STATUSES.has(response.statusCode) && location) {
      response.discard();
      if (result.redirects.length >= maxRedirects) throw new ProbeFailure('too_many_redirects', `more than ${maxRedirects} redirects`);
      const next = redirectTarget(current, location);
      result.redirects.push({ url: current.href, status: response.statusCode, location: next.href, remoteAddress: result.remoteAddress });
      // The hop that closes the loop is kept above, so the evidence shows the whole cycle.
      if (visited.has(next.href)) throw new ProbeFailure('redirect_loop', `redirect loop back to ${next.href}`);
      visited.add(next.href);
      current = next;
      continue;
    }
    await readFinalResponse(response, ctx, result);
    return;
  }
}

/** Remote address, family and certificate of the hop's connection; cleared when there is none yet. */
function describeConnection(result: LivenessResult, connection: Connection | undefined): void {
  result.remoteAddress = connection?.address ?? null;
  if (connection?.localAddress) result.localAddress = connection.localAddress;
  if (connection) result.family = connection.family;
  else delete result.family;
  if (connection?.cert) result.cert = connection.cert;
  else delete result.cert;
}

function parseProbeUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProbeFailure('protocol_error', `not a URL: ${text.slice(0, 100)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeFailure('protocol_error', `unsupported scheme ${url.protocol}`);
  }
  url.hash = '';
  return url;
}

function redirectTarget(current: URL, location: string): URL {
  try {
    return parseProbeUrl(new URL(location, current).href);
  } catch (err) {
    throw err instanceof ProbeFailure ? err : new ProbeFailure('protocol_error', `bad Location header: ${location.slice(0, 100)}`);
  }
}

function requestHeaders(options: LivenessOptions, host: string): Record<string, string> {
  return {
    host,
    'user-agent': options.userAgent ?? USER_AGENT,
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5',
    'accept-encoding': 'gzip, deflate, br',
    ...options.headers,
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readFinalResponse(response: ProbeResponse, ctx: ProbeContext, result: LivenessResult): Promise<void> {
  const contentType = headerValue(response.headers, 'content-type');
  if (contentType) result.contentType = contentType;
  const lastModified = parseHttpDate(headerValue(response.headers, 'last-modified'));
  if (lastModified) result.lastModified = lastModified.toISOString();
  const failedStatus = response.statusCode >= 400;
  const cap = ctx.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const encoding = headerValue(response.headers, 'content-encoding');
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (!failedStatus && Number.isFinite(declared) && declared > cap && !encoding) {
    response.discard();
    throw new ProbeFailure('body_too_large', `Content-Length ${declared} exceeds the ${cap}-byte cap`);
  }

  ctx.phase = 'body';
  if (failedStatus) {
    // The status is the finding; a body that then stalls or breaks must not hide it.
    result.outcome = 'http_error';
    result.error = `HTTP ${response.statusCode}`;
  }
  const read = await response.body.then((raw) => decode(raw, encoding, cap)).catch((err: unknown) => {
    if (failedStatus) return null;
    throw err;
  });
  if (!read) return;
  result.bodyBytes = read.bytes;
  if (read.tooLarge && !failedStatus) throw new ProbeFailure('body_too_large', `body exceeds the ${cap}-byte cap`);

  if (ctx.options.includeRawBody) result.body = read.data;
  const text = describeBody(read.data, contentType, ctx.options.includeBody === true, result);
  if (text !== null) markChallenge(response, text, result);
}

/**
 * A WAF or bot challenge instead of the page: the server answered, but not with the site. What the page
 * says about content (hash, Last-Modified, title) describes the challenge, so it is dropped.
 */
function markChallenge(response: ProbeResponse, text: string, result: LivenessResult): void {
  const challenge = detectChallenge({ status: response.statusCode, headers: response.headers, body: text });
  if (!challenge) return;
  result.outcome = 'challenged';
  result.challenge = challenge;
  result.error = `challenged by ${challenge.vendor} (HTTP ${response.statusCode}, ${challenge.marker})`;
  delete result.contentHash;
  delete result.lastModified;
  delete result.title;
}

interface BodyRead {
  data: Buffer;
  bytes: number;
  tooLarge: boolean;
}

interface ProbeResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body as received (still content-encoded), cut at the cap. */
  body: Promise<BodyRead>;
  /** Drops the body and closes the connection (each request has a connection of its own). */
  discard(): void;
}

/**
 * One request on a connection of its own, opened by our connector (DNS, policy, TCP, TLS), written and
 * read by http1.ts; the body is gathered in memory up to the cap. Resolves at the response headers; the
 * probe's deadline cancels it at any point.
 */
function exchange(url: URL, ctx: ProbeContext, result: LivenessResult): Promise<ProbeResponse> {
  const cap = ctx.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return new Promise<ProbeResponse>((resolveHead, rejectHead) => {
    if (ctx.stopped) return rejectHead(ctx.stopped);
    let headers = false;
    let done = false;
    let bytes = 0;
    const chunks: Buffer[] = [];
    let resolveBody!: (read: BodyRead) => void;
    let rejectBody!: (err: unknown) => void;
    const body = new Promise<BodyRead>((res, rej) => ((resolveBody = res), (rejectBody = rej)));
    body.catch(() => {}); // a discarded body's failure is nobody's business
    let socket: Socket | undefined;
    const finish = (read: BodyRead | undefined, err?: unknown) => {
      if (done) return;
      done = true;
      if (ctx.cancel === cancel) ctx.cancel = undefined;
      if (!headers) rejectHead(err);
      else if (read) resolveBody(read);
      else rejectBody(err);
    };
    /** Ends the exchange: settles it (with `reason` when still open) and drops the connection. */
    const cancel = (reason: Error) => {
      finish(undefined, reason);
      socket?.destroy();
    };
    ctx.cancel = cancel;
    const connectOptions = { hostname: url.hostname, host: url.host, port: url.port, protocol: url.protocol } as buildConnector.Options;
    openConnection(ctx, connectOptions).then(
      (s) => {
        if (done) return void s.destroy(); // cancelled while connecting
        socket = s;
        sendRequest(s, { method: ctx.options.method ?? 'GET', path: `${url.pathname}${url.search}`, headers: requestHeaders(ctx.options, url.host), maxHeaderBytes: ctx.options.agentOptions?.maxHeaderSize }, {
          head(head) {
            headers = true;
            resolveHead({
              statusCode: head.statusCode,
              headers: head.headers,
              body,
              discard() {
                chunks.length = 0;
                cancel(PROBE_DONE);
              },
            });
          },
          body(chunk) {
            if (done) return;
            bytes += chunk.length;
            result.bodyBytes = Math.min(bytes, cap);
            if (bytes > cap) {
              finish({ data: Buffer.concat(chunks), bytes: bytes - chunk.length, tooLarge: true });
              cancel(PROBE_DONE);
              return;
            }
            chunks.push(chunk);
          },
          end() {
            finish({ data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), bytes, tooLarge: false });
            s.destroy();
          },
          error: (err) => cancel(err),
        });
      },
      (err: unknown) => finish(undefined, err),
    );
  });
}

const unzip = { gzip: promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) } as const;

/** Undoes Content-Encoding with the cap applied to the decoded size (a small compressed body can inflate to gigabytes). */
async function decode(raw: BodyRead, encoding: string | undefined, cap: number): Promise<BodyRead> {
  const name = (encoding ?? '').trim().toLowerCase();
  const method = name === 'gzip' || name === 'x-gzip' ? unzip.gzip : name === 'deflate' ? unzip.deflate : name === 'br' ? unzip.br : undefined;
  if (!method || raw.tooLarge) return raw;
  try {
    const data = await method(raw.data, { maxOutputLength: cap } satisfies ZlibOptions);
    return { data, bytes: data.length, tooLarge: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { data: Buffer.alloc(0), bytes: cap, tooLarge: true };
    throw err;
  }
}

const TEXTUAL = /^(text\/|application\/(xhtml\+xml|xml|json|javascript|rss\+xml|atom\+xml)|[^;]*\+xml|[^;]*\+json)/i;

/** Fills title, hash and (optionally) text; returns the decoded text, or null for a non-text body. */
function describeBody(data: Buffer, contentType: string | undefined, includeBody: boolean, result: LivenessResult): string | null {
  if (contentType && !TEXTUAL.test(contentType.trim())) {
    result.contentHash = sha256Hex(data);
    return null;
  }
  const { text, charset } = decodeBody(data, contentType);
  result.charset = charset;
  const html = isHtml(contentType, text);
  if (html) {
    const title = extractTitle(text);
    if (title) result.title = title;
  }
  result.contentHash = contentHash(text, html);
  if (includeBody) result.bodyText = text;
  return text;
}

function recordFailure(result: LivenessResult, err: unknown, ctx: ProbeContext): void {
  const failure = classifyError(err, ctx);
  result.outcome = failure.outcome;
  result.error = failure.message;
  if (failure.tlsReason) result.tlsReason = failure.tlsReason;
}

/** Maps whatever undici, node:net, node:tls or zlib raised to an outcome of the contract. */
export function classifyError(err: unknown, ctx: { timedOut: boolean; phase: string }): ProbeFailure {
  const failure = findProbeFailure(err);
  if (ctx.timedOut || failure?.outcome === 'timeout') {
    const message = failure?.message ?? 'timed out';
    if (ctx.phase === 'dns') return new ProbeFailure('dns_timeout', `DNS look-up ${message}`);
    if (ctx.phase === 'connect') return new ProbeFailure('connect_timeout', `connect ${message}`);
    if (failure && failure.outcome !== 'timeout') return failure;
    return new ProbeFailure('timeout', `${message} (during ${ctx.phase})`);
  }
  if (failure) return failure;
  const codes = errorCodes(err);
  const message = shortMessage(err);
  const has = (...list: string[]) => list.some((c) => codes.includes(c));
  if (has('ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT')) {
    return new ProbeFailure('connect_refused', `${codes[0]}: ${message}`);
  }
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED')) return new ProbeFailure('connection_reset', message);
  if (has('ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT')) return new ProbeFailure('connect_timeout', message);
  if (has('UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED', 'ABORT_ERR')) return new ProbeFailure('timeout', message);
  if (has('UND_ERR_RES_EXCEEDED_MAX_SIZE')) return new ProbeFailure('body_too_large', message);
  return new ProbeFailure('protocol_error', codes.length ? `${codes[0]}: ${message}` : message);
}

function findProbeFailure(err: unknown): ProbeFailure | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ProbeFailure) return e;
  }
  return undefined;
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}
