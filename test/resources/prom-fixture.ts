import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, type Day } from '../../reports/dates.js';
import { startOfDay } from '../../probes/time.js';
import { freePort } from '../support/ports.js';

/**
 * A real Prometheus on loopback whose TSDB is backfilled (promtool tsdb create-blocks-from openmetrics)
 * with node_exporter-style series the test writes: per resource and day a CPU % and network bytes, each
 * constant within the day, so the test knows the figures exactly. A day whose CPU is null has no samples.
 */

export interface ResourceProfile {
  id: string;
  /** CPU % of day i (0 = first day); null: no samples that day (missing evidence). */
  cpu: (i: number) => number | null;
  /** Network in + out bytes of day i (half each way). */
  net: (i: number) => number;
  memPct: number;
  memGb: number;
}

export const STEP = 900;
export const TZ = 'Asia/Shanghai';


/** OpenMetrics text for `days` days from `first`, samples every STEP seconds (the end of the last day included). */
export function openMetrics(profiles: ResourceProfile[], first: Day, days: number): string {
  const t0 = startOfDay(first, TZ).getTime() / 1000;
  const end = t0 + days * 86400;
  const lines: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', series: Array<{ labels: string; value: (ts: number, day: number) => number; p: ResourceProfile }>) => {
    lines.push(`# TYPE ${type === 'counter' ? name.replace(/_total$/, '') : name} ${type}`);
    for (const s of series) {
      for (let ts = t0; ts <= end; ts += STEP) {
        // A sample at ts closes the interval (ts-STEP, ts], which belongs to the day containing ts-1.
        const day = Math.floor((ts - 1 - t0) / 86400);
        const own = Math.floor((ts - t0) / 86400);
        if (own < days && s.p.cpu(own) === null) continue; // the day without samples
        lines.push(`${name}{${s.labels}} ${s.value(ts, day)} ${ts}`);
      }
    }
  };
  // Cumulative counters: the integral of each day's constant rate up to ts.
  const cumulative = (rate: (day: number) => number) => (ts: number) => {
    const elapsed = ts - t0;
    const full = Math.floor(elapsed / 86400);
    let v = 1e12;
    for (let d = 0; d < full; d++) v += rate(d) * 86400;
    if (full < days) v += rate(full) * (elapsed - full * 86400);
    return Math.round(v * 1000) / 1000;
  };
  const cpuRate = (p: ResourceProfile) => (d: number) => 1 - (p.cpu(d) ?? 0) / 100;
  const netRate = (p: ResourceProfile) => (d: number) => p.net(d) / 2 / 86400;
  family('node_cpu_seconds_total', 'counter', profiles.flatMap((p) => ['0', '1'].map((cpu) => ({ p, labels: `cpu="${cpu}",instance="${p.id}",mode="idle"`, value: cumulative(cpuRate(p)) }))));
  family('node_network_receive_bytes_total', 'counter', profiles.map((p) => ({ p, labels: `device="eth0",instance="${p.id}"`, value: cumulative(netRate(p)) })));
  family('node_network_transmit_bytes_total', 'counter', profiles.map((p) => ({ p, labels: `device="eth0",instance="${p.id}"`, value: cumulative(netRate(p)) })));
  family('node_memory_MemTotal_bytes', 'gauge', profiles.map((p) => ({ p, labels: `instance="${p.id}"`, value: () => p.memGb * 2 ** 30 })));
  family('node_memory_MemAvailable_bytes', 'gauge', profiles.map((p) => ({ p, labels: `instance="${p.id}"`, value: () => p.memGb * 2 ** 30 * (1 - p.memPct / 100) })));
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/** Backfills a TSDB in `dir` and starts Prometheus on it (loopback, long retention, no scraping). */
export async function startPrometheus(dir: string, metrics: string): Promise<RunningPrometheus> {
  const data = join(dir, 'tsdb');
  mkdirSync(data, { recursive: true });
  const input = join(dir, 'input.om');
  writeFileSync(input, metrics);
  const made = spawnSync('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', input, data], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`promtool failed: ${made.stderr || made.stdout}`);
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = await freePort();
  const proc: ChildProcess = spawn(
    '/usr/bin/prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${data}`, '--storage.tsdb.retention.time=20y', `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok).catch(() => false);
    if (ready) break;
    if (i > 600) throw new Error('prometheus did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export const dayOf = (first: Day, i: number): Day => addDays(first, i);
