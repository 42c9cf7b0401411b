import { probeLiveness, type LivenessOptions } from '../liveness.js';
import type { ProbeOutcome } from '../outcome.js';

/**
 * Usage pulled from a system itself: a number in a JSON document (RFC 6901 pointer) or a Prometheus
 * text-format metric. Both go through the policy-checked liveness fetch and return outcome data.
 */

export type PullFailure = 'invalid_json' | 'pointer_not_found' | 'not_a_number' | 'metric_not_found';

export type PullResult =
  | { ok: true; outcome: 'ok'; value: number; status: number; totalMs: number; fetchedAt: string; series?: number }
  | { ok: false; outcome: ProbeOutcome | PullFailure; error: string; status?: number; totalMs: number; fetchedAt: string };

export type PullOptions = Omit<LivenessOptions, 'includeBody' | 'includeRawBody'>;

// ---------------------------------------------------------------------------------------------------
// JSON pointer (pure)

export class JsonPointerSyntaxError extends Error {
  override name = 'JsonPointerSyntaxError';
}

/** Splits an RFC 6901 pointer (`""`, `/a/b`, `/list/0`, `/a~1b`, or the URI fragment form `#/a`). */
export function parseJsonPointer(pointer: string): string[] {
  let text = pointer;
  if (text.startsWith('#')) text = decodeURIComponent(text.slice(1));
  if (text === '') return [];
  if (!text.startsWith('/')) throw new JsonPointerSyntaxError(`JSON pointer must start with "/": ${pointer}`);
  return text
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw new JsonPointerSyntaxError(`bad escape in JSON pointer token "${token}"`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

export function resolveJsonPointer(doc: unknown, pointer: string): { found: true; value: unknown } | { found: false; at: string } {
  const tokens = parseJsonPointer(pointer);
  let current: unknown = doc;
  let path = '';
  for (const token of tokens) {
    path += `/${token}`;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= current.length) return { found: false, at: path };
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return { found: false, at: path };
    }
  }
  return { found: true, value: current };
}

/** Numbers, and strings that are plainly numbers (`"57"`, `"1,234"`), count; anything else does not. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const text = value.trim().replace(/,/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Prometheus text format (pure)

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface MetricMatcher {
  name: string;
  /** Every label listed must equal; other labels are free. */
  labels?: Record<string, string>;
}

/** Parses the Prometheus text exposition format (0.0.4); unparseable lines are skipped. */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sample = parseSampleLine(line);
    if (sample) samples.push(sample);
  }
  return samples;
}

function parseSampleLine(line: string): MetricSample | null {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) return null;
  const name = nameMatch[1]!;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (!parsed) return null;
    Object.assign(labels, parsed.labels);
    rest = rest.slice(parsed.length);
  }
  const parts = rest.trim().split(/\s+/);
  const value = parseMetricValue(parts[0] ?? '');
  if (value === null) return null;
  const sample: MetricSample = { name, labels, value };
  if (parts[1] && /^-?\d+$/.test(parts[1])) sample.timestampMs = Number(parts[1]);
  return sample;
}

/** Parses `{a="x",b="y\"z"}` from the start of `text`; returns the labels and the characters consumed. */
function parseLabels(text: string): { labels: Record<string, string>; length: number } | null {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, length: i + 1 };
    const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!key) return null;
    i += key[0].length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') return null;
    i += 2;
    let value = '';
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\') {
        const next = text[++i];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += text[i];
    }
    if (text[i] !== '"') return null;
    i++;
    labels[key[0]] = value;
  }
}

function parseMetricValue(text: string): number | null {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : null;
}

/** Sum of the matching series (e.g. `http_requests_total` over all status codes); null when none match. */
export function selectMetric(samples: ReadonlyArray<MetricSample>, matcher: MetricMatcher): { value: number; series: number } | null {
  const matching = samples.filter(
    (s) => s.name === matcher.name && Object.entries(matcher.labels ?? {}).every(([k, v]) => s.labels[k] === v),
  );
  if (matching.length === 0) return null;
  return { value: matching.reduce((sum, s) => sum + s.value, 0), series: matching.length };
}

// ---------------------------------------------------------------------------------------------------
// Pulling (network)

async function fetchForPull(url: string, accept: string, options: PullOptions) {
  return probeLiveness(url, { ...options, includeBody: true, headers: { accept, ...options.headers } });
}

type FetchedForPull = Awaited<ReturnType<typeof fetchForPull>>;

function failed(probe: FetchedForPull, outcome: ProbeOutcome | PullFailure, error: string): PullResult {
  const result: PullResult = { ok: false, outcome, error, totalMs: probe.timings.totalMs, fetchedAt: probe.startedAt };
  if (probe.status !== undefined) result.status = probe.status;
  return result;
}

/** The number at `pointer` in the JSON document at `url`. */
export async function pullJsonMetric(url: string, pointer: string, options: PullOptions): Promise<PullResult> {
  const probe = await fetchForPull(url, 'application/json', options);
  if (probe.outcome !== 'ok') return failed(probe, probe.outcome, probe.error ?? probe.outcome);
  let doc: unknown;
  try {
    doc = JSON.parse(probe.bodyText ?? '');
  } catch {
    return failed(probe, 'invalid_json', 'response is not JSON');
  }
  let found: ReturnType<typeof resolveJsonPointer>;
  try {
    found = resolveJsonPointer(doc, pointer);
  } catch (err) {
    return failed(probe, 'pointer_not_found', (err as Error).message);
  }
  if (!found.found) return failed(probe, 'pointer_not_found', `nothing at ${found.at}`);
  const value = asNumber(found.value);
  if (value === null) return failed(probe, 'not_a_number', `value at ${pointer} is ${JSON.stringify(found.value)?.slice(0, 60)}`);
  return { ok: true, outcome: 'ok', value, status: probe.status ?? 200, totalMs: probe.timings.totalMs, fetchedAt: probe.startedAt };
}

/** The value (summed over matching series) of a metric in a Prometheus text endpoint. */
export async function pullPrometheusMetric(url: string, matcher: MetricMatcher, options: PullOptions): Promise<PullResult> {
  const probe = await fetchForPull(url, 'text/plain;version=0.0.4;q=1,*/*;q=0.1', options);
  if (probe.outcome !== 'ok') return failed(probe, probe.outcome, probe.error ?? probe.outcome);
  const selected = selectMetric(parsePrometheusText(probe.bodyText ?? ''), matcher);
  if (!selected) return failed(probe, 'metric_not_found', `no series ${describeMatcher(matcher)}`);
  if (!Number.isFinite(selected.value)) return failed(probe, 'not_a_number', `${describeMatcher(matcher)} is ${selected.value}`);
  return {
    ok: true,
    outcome: 'ok',
    value: selected.value,
    series: selected.series,
    status: probe.status ?? 200,
    totalMs: probe.timings.totalMs,
    fetchedAt: probe.startedAt,
  };
}

function describeMatcher(m: MetricMatcher): string {
  const labels = Object.entries(m.labels ?? {}).map(([k, v]) => `${k}="${v}"`);
  return labels.length ? `${m.name}{${labels.join(',')}}` : m.name;
}
