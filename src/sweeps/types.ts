import type { UsageMetric } from '../../reports/codes.js';
import type { ProbeKind } from './kinds/index.js';

export { SWEEP_KINDS, type ProbeKind, type SweepKind } from './kinds/index.js';

/** What a probe run produces for storage: one row of probe_results plus what it says about its endpoint. */
export interface ProbeRecord {
  targetId: number;
  sweepId: number | null;
  systemId: number;
  endpointId: number | null;
  kind: ProbeKind;
  url: string;
  at: Date;
  outcome: string;
  httpStatus: number | null;
  durationMs: number | null;
  detail: Record<string, unknown>;
  contentHash: string | null;
  /** Liveness extras for endpoint_state. */
  title?: string | null;
  lastModified?: Date | null;
  certDaysLeft?: number | null;
  cert?: unknown;
  /** IPv6 measurement (fields of the contract) for endpoint_state.ipv6. */
  ipv6?: Record<string, unknown>;
  sitemapLastmod?: Date | null;
  /** Site inspection (kinds/inspection.ts): what the crawl saw, for the section and site rollups. */
  inspection?: { day: string; result: import('../../probes/inspection.js').InspectionResult };
  /** Accessibility (kinds/accessibility.ts): what axe-core saw, for accessibility_days. */
  accessibility?: { day: string; result: import('../../probes/accessibility.js').AccessibilityResult };
  /** Usage pull: the value read and the metric/day it feeds. */
  usage?: { metric: UsageMetric; day: string; value: number; sourceId: number };
}

export interface LeasedTarget {
  id: number;
  sweepId: number;
  systemId: number;
  endpointId: number | null;
  usageSourceId: number | null;
  kind: 'endpoint' | 'usage_source';
  url: string;
  attempts: number;
}
