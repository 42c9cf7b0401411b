import type { LivenessResult } from '../../../probes/liveness.js';
import type { LeasedTarget, ProbeRecord } from '../types.js';
import { lazyProbe, recordOf, type ProbeKindSpec, type ProbeRunOptions } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/liveness.js'));

/** Failures worth another try: the network hiccuped, not the system. Timeouts are not retried (they cost the whole budget). */
const TRANSIENT = new Set(['connection_reset', 'dns_timeout', 'dns_error', 'protocol_error']);
const TRANSIENT_STATUS = new Set([502, 503, 504]);

function isTransient(r: LivenessResult): boolean {
  return TRANSIENT.has(r.outcome) || (r.outcome === 'http_error' && r.status !== undefined && TRANSIENT_STATUS.has(r.status));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function livenessWithRetry(url: string, o: ProbeRunOptions): Promise<{ result: LivenessResult; tries: number }> {
  const retries = o.retries ?? 2;
  let tries = 0;
  for (;;) {
    tries++;
    const { probeLiveness } = await probes();
    const result = await probeLiveness(url, { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock: o.deps.clock, ca: o.ca });
    if (!isTransient(result) || tries > retries) return { result, tries };
    await sleep((o.backoffMs ?? 250) * 2 ** (tries - 1));
  }
}

function livenessRecord(t: LeasedTarget, r: LivenessResult, tries: number): ProbeRecord {
  return {
    ...recordOf(t, 'liveness'),
    at: new Date(r.startedAt),
    outcome: r.outcome,
    httpStatus: r.status ?? null,
    durationMs: r.timings.totalMs,
    detail: {
      timings: r.timings,
      finalUrl: r.finalUrl,
      redirects: r.redirects,
      remoteAddress: r.remoteAddress,
      ...(r.tlsReason ? { tlsReason: r.tlsReason } : {}),
      ...(r.challenge ? { vendor: r.challenge.vendor, challengeMarker: r.challenge.marker } : {}),
      ...(r.localAddress ? { localAddress: r.localAddress } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.cert ? { cert: { issuer: r.cert.issuer, validTo: r.cert.validTo, daysToExpiry: r.cert.daysToExpiry } } : {}),
      ...(r.title ? { title: r.title } : {}),
      bodyBytes: r.bodyBytes,
      ...(tries > 1 ? { tries } : {}),
    },
    contentHash: r.contentHash ?? null,
    title: r.title ?? null,
    lastModified: r.lastModified ? new Date(r.lastModified) : null,
    certDaysLeft: r.cert?.daysToExpiry ?? null,
    cert: r.cert ? { issuer: r.cert.issuer, subject: r.cert.subject, validTo: r.cert.validTo, daysToExpiry: r.cert.daysToExpiry, selfSigned: r.cert.selfSigned } : undefined,
  };
}

/** Is the endpoint up: status, timings, TLS certificate, title and content hash. */
export const liveness: ProbeKindSpec<'liveness'> = {
  stored: 'liveness',
  target: 'endpoint',
  byDefault: true,
  rollsUpDaily: true,
  async run(_db, t, o) {
    const { result, tries } = await livenessWithRetry(t.url, o);
    return livenessRecord(t, result, tries);
  },
};
