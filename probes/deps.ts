import { existsSync } from 'node:fs';
import { browserPathFrom, createBrowserPool, type BrowserPool } from './browser.js';
import { createCrawlGate, createProbeLimiter, type CrawlGate, type ProbeLimiter } from './concurrency.js';
import { createProbeResolver, type ProbeResolver } from './dns.js';
import { DEFAULT_TIMEOUT_MS } from './liveness.js';
import { systemClock, type ProbeClock } from './outcome.js';
import { createTargetPolicy, type TargetPolicy } from './policy.js';

/**
 * What a sweep passes to every probe, built once at the entry from the parsed environment (the
 * `PROBE_*` variables of the contract). Throws on a bad CIDR or DNS server: configuration fails loudly.
 */

export interface ProbeSettings {
  PROBE_TIMEOUT_MS?: number;
  PROBE_DNS_SERVERS?: string | undefined;
  PROBE_ALLOW_CIDRS?: string | undefined;
  PROBE_DENY_CIDRS?: string | undefined;
  PROBE_CONCURRENCY?: number;
  PROBE_PER_HOST?: number;
  /** Chromium for the accessibility kind: a path, `off`, or unset (/usr/bin/chromium if installed). */
  INSPECTION_BROWSER?: string | undefined;
}

export interface ProbeDeps {
  resolver: ProbeResolver;
  policy: TargetPolicy;
  timeoutMs: number;
  clock: ProbeClock;
  /** Global and per-host limits for a sweep. */
  limiter: ProbeLimiter;
  /** Portals crawled and pages held at once by the site inspection (sized from PROBE_CONCURRENCY); the inspection kind sizes one from 200 when absent. */
  crawls?: CrawlGate;
  /** The headless Chromium of the accessibility kind, launched on first use; null or absent: none (`no_browser`). */
  browser?: BrowserPool | null;
}

export function createProbeDeps(settings: ProbeSettings, clock: ProbeClock = systemClock): ProbeDeps {
  return {
    resolver: createProbeResolver({ servers: settings.PROBE_DNS_SERVERS, clock }),
    policy: createTargetPolicy({ allow: settings.PROBE_ALLOW_CIDRS, deny: settings.PROBE_DENY_CIDRS }),
    timeoutMs: settings.PROBE_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS,
    clock,
    limiter: createProbeLimiter(settings.PROBE_CONCURRENCY ?? 200, settings.PROBE_PER_HOST ?? 4),
    crawls: createCrawlGate(settings.PROBE_CONCURRENCY ?? 200),
    browser: browserFrom(settings.INSPECTION_BROWSER),
  };
}

function browserFrom(setting: string | undefined): BrowserPool | null {
  const path = browserPathFrom(setting);
  if (path === null) return null;
  if (setting?.trim() && !existsSync(path)) throw new Error(`INSPECTION_BROWSER: ${path} does not exist (give the path of Chromium, or off)`);
  return createBrowserPool({ executablePath: path });
}
