/**
 * Probe outcome codes: stable strings fixed by shared/contract.md. A probe never throws; it returns one of
 * these with whatever timings it saw.
 */
export const PROBE_OUTCOMES = [
  'ok',
  'http_error',
  'timeout',
  'dns_nxdomain',
  'dns_nodata',
  'dns_timeout',
  'dns_error',
  'connect_refused',
  'connect_timeout',
  'connection_reset',
  'tls_error',
  'redirect_loop',
  'too_many_redirects',
  'body_too_large',
  'blocked_by_policy',
  'protocol_error',
  /** A WAF or bot challenge answered instead of the page (`vendor` in the detail where known). */
  'challenged',
] as const;

export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/**
 * THE definition of "the server answered" (shared/contract.md): outcomes where a server of the system
 * completed an exchange with us, whatever it said. An HTTP error, a bad certificate or a WAF challenge
 * is a live server with a problem, not a dead one. Availability, the unreachable rule and the
 * decommission check all read this one list.
 */
export const ANSWERED_OUTCOMES = ['ok', 'http_error', 'tls_error', 'challenged'] as const satisfies readonly ProbeOutcome[];
const ANSWERED: ReadonlySet<string> = new Set(ANSWERED_OUTCOMES);

export function serverAnswered(outcome: string): boolean {
  return ANSWERED.has(outcome);
}

/**
 * Probes that the server answered, from per-outcome counts (a daily rollup's `outcomes`). `ok` is the
 * fallback for rows recorded without counts: those count their successful probes only.
 */
export function answeredCount(outcomes: Partial<Record<string, number>> | null | undefined, ok = 0): number {
  let n = 0;
  let any = false;
  for (const [k, v] of Object.entries(outcomes ?? {})) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    any = true;
    if (ANSWERED.has(k)) n += v;
  }
  return any ? Math.max(n, ok) : ok;
}

/** Outcomes a DNS look-up can end with. */
export type DnsFailure = Extract<ProbeOutcome, 'dns_nxdomain' | 'dns_nodata' | 'dns_timeout' | 'dns_error'>;

export const TLS_REASONS = ['expired', 'self_signed', 'hostname', 'other'] as const;
export type TlsReason = (typeof TLS_REASONS)[number];

export type AddressFamily = 4 | 6;

/** Clock and monotonic timer, passed in so probes are testable with a fixed "now". */
export interface ProbeClock {
  /** Wall-clock time, used for timestamps and certificate expiry. */
  now(): Date;
  /** Monotonic milliseconds, used for durations. */
  elapsedMs(): number;
  /**
   * Runs `fn` after `ms` (a probe's deadline); returns a function that cancels it. Default: setTimeout.
   * Tests pass their own to decide when a hanging probe's time is up, instead of waiting for it.
   */
  setTimer?(ms: number, fn: () => void): () => void;
}

export const systemClock: ProbeClock = {
  now: () => new Date(),
  elapsedMs: () => performance.now(),
};

/** Milliseconds rounded to 0.1 ms: enough for reports, stable in JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A short, single-line message for results: never a stack. */
export function shortMessage(err: unknown, max = 200): string {
  const raw = err instanceof Error ? err.message || err.name : String(err);
  const line = raw.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A failure whose outcome is already decided, raised inside the connector and carried through undici. */
export class ProbeFailure extends Error {
  override name = 'ProbeFailure';
  constructor(
    readonly outcome: ProbeOutcome,
    message: string,
    readonly tlsReason?: TlsReason,
  ) {
    super(message);
  }
}
