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
] as const;

export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

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
