import type { Db } from '../../db/client.js';
import type { ProbeDeps } from '../../../probes/deps.js';
import type { endpointState } from '../../db/schema/index.js';
import type { LeasedTarget, ProbeRecord } from '../types.js';

export interface ProbeRunOptions {
  deps: ProbeDeps;
  timeZone: string;
  /** Retries of transient failures, with backoff (default 2). */
  retries?: number;
  backoffMs?: number;
  /** Extra trusted CA for tests. */
  ca?: string | Buffer;
  /** IPv6 only for internet-facing portals: the national platform measures portals. */
  ipv6Eligible?: (t: LeasedTarget) => boolean;
}

/**
 * One kind of probe a sweep can ask for: what runs, what it stores and what it feeds. The sweep API,
 * the CLI's `--kinds`, the probe-results filter and the sweep worker all read this; a new kind is one
 * new file beside this one and one line in `index.ts`.
 */
export interface ProbeKindSpec<Stored extends string = string> {
  /** The `kind` of its rows in probe_results (and of `GET /systems/{code}/probes?kind=`). */
  stored: Stored;
  /** What a sweep target of this kind is: one of a system's endpoints, or one of its usage sources. */
  target: LeasedTarget['kind'];
  /** Asked for by a sweep that names no kinds (the scheduled one included). */
  byDefault: boolean;
  /**
   * Its results are folded into probe_days, the daily rollup the availability, unreachable and
   * DNS-gone rules read. Other kinds feed evidence through endpoint_state (latest state per endpoint)
   * and their own tables (ipv6_changes, usage_days).
   */
  rollsUpDaily: boolean;
  /** Probes one target; null when the kind does not apply to it. May throw only on a bug (the caller records that). */
  run(db: Db, t: LeasedTarget, o: ProbeRunOptions): Promise<ProbeRecord | null>;
  /**
   * What its records say about their endpoint's latest state (endpoint_state), folded record by record
   * in time order over a batch: `fold` updates the draft row and may collect history rows in `acc`;
   * `flush` writes what was collected, once per batch, in the caller's transaction.
   */
  endpointState?: EndpointStateFold<any>;
  /** Writes what a batch of its records feeds besides probe_results and endpoint_state (its own tables). */
  store?(tx: Db, records: ProbeRecord[], ctx: StoreContext): Promise<void>;
}

/** The draft endpoint_state row a batch folds into. */
export type EndpointStateDraft = typeof endpointState.$inferInsert;

export interface EndpointStateFold<Acc> {
  init(): Acc;
  fold(next: EndpointStateDraft, r: ProbeRecord, acc: Acc): void;
  flush(tx: Db, acc: Acc): Promise<void>;
}

export interface StoreContext {
  /** Local days of the rollups. */
  timeZone: string;
}

/** The common fields of a record for target `t`. */
export function recordOf(t: LeasedTarget, kind: ProbeRecord['kind']): Pick<ProbeRecord, 'targetId' | 'sweepId' | 'systemId' | 'endpointId' | 'kind' | 'url'> {
  return { targetId: t.id, sweepId: t.sweepId, systemId: t.systemId, endpointId: t.endpointId, kind, url: t.url };
}

/**
 * A probe module loaded on first use and kept. The registry is imported wherever kinds are named (the
 * API's enums, the CLI), also on Workers, where the probes (undici, raw sockets) cannot load: only a
 * process that really probes loads them.
 */
export function lazyProbe<M>(load: () => Promise<M>): () => Promise<M> {
  let loaded: Promise<M> | undefined;
  return () => (loaded ??= load());
}
