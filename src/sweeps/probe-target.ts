import type { Db } from '../db/client.js';
import { kindsFor, SWEEP_KINDS, type ProbeRunOptions, type SweepKind } from './kinds/index.js';
import type { LeasedTarget, ProbeRecord } from './types.js';

export type ProbeTargetOptions = ProbeRunOptions;
export { parsePromSelector } from './kinds/usage.js';

/**
 * Runs what a sweep asks of one target: each asked-for kind of PROBE_KINDS that probes this type of
 * target, in registry order. Never throws: failures are records with an outcome code.
 */
export async function probeTarget(db: Db, t: LeasedTarget, kinds: SweepKind[], o: ProbeTargetOptions): Promise<ProbeRecord[]> {
  // A usage-source target exists only because its sweep asked for usage.
  const specs = kindsFor(t.kind, t.kind === 'endpoint' ? kinds : SWEEP_KINDS);
  const out: ProbeRecord[] = [];
  let running = specs[0] ?? kindsFor(t.kind, SWEEP_KINDS)[0]!;
  try {
    for (const spec of specs) {
      running = spec;
      const record = await spec.run(db, t, o);
      if (record) out.push(record);
    }
    return out;
  } catch (err) {
    // A bug in a probe must not stop a sweep; it is recorded like any other failure, as the kind that failed.
    return [
      {
        targetId: t.id,
        sweepId: t.sweepId,
        systemId: t.systemId,
        endpointId: t.endpointId,
        kind: running.stored,
        url: t.url,
        at: o.deps.clock.now(),
        outcome: 'protocol_error',
        httpStatus: null,
        durationMs: null,
        detail: { error: `probe failed: ${(err as Error).message}` },
        contentHash: null,
      },
    ];
  }
}
