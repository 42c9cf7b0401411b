import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/entry/node.js';
import { freePort } from '../support/ports.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ADMIN = 'metrics-test-admin-token-0123456789';


/** Asks again until `check` gives a value (each try is a real request; the limit only stops a hung run). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, tries = 240): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('metrics through prom-client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-metrics-'));
  let server: RunningServer;
  const auth = { authorization: `Bearer ${ADMIN}` };
  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: ADMIN, SWEEP_CRON: '', REMINDER_CRON: '', LOG_LEVEL: 'silent' });
    server = await startServer(config, { seedDemo: true });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts requests by route pattern and status, and exposes process and Node metrics', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/api/v1/systems?limit=2`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/systems/NO-SUCH-SYSTEM`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.url}/confirm/1.2.secret-looking-token`)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${server.url}/no/such/page`)).status).toBe(404);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('xuncha_http_requests_total{method="GET",route="/api/v1/systems",status="200"} 3');
    expect(text).toContain('xuncha_http_requests_total{method="GET",route="/api/v1/systems/:code",status="404"} 1');
    expect(text).toMatch(/xuncha_http_requests_total\{method="GET",route="\/confirm\/:token",status="\d+"\} 1/);
    expect(text).toContain('xuncha_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain('NO-SUCH-SYSTEM');
    expect(text).not.toContain('secret-looking-token');
    expect(text).toContain('xuncha_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/systems",status="200"}');
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'xuncha_sweep_queue_depth', 'xuncha_probes_in_flight', 'xuncha_probe_duration_seconds', 'xuncha_sweeps_started_total']) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('xuncha_sweep_queue_depth 0');
  });

  it.skipIf(!existsSync(PROMETHEUS))('a real Prometheus scrapes /metrics and answers a query for one series', async () => {
    const promPort = await freePort();
    const target = new URL(server.url).host;
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: xuncha\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['${target}']\n`);
    const prom: ChildProcess = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    prom.stderr!.on('data', (d) => (log += d));
    try {
      const base = `http://127.0.0.1:${promPort}`;
      await eventually('prometheus ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined));
      for (let i = 0; i < 2; i++) expect((await fetch(`${server.url}/api/v1/departments`, { headers: auth })).status).toBe(200);
      const query = 'xuncha_http_requests_total{job="xuncha",method="GET",route="/api/v1/departments",status="200"}';
      const value = await eventually('the series in Prometheus', async () => {
        const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as { status: string; data: { result: Array<{ value: [number, string] }> } };
        const v = body.data.result[0]?.value[1];
        return v === '2' ? v : undefined;
      });
      expect(value).toBe('2');
      const up = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent('up{job="xuncha"}')}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      expect(up.data.result[0]?.value[1]).toBe('1');
    } catch (e) {
      throw new Error(`${(e as Error).message}\nprometheus said:\n${log.slice(-2000)}`);
    } finally {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
    }
  }, 120_000);
});
