import { accessibility } from './accessibility.js';
import { freshness } from './freshness.js';
import { inspection } from './inspection.js';
import { ipv6 } from './ipv6.js';
import { liveness } from './liveness.js';
import type { ProbeKindSpec } from './spec.js';
import { usage } from './usage.js';

export type { ProbeKindSpec, ProbeRunOptions } from './spec.js';

/**
 * Every kind of probe, by the name a sweep asks for it (`POST /sweeps {kinds}`, `xuncha sweep --kinds`).
 * Endpoint kinds run in this order on each endpoint, so liveness comes first.
 */
export const PROBE_KINDS = { liveness, ipv6, freshness, inspection, accessibility, usage } as const;

export type SweepKind = keyof typeof PROBE_KINDS;
/** The `kind` of a probe_results row. */
export type ProbeKind = (typeof PROBE_KINDS)[SweepKind]['stored'];

const entries = Object.entries(PROBE_KINDS) as Array<[SweepKind, ProbeKindSpec<ProbeKind>]>;

export const SWEEP_KINDS = entries.map(([name]) => name) as [SweepKind, ...SweepKind[]];
export const STORED_PROBE_KINDS = entries.map(([, k]) => k.stored) as [ProbeKind, ...ProbeKind[]];
export const DEFAULT_SWEEP_KINDS: SweepKind[] = entries.filter(([, k]) => k.byDefault).map(([name]) => name);

/** The spec behind a stored `kind` (a probe_results row or a record). */
export function probeKindOf(stored: ProbeKind): ProbeKindSpec<ProbeKind> {
  return entries.find(([, k]) => k.stored === stored)![1];
}

/** The kinds of `kinds` that run on targets of type `target`, in registry order. */
export function kindsFor(target: ProbeKindSpec['target'], kinds: readonly SweepKind[]): Array<ProbeKindSpec<ProbeKind>> {
  return entries.filter(([name, k]) => k.target === target && kinds.includes(name)).map(([, k]) => k);
}
