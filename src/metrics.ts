/**
 * A small Prometheus text-format registry: counters, gauges and histograms with labels. Enough for
 * the service's own figures, without a dependency.
 */
type Labels = Record<string, string>;

const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  abstract lines(): string[];
}

export class Counter extends Metric {
  private values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  lines(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Gauge extends Metric {
  private values = new Map<string, number>();
  constructor(
    name: string,
    help: string,
    private readonly collect?: () => Promise<number>,
  ) {
    super(name, help, 'gauge');
  }
  set(value: number, labels: Labels = {}): void {
    this.values.set(key(labels), value);
  }
  async refresh(): Promise<void> {
    if (this.collect) this.set(await this.collect());
  }
  lines(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Histogram extends Metric {
  private series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    name: string,
    help: string,
    readonly buckets: number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(value: number, labels: Labels = {}): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((b, i) => {
      if (value <= b) s!.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i]}`));
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class Registry {
  private metrics: Metric[] = [];
  register<T extends Metric>(m: T): T {
    this.metrics.push(m);
    return m;
  }
  async render(): Promise<string> {
    for (const m of this.metrics) if (m instanceof Gauge) await m.refresh().catch(() => {});
    return (
      this.metrics
        .flatMap((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.lines()])
        .join('\n') + '\n'
    );
  }
}

/** The service's metrics. Created per process (or per test) and passed in. */
export function createServiceMetrics() {
  const registry = new Registry();
  return {
    registry,
    sweepsStarted: registry.register(new Counter('xuncha_sweeps_started_total', 'Sweeps created, by trigger')),
    sweepsFinished: registry.register(new Counter('xuncha_sweeps_finished_total', 'Sweeps this process saw finish')),
    probes: registry.register(new Counter('xuncha_probes_total', 'Probe results stored by this process, by kind and outcome code')),
    probeSeconds: registry.register(
      new Histogram('xuncha_probe_duration_seconds', 'Probe duration by kind', [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30]),
    ),
    inFlight: registry.register(new Gauge('xuncha_probes_in_flight', 'Probes running in this process')),
    httpRequests: registry.register(new Counter('xuncha_http_requests_total', 'HTTP requests by method and status class')),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
