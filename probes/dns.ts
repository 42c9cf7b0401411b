import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { roundMs, shortMessage, systemClock, type DnsFailure, type ProbeClock } from './outcome.js';

/**
 * DNS look-ups for probes, on c-ares (`node:dns` Resolver) so that `PROBE_DNS_SERVERS` can point at
 * specific servers (`host`, `host:port`, `[v6]:port`). Failures come back as outcome codes, never thrown.
 */

export type DnsRecordType = 'A' | 'AAAA' | 'NS';

export type DnsAnswer =
  | { ok: true; type: DnsRecordType; name: string; records: string[]; ms: number }
  | { ok: false; type: DnsRecordType; name: string; outcome: DnsFailure; code: string; error: string; ms: number };

export interface ProbeResolver {
  /** Servers in use, or `[]` for the system's resolv.conf servers. */
  readonly servers: ReadonlyArray<string>;
  resolveA(name: string): Promise<DnsAnswer>;
  resolveAaaa(name: string): Promise<DnsAnswer>;
  resolveNs(name: string): Promise<DnsAnswer>;
}

export interface ProbeResolverOptions {
  /** `PROBE_DNS_SERVERS` as a comma list or array; unset or empty means the system resolver. */
  servers?: string | ReadonlyArray<string> | undefined;
  /** Per-attempt timeout of c-ares in ms (default 2000). */
  timeoutMs?: number;
  /** Attempts per server (default 2). */
  tries?: number;
  clock?: ProbeClock;
}

/** Splits `PROBE_DNS_SERVERS`: `1.1.1.1, 10.0.0.53:5353, [::1]:53`. */
export function parseDnsServers(list: string | ReadonlyArray<string> | undefined): string[] {
  if (list === undefined) return [];
  const items = typeof list === 'string' ? list.split(/[,\s]+/) : list;
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

export function createProbeResolver(options: ProbeResolverOptions = {}): ProbeResolver {
  const clock = options.clock ?? systemClock;
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  const servers = parseDnsServers(options.servers);
  // Throws on a malformed entry: configuration errors should fail loudly at start, not per probe.
  if (servers.length > 0) resolver.setServers(servers);

  async function lookup(type: DnsRecordType, name: string): Promise<DnsAnswer> {
    const started = clock.elapsedMs();
    const elapsed = () => roundMs(clock.elapsedMs() - started);
    try {
      const records =
        type === 'A' ? await resolver.resolve4(name) : type === 'AAAA' ? await resolver.resolve6(name) : await resolver.resolveNs(name);
      if (records.length === 0) {
        return { ok: false, type, name, outcome: 'dns_nodata', code: 'ENODATA', error: `no ${type} records`, ms: elapsed() };
      }
      return { ok: true, type, name, records, ms: elapsed() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      return { ok: false, type, name, outcome: dnsOutcomeFor(code), code, error: shortMessage(err), ms: elapsed() };
    }
  }

  return {
    servers,
    resolveA: (name) => lookup('A', name),
    resolveAaaa: (name) => lookup('AAAA', name),
    resolveNs: (name) => lookup('NS', name),
  };
}

/** Maps a c-ares error code to an outcome of the contract. */
export function dnsOutcomeFor(code: string): DnsFailure {
  switch (code) {
    case 'ENOTFOUND':
    case 'NXDOMAIN':
      return 'dns_nxdomain';
    case 'ENODATA':
      return 'dns_nodata';
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
      return 'dns_timeout';
    default:
      return 'dns_error';
  }
}

/** The result of resolving a host name to the addresses a probe may connect to. */
export type AddressResolution =
  | { ok: true; addresses: Array<{ address: string; family: 4 | 6 }>; ms: number }
  | { ok: false; outcome: DnsFailure; error: string; ms: number };

/**
 * Addresses for `host`, optionally pinned to one family (no fallback to the other). IP literals need no
 * look-up. Without pinning, IPv4 addresses come first: the baseline liveness probe measures what most
 * users of a government site get; the IPv6 probe pins the family explicitly.
 */
export async function resolveHostAddresses(
  resolver: ProbeResolver,
  host: string,
  family?: 4 | 6,
): Promise<AddressResolution> {
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  const kind = isIP(literal);
  if (kind !== 0) {
    if (family && kind !== family) {
      return { ok: false, outcome: 'dns_nodata', error: `${literal} is not an IPv${family} address`, ms: 0 };
    }
    return { ok: true, addresses: [{ address: literal, family: kind as 4 | 6 }], ms: 0 };
  }
  const lookups: Array<Promise<DnsAnswer>> = [];
  if (family !== 6) lookups.push(resolver.resolveA(host));
  if (family !== 4) lookups.push(resolver.resolveAaaa(host));
  const answers = await Promise.all(lookups);
  const ms = Math.max(...answers.map((a) => a.ms));
  const addresses = answers.flatMap((a) =>
    a.ok ? a.records.map((address) => ({ address, family: (a.type === 'A' ? 4 : 6) as 4 | 6 })) : [],
  );
  if (addresses.length > 0) return { ok: true, addresses, ms };
  const failures = answers.filter((a): a is Extract<DnsAnswer, { ok: false }> => !a.ok);
  const outcome = combineDnsFailures(failures.map((f) => f.outcome));
  const error = failures.map((f) => `${f.type}: ${f.error}`).join('; ');
  return { ok: false, outcome, error, ms };
}

/** Both look-ups failed: the worst of them explains it best (timeout > error > nodata > nxdomain). */
export function combineDnsFailures(outcomes: ReadonlyArray<DnsFailure>): DnsFailure {
  const rank: DnsFailure[] = ['dns_timeout', 'dns_error', 'dns_nodata', 'dns_nxdomain'];
  return rank.find((o) => outcomes.includes(o)) ?? 'dns_error';
}

/**
 * A resolver that asks once per name and type for as long as it is kept: one site's inspection crawl
 * (minutes at most) looks its host up once, not once per page and link. Failures are kept too: a name
 * that did not resolve for one link does not for the next. Cached answers report 0 ms.
 */
export function cachingResolver(resolver: ProbeResolver): ProbeResolver {
  const answers = new Map<string, Promise<DnsAnswer>>();
  const once = (type: DnsRecordType, name: string, ask: () => Promise<DnsAnswer>) => {
    const key = `${type} ${name.toLowerCase()}`;
    const hit = answers.get(key);
    if (hit) return hit.then((a) => ({ ...a, ms: 0 }));
    const p = ask();
    answers.set(key, p);
    return p;
  };
  return {
    servers: resolver.servers,
    resolveA: (name) => once('A', name, () => resolver.resolveA(name)),
    resolveAaaa: (name) => once('AAAA', name, () => resolver.resolveAaaa(name)),
    resolveNs: (name) => once('NS', name, () => resolver.resolveNs(name)),
  };
}
