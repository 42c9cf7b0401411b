import { createProbeResolver, type ProbeResolver } from '../../probes/dns.js';
import { createTargetPolicy, type TargetPolicy } from '../../probes/policy.js';
import { startFleet, type Fleet } from './fleet.js';

/**
 * A started fleet plus what the service would build from its environment: a resolver on
 * `PROBE_DNS_SERVERS` (the fleet's DNS server) and the default target policy. Probe timeouts stay short.
 */
export interface FleetHarness {
  fleet: Fleet;
  resolver: ProbeResolver;
  policy: TargetPolicy;
  /** Options every liveness probe of the tests uses. */
  probe: { resolver: ProbeResolver; policy: TargetPolicy; timeoutMs: number; ca: string };
}

export const TEST_TIMEOUT_MS = 1500;

export async function startFleetHarness(): Promise<FleetHarness> {
  const fleet = await startFleet();
  const resolver = createProbeResolver({ servers: fleet.dnsServers, timeoutMs: 1000, tries: 1 });
  const policy = createTargetPolicy();
  if (!fleet.ipv6) console.warn('probe tests: this machine has no IPv6 loopback (::1); IPv6 cases are skipped');
  return { fleet, resolver, policy, probe: { resolver, policy, timeoutMs: TEST_TIMEOUT_MS, ca: fleet.ca } };
}
