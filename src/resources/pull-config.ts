import { createProbeResolver } from '../../probes/dns.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { addDays } from '../../reports/dates.js';
import { localDay } from '../../probes/time.js';
import type { Config } from '../config.js';
import { DEFAULT_PROMQL, type PullSettings } from './prometheus.js';

/** The pull's settings from the parsed environment; null when no RESOURCES_PROMETHEUS_URL is set. Uses the probes' target policy and DNS servers. */
export function pullSettingsFromConfig(config: Config): PullSettings | null {
  if (!config.RESOURCES_PROMETHEUS_URL) return null;
  return {
    baseUrl: config.RESOURCES_PROMETHEUS_URL,
    templates: {
      cpu: config.RESOURCES_PROMQL_CPU ?? DEFAULT_PROMQL.cpu,
      mem: config.RESOURCES_PROMQL_MEM ?? DEFAULT_PROMQL.mem ?? null,
      netIn: config.RESOURCES_PROMQL_NET_IN ?? DEFAULT_PROMQL.netIn,
      netOut: config.RESOURCES_PROMQL_NET_OUT ?? DEFAULT_PROMQL.netOut,
      diskRead: config.RESOURCES_PROMQL_DISK_READ ?? DEFAULT_PROMQL.diskRead ?? null,
      diskWrite: config.RESOURCES_PROMQL_DISK_WRITE ?? DEFAULT_PROMQL.diskWrite ?? null,
    },
    stepSeconds: config.RESOURCES_PROMETHEUS_STEP_SECONDS,
    timeoutMs: config.RESOURCES_PROMETHEUS_TIMEOUT_MS,
    minCoverage: 0.9,
    timeZone: config.TZ,
    policy: createTargetPolicy({ allow: config.PROBE_ALLOW_CIDRS, deny: config.PROBE_DENY_CIDRS }),
    resolver: createProbeResolver({ servers: config.PROBE_DNS_SERVERS }),
  };
}

/** The days a scheduled pull fetches: the last `n` complete local days, oldest first. */
export function lastDays(now: Date, timeZone: string, n: number): string[] {
  const today = localDay(now, timeZone);
  return Array.from({ length: n }, (_, i) => addDays(today, -(n - i)));
}
