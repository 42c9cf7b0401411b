import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's metrics on prom-client, one registry per process (or per test) passed in as a
 * dependency. `/metrics` renders the registry in the Prometheus text format.
 */
export interface ServiceMetricsOptions {
  /** Process and Node.js metrics (CPU, memory, event loop lag, GC, handles): on for the server. */
  processMetrics?: boolean;
}

export function createServiceMetrics(opts: ServiceMetricsOptions = {}) {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    /** The Prometheus text exposition of everything registered. */
    render: () => registry.metrics(),
    contentType: registry.contentType,
    sweepsStarted: new Counter({ name: 'xuncha_sweeps_started_total', help: 'Sweeps created, by trigger', labelNames: ['trigger'], registers }),
    sweepsFinished: new Counter({ name: 'xuncha_sweeps_finished_total', help: 'Sweeps this process saw finish', registers }),
    probes: new Counter({ name: 'xuncha_probes_total', help: 'Probe results stored by this process, by kind and outcome code', labelNames: ['kind', 'outcome'], registers }),
    probeSeconds: new Histogram({
      name: 'xuncha_probe_duration_seconds',
      help: 'Probe duration by kind',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    }),
    inFlight: new Gauge({ name: 'xuncha_probes_in_flight', help: 'Probes running in this process', registers }),
    httpRequests: new Counter({
      name: 'xuncha_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpSeconds: new Histogram({
      name: 'xuncha_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    /** A gauge read when scraped (e.g. the sweep queue depth from the database); a failed read keeps the last value. */
    addCollectedGauge(name: string, help: string, read: () => Promise<number>): void {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          try {
            this.set(await read());
          } catch {
            /* the database is away: /readyz says so; the scrape still answers */
          }
        },
      });
    },
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
