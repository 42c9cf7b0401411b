import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/cli.js';

// Each case waits for real child processes to exit; a loaded machine can take many seconds to start
// one, so the cap only stops a hang and never decides a result.
vi.setConfig({ testTimeout: 600_000 });

describe('xuncha import, sweep and classify on the embedded database', () => {
  let dir: string;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xuncha-sweep-'));
    server = createServer((req, res) => (req.url === '/down' ? res.writeHead(503).end() : res.end('<title>门户</title>')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('probes the imported systems, prints the JSON summary and classifies', async () => {
    const env = { DATA_DIR: join(dir, 'data'), SEED_DEMO: '0' };
    await runCli(['seed', '--demo'], env);
    const csv = join(dir, 'systems.csv');
    writeFileSync(
      csv,
      `\uFEFF系统编码,系统名称,建设单位,访问地址\nT-UP,测试门户,371300,http://127.0.0.1:${port}/\nT-DOWN,测试故障系统,371300,http://127.0.0.1:${port}/down\n`,
    );
    const imported = await runCli(['import', csv], env);
    expect(imported.code, imported.stderr).toBe(0);
    const res = await runCli(['sweep', '--system', 'T-UP', '--system', 'T-DOWN', '--json', '--concurrency', '4'], { ...env, PROBE_TIMEOUT_MS: '60000' });
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toEqual({ sweepId: expect.any(Number), targets: 2, ok: 1, failed: 1, seconds: expect.any(Number), probed: 2, peakRssMb: expect.any(Number), threads: 0, cpuSeconds: expect.any(Number), sweepCpuSeconds: expect.any(Number) });
    expect(summary.peakRssMb).toBeGreaterThan(20);
    const bad = await runCli(['sweep', '--system', 'NOPE'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^xuncha: unknown system NOPE/);
  });
});
