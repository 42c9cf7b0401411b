import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  asNumber,
  createDistinctCounter,
  parseAccessLogLine,
  parseJsonPointer,
  parsePrometheusText,
  pullJsonMetric,
  pullPrometheusMetric,
  resolveJsonPointer,
  selectMetric,
  summarizeAccessLog,
} from '../../probes/usage/index.js';
import { FLEET } from '../support/fleet.js';
import { startFleetHarness } from '../support/fleet-setup.js';

const { fleet, probe } = await startFleetHarness();
const dir = mkdtempSync(join(tmpdir(), 'xuncha-usage-'));
afterAll(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A full garbage collection, so heap figures count what is retained rather than what awaits collection. */
function exposeGc(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0';
const line = (ip: string, time: string, path = '/index.html', ua = UA, status = 200) =>
  `${ip} - - [${time}] "GET ${path} HTTP/1.1" ${status} 5120 "http://www.linyi.gov.cn/" "${ua}"`;

const SAMPLE = [
  line('10.0.0.1', '10/Oct/2026:13:55:36 +0800'),
  line('10.0.0.2', '10/Oct/2026:23:59:59 +0800'),
  line('10.0.0.1', '10/Oct/2026:16:00:00 +0000'), // 00:00 on 11 Oct in Shanghai
  'this is not a log line',
  line('10.0.0.3', '11/Oct/2026:08:00:00 +0800', '/', 'Baiduspider/2.0'),
  line('10.0.0.3', '11/Oct/2026:08:00:01 +0800', '/', 'Xuncha/0.1 (+government system audit)'),
  '',
  '10.0.0.9 - - [32/Oct/2026:00:00:00 +0800] "GET / HTTP/1.1" 200 1 "-" "-"',
  '10.0.0.4 - alice [11/Oct/2026:09:00:00 +0800] "POST /login?next=%2F HTTP/1.1" 302 - "-" "curl/8.0"',
  '10.0.0.5 - - [11/Oct/2026:10:00:00 +0800] "GET /a\\"b HTTP/1.1" 200 10',
].join('\n');

describe('access log lines (pure)', () => {
  it('parses a combined line with the log offset honoured', () => {
    const parsed = parseAccessLogLine(line('1.2.3.4', '10/Oct/2026:13:55:36 +0800'));
    expect(parsed).toMatchObject({ client: '1.2.3.4', method: 'GET', path: '/index.html', status: 200, bytes: 5120, userAgent: UA });
    expect(parsed?.time.toISOString()).toBe('2026-10-10T05:55:36.000Z');
    expect(parseAccessLogLine(line('::1', '10/Oct/2026:13:55:36 -0430'))?.time.toISOString()).toBe('2026-10-10T18:25:36.000Z');
  });

  it('accepts common-format lines and escaped quotes; rejects impossible dates', () => {
    expect(parseAccessLogLine('10.0.0.5 - - [11/Oct/2026:10:00:00 +0800] "GET /a\\"b HTTP/1.1" 200 10')).toMatchObject({ path: '/a\\"b' });
    expect(parseAccessLogLine('10.0.0.9 - - [32/Oct/2026:00:00:00 +0800] "GET / HTTP/1.1" 200 1')).toBeNull();
    expect(parseAccessLogLine('garbage')).toBeNull();
  });
});

describe('access log to daily usage', () => {
  it('counts requests and distinct clients per Shanghai day, and reports malformed lines', async () => {
    const path = join(dir, 'access.log');
    writeFileSync(path, SAMPLE);
    const summary = await summarizeAccessLog(path);
    expect(summary.error).toBeUndefined();
    expect(summary.compressed).toBe(false);
    expect(summary.days).toEqual([
      { date: '2026-10-10', requests: 2, distinctClients: 2, distinctApproximate: false, botRequests: 0 },
      { date: '2026-10-11', requests: 2, distinctClients: 2, distinctApproximate: false, botRequests: 3 },
    ]);
    expect(summary.malformed).toBe(2);
    expect(summary.malformedSamples).toEqual([
      { line: 4, text: 'this is not a log line' },
      { line: 8, text: expect.stringContaining('32/Oct') },
    ]);
    expect(summary.lines).toBe(10);
    expect(summary.parsed).toBe(7);
  });

  it('moves the day boundary with the time zone', async () => {
    const summary = await summarizeAccessLog(Readable.from([SAMPLE]), { timeZone: 'UTC' });
    expect(summary.days.map((d) => [d.date, d.requests + d.botRequests])).toEqual([
      ['2026-10-10', 3],
      ['2026-10-11', 4],
    ]);
  });

  it('reads gzip by its magic bytes, whatever the file is called', async () => {
    const path = join(dir, 'access.log.1');
    writeFileSync(path, Buffer.concat([gzipSync(SAMPLE.slice(0, 200)), gzipSync(SAMPLE.slice(200))]));
    const summary = await summarizeAccessLog(path);
    expect(summary.compressed).toBe(true);
    expect(summary.parsed).toBe(7);
  });

  it('reports a missing file and a corrupt gzip as data', async () => {
    expect((await summarizeAccessLog(join(dir, 'missing.log'))).error).toMatch(/ENOENT/);
    const corrupt = join(dir, 'corrupt.gz');
    writeFileSync(corrupt, Buffer.concat([gzipSync(SAMPLE).subarray(0, 40), Buffer.from('not gzip at all')]));
    const summary = await summarizeAccessLog(corrupt);
    expect(summary.error).toBeDefined();
  });

  it('reports an unknown time zone as data', async () => {
    expect((await summarizeAccessLog(Readable.from([SAMPLE]), { timeZone: 'Mars/Olympus' })).error).toMatch(/time zone/);
  });

  it('streams a large log in bounded memory', async () => {
    const total = 400_000;
    function* lines() {
      for (let i = 0; i < total; i += 1000) {
        let chunk = '';
        for (let j = i; j < i + 1000; j++) {
          const day = 1 + (j % 3);
          chunk += `${line(`10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`, `0${day}/Nov/2026:12:00:00 +0800`)}\n`;
        }
        yield chunk;
      }
    }
    const gc = exposeGc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const summary = await summarizeAccessLog(Readable.from(lines()), { exactClientLimit: 10_000 });
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(summary.parsed).toBe(total);
    expect(summary.days.map((d) => d.requests)).toEqual([133_334, 133_333, 133_333]);
    for (const day of summary.days) {
      expect(day.distinctApproximate).toBe(true);
      expect(Math.abs(day.distinctClients - day.requests) / day.requests).toBeLessThan(0.03);
    }
    // The log (~50 MB of text) is never held: what stays is a sketch per day.
    expect(retained).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('distinct counter', () => {
  it('is exact below the limit and close above it', () => {
    const small = createDistinctCounter(100);
    for (let i = 0; i < 50; i++) small.add(`c${i % 30}`);
    expect(small.count()).toBe(30);
    const big = createDistinctCounter(100);
    for (let i = 0; i < 200_000; i++) big.add(`client-${i}`);
    expect(big.approximate).toBe(true);
    expect(Math.abs(big.count() - 200_000) / 200_000).toBeLessThan(0.03);
  });
});

describe('JSON pointer and Prometheus text (pure)', () => {
  const doc = { data: { 'visits/day': 1234, 'a~b': 1, users: [{ active: '57' }] } };

  it('follows RFC 6901, escapes included', () => {
    expect(parseJsonPointer('')).toEqual([]);
    expect(parseJsonPointer('/data/visits~1day')).toEqual(['data', 'visits/day']);
    expect(resolveJsonPointer(doc, '/data/visits~1day')).toEqual({ found: true, value: 1234 });
    expect(resolveJsonPointer(doc, '/data/a~0b')).toEqual({ found: true, value: 1 });
    expect(resolveJsonPointer(doc, '#/data/users/0/active')).toEqual({ found: true, value: '57' });
    expect(resolveJsonPointer(doc, '/data/users/1')).toEqual({ found: false, at: '/data/users/1' });
    expect(resolveJsonPointer(doc, '/data/users/01')).toMatchObject({ found: false });
    expect(() => parseJsonPointer('data')).toThrow();
    expect(() => parseJsonPointer('/a~2')).toThrow();
  });

  it('accepts numbers and numeric strings only', () => {
    expect(asNumber(3)).toBe(3);
    expect(asNumber('1,234')).toBe(1234);
    expect(asNumber('12 users')).toBeNull();
    expect(asNumber(null)).toBeNull();
  });

  it('parses the Prometheus text format and sums matching series', () => {
    const samples = parsePrometheusText(
      '# TYPE x counter\nx{a="1",b="q\\"z"} 2\nx{a="2"} 3 1700000000000\ny NaN\nz +Inf\n{bad} 1\nw{a="1"}\n',
    );
    expect(samples.map((s) => s.name)).toEqual(['x', 'x', 'y', 'z']);
    expect(samples[0]!.labels).toEqual({ a: '1', b: 'q"z' });
    expect(samples[1]!.timestampMs).toBe(1_700_000_000_000);
    expect(selectMetric(samples, { name: 'x' })).toEqual({ value: 5, series: 2 });
    expect(selectMetric(samples, { name: 'x', labels: { a: '2' } })).toEqual({ value: 3, series: 1 });
    expect(selectMetric(samples, { name: 'nope' })).toBeNull();
  });
});

describe('pulling usage from the fleet', () => {
  it('reads a number from JSON by pointer', async () => {
    const r = await pullJsonMetric(fleet.url(FLEET.dual, '/stats.json'), '/data/visits~1day', probe);
    expect(r).toMatchObject({ ok: true, outcome: 'ok', value: 1234, status: 200 });
    const nested = await pullJsonMetric(fleet.url(FLEET.dual, '/stats.json'), '/data/users/0/active', probe);
    expect(nested).toMatchObject({ ok: true, value: 57 });
  });

  it('reports pointer, type and JSON problems as outcomes', async () => {
    const url = fleet.url(FLEET.dual, '/stats.json');
    expect(await pullJsonMetric(url, '/data/missing', probe)).toMatchObject({ ok: false, outcome: 'pointer_not_found' });
    expect(await pullJsonMetric(url, '/data/label', probe)).toMatchObject({ ok: false, outcome: 'not_a_number' });
    expect(await pullJsonMetric(fleet.url(FLEET.dual, '/healthy'), '/x', probe)).toMatchObject({ ok: false, outcome: 'invalid_json' });
  });

  it('reports fetch failures with the probe outcome', async () => {
    expect(await pullJsonMetric(fleet.url(FLEET.dual, '/status/500'), '/x', probe)).toMatchObject({ ok: false, outcome: 'http_error', status: 500 });
    expect(await pullJsonMetric(fleet.url(FLEET.metadata, '/stats.json'), '/x', probe)).toMatchObject({ ok: false, outcome: 'blocked_by_policy' });
  });

  it('reads a Prometheus metric, with and without a label matcher', async () => {
    const url = fleet.url(FLEET.dual, '/metrics');
    expect(await pullPrometheusMetric(url, { name: 'http_requests_total' }, probe)).toMatchObject({ ok: true, value: 1032, series: 3 });
    expect(await pullPrometheusMetric(url, { name: 'http_requests_total', labels: { code: '200', method: 'GET' } }, probe)).toMatchObject({
      ok: true,
      value: 1027,
    });
    expect(await pullPrometheusMetric(url, { name: 'active_users' }, probe)).toMatchObject({ ok: true, value: 57 });
    expect(await pullPrometheusMetric(url, { name: 'logins_total', labels: { path: 'C:\\dir"x"' } }, probe)).toMatchObject({ ok: true, value: 12 });
    expect(await pullPrometheusMetric(url, { name: 'nope' }, probe)).toMatchObject({ ok: false, outcome: 'metric_not_found' });
  });
});
