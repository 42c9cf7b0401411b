import { createProbeResolver, type ProbeResolver } from '../../probes/dns.js';
import { createTargetPolicy, type TargetPolicy } from '../../probes/policy.js';
import { startFleet, type Fleet } from './fleet.js';

/**
 * A started fleet plus what the service would build from its environment: a resolver on
 * `PROBE_DNS_SERVERS` (the fleet's DNS server) and the default target policy. Budgets no loaded
 * machine reaches, so a healthy probe never times out; a case that wants a timeout takes
 * `quickResolver` (DNS) or decides itself when the deadline passes (`ProbeClock.setTimer`).
 */
export interface FleetHarness {
  fleet: Fleet;
  resolver: ProbeResolver;
  /** A resolver that gives up after 1 s: for the cases that wait for DNS to time out. */
  quickResolver: ProbeResolver;
  policy: TargetPolicy;
  /** Options every liveness probe of the tests uses. */
  probe: { resolver: ProbeResolver; policy: TargetPolicy; timeoutMs: number; ca: string };
}

export const TEST_TIMEOUT_MS = 60_000;

export async function startFleetHarness(): Promise<FleetHarness> {
  const fleet = await startFleet();
  const resolver = createProbeResolver({ servers: fleet.dnsServers, timeoutMs: 60_000, tries: 1 });
  const quickResolver = createProbeResolver({ servers: fleet.dnsServers, timeoutMs: 1000, tries: 1 });
  const policy = createTargetPolicy();
  if (!fleet.ipv6) console.warn('probe tests: this machine has no IPv6 loopback (::1); IPv6 cases are skipped');
  return { fleet, resolver, quickResolver, policy, probe: { resolver, policy, timeoutMs: TEST_TIMEOUT_MS, ca: fleet.ca } };
}
