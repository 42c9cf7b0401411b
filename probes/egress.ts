import type { Socket } from 'node:net';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { createConnector, openConnection, type ConnectContext } from './connect.js';
import { createProbeResolver, resolveHostAddresses, type ProbeResolver } from './dns.js';
import { ProbeFailure, systemClock, type ProbeClock } from './outcome.js';
import { checkAddress, createTargetPolicy, type TargetPolicy } from './policy.js';

/**
 * Every outgoing connection the service makes that is not a probe — webhook deliveries, mail, usage
 * pulls, anything later — goes through the probes' connector: DNS under our control, the target policy
 * checked against every address actually connected to (each redirect hop, after DNS: no rebinding), the
 * peer re-checked after connect, TLS verified. Each use has its own allow and deny lists
 * (NOTIFY_ALLOW_CIDRS / NOTIFY_DENY_CIDRS for notifications), on top of the default denials
 * (link-local, cloud metadata) that always stay.
 */

export interface EgressOptions {
  policy: TargetPolicy;
  /** Defaults to the system resolver. */
  resolver?: ProbeResolver;
  clock?: ProbeClock;
  /** Whole connection set-up (DNS, connect, TLS) per connection; default 10 s. */
  connectTimeoutMs?: number;
  /** Extra trusted CAs (PEM); Node's bundled roots otherwise. */
  trustedCa?: string[];
}

/** The outcome every blocked destination gets, whatever the address, port or reason: no port scanner. */
export const BLOCKED_OUTCOME = 'blocked_by_policy';

function contextFor(o: EgressOptions, resolver: ProbeResolver): ConnectContext {
  const clock = o.clock ?? systemClock;
  return {
    resolver,
    policy: o.policy,
    clock,
    deadline: clock.elapsedMs() + (o.connectTimeoutMs ?? 10_000),
    phase: 'start',
    timings: { dnsMs: 0, connectMs: 0, tlsMs: 0 },
    connections: new Map(),
    ...(o.trustedCa ? { trustedCa: o.trustedCa } : {}),
  };
}

/** An undici dispatcher (for `fetch(url, { dispatcher })`) whose every connection is policy-checked. */
export function createPolicyDispatcher(o: EgressOptions): Dispatcher {
  const resolver = o.resolver ?? createProbeResolver({ clock: o.clock });
  const connect = (opts: Parameters<ReturnType<typeof createConnector>>[0], callback: Parameters<ReturnType<typeof createConnector>>[1]) =>
    createConnector(contextFor(o, resolver))(opts, callback);
  return new Agent({ connect, connections: 8 });
}

/**
 * A policy-checked TCP (or TLS) socket to host:port, for clients that bring their own protocol (SMTP):
 * e.g. nodemailer's `getSocket(options, cb)` → `connectThroughPolicy(egress, options.host, options.port)
 * .then((connection) => cb(null, { connection }), cb)`. Rejects with a ProbeFailure whose outcome is
 * `blocked_by_policy` when no address of the host may be reached.
 */
export async function connectThroughPolicy(o: EgressOptions, host: string, port: number, opts: { tls?: boolean } = {}): Promise<Socket> {
  const resolver = o.resolver ?? createProbeResolver({ clock: o.clock });
  const hostname = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return openConnection(contextFor(o, resolver), {
    hostname,
    host: `${hostname}:${port}`,
    port: String(port),
    protocol: opts.tls ? 'https:' : 'http:',
  } as never);
}

/** Is this error (or its cause, as fetch wraps it) a destination the policy refused? */
export function isBlockedByPolicy(err: unknown): boolean {
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e instanceof ProbeFailure && e.outcome === 'blocked_by_policy') return true;
  }
  return false;
}

/** The notification policy from the environment; throws PolicyConfigError naming the variable. */
export function notifyPolicyFromEnv(env: Record<string, string | undefined> = process.env): TargetPolicy {
  return createTargetPolicy({ allow: env.NOTIFY_ALLOW_CIDRS, deny: env.NOTIFY_DENY_CIDRS, names: { allow: 'NOTIFY_ALLOW_CIDRS', deny: 'NOTIFY_DENY_CIDRS' } });
}

/** A fetch whose every connection goes through the policy (undici's fetch with the policy dispatcher). */
export function createPolicyFetch(o: EgressOptions): typeof globalThis.fetch {
  const dispatcher = createPolicyDispatcher(o);
  return ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher })) as unknown as typeof globalThis.fetch;
}

/**
 * Checks a host before a client that cannot take our socket connects to it. Weaker than
 * connectThroughPolicy (the client resolves again), so only a stop-gap for such clients.
 */
export async function hostAllowed(o: EgressOptions, host: string): Promise<boolean> {
  const resolver = o.resolver ?? createProbeResolver({ clock: o.clock });
  const resolution = await resolveHostAddresses(resolver, host.replace(/^\[|\]$/g, ''));
  if (!resolution.ok) return false;
  return resolution.addresses.every((a) => checkAddress(a.address, o.policy).allowed);
}
