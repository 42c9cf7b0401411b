// The Worker in workerd: the same Hono app over fetch, and the cron triggers of wrangler.toml.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker, { jobsFor, loadWorkerConfig, type WorkerEnv } from '../../src/entry/worker.js';

const base = env as unknown as WorkerEnv & { TEST_DATABASE_URL: string };
const fetchWith = async (e: WorkerEnv, path: string) => {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://xuncha.test${path}`), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
};

describe('Worker env', () => {
  it('reads wrangler.toml: the two cron triggers map to the sweep and the reminders', () => {
    const config = loadWorkerConfig({ ...base, DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
    expect(config.TZ).toBe('Asia/Shanghai');
    expect(jobsFor(config, '0 18 * * *')).toEqual({ sweep: true, reminders: false });
    expect(jobsFor(config, '0 1 * * *')).toEqual({ sweep: false, reminders: true });
    expect(jobsFor(config, '*/5 * * * *')).toEqual({ sweep: false, reminders: false });
  });

  it('answers 503 problem+json naming the variable when the env is bad', async () => {
    const missing = await fetchWith({ LOG_LEVEL: 'info' }, '/healthz');
    expect(missing.status).toBe(503);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({ code: 'unavailable', detail: 'invalid environment variable DATABASE_URL: DATABASE_URL or a HYPERDRIVE binding is required' });

    const bad = await fetchWith({ DATABASE_URL: 'mysql://db/x' }, '/healthz');
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/^invalid environment variable DATABASE_URL: must be a postgres/);
    const token = await fetchWith({ DATABASE_URL: 'postgres://x@127.0.0.1:1/x', ADMIN_TOKEN: 'short' }, '/healthz');
    expect(((await token.json()) as { detail: string }).detail).toBe('invalid environment variable ADMIN_TOKEN: must be at least 16 characters');
    await expect(worker.scheduled(createScheduledController({ cron: '0 18 * * *', scheduledTime: 0 }), { LOG_LEVEL: 'loud', DATABASE_URL: 'postgres://x@127.0.0.1:1/x' }, createExecutionContext())).rejects.toThrow(
      /^invalid environment variable LOG_LEVEL: /,
    );
  });

  it('serves /healthz and the OpenAPI document without touching the database', async () => {
    // Port 1 on loopback: nothing listens; these routes must not need the database.
    const e = { ...base, DATABASE_URL: 'postgres://x@127.0.0.1:1/x' };
    const health = await fetchWith(e, '/healthz');
    expect(health.status).toBe(200);
    const doc = await fetchWith(e, '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);
    // /readyz says the database is unreachable rather than failing.
    expect((await fetchWith(e, '/readyz')).status).toBe(503);
  });
});

describe.skipIf(!base.TEST_DATABASE_URL)('Worker on PostgreSQL (TEST_DATABASE_URL, over workerd TCP sockets)', () => {
  const e = () => ({ ...base, DATABASE_URL: base.TEST_DATABASE_URL });

  it('is ready, and the sweep trigger creates one scheduled sweep per slot', async () => {
    expect((await fetchWith(e(), '/readyz')).status).toBe(200);
    // A minute no other test uses: the slot is unique in the shared database.
    const scheduledTime = Date.UTC(2031, 0, 1, 18, 0, 0) + Math.floor(Math.random() * 1e6) * 60_000;
    const logs: string[] = [];
    const original = console.log;
    console.log = (line: string) => void logs.push(line);
    try {
      await worker.scheduled(createScheduledController({ cron: '0 18 * * *', scheduledTime }), e(), createExecutionContext());
      await worker.scheduled(createScheduledController({ cron: '0 18 * * *', scheduledTime }), e(), createExecutionContext());
    } finally {
      console.log = original;
    }
    const entries = logs.map((l) => JSON.parse(l) as { msg: string; sweepId: number; created: boolean; slot: string });
    const sweeps = entries.filter((l) => l.slot);
    expect(sweeps).toHaveLength(2);
    expect(sweeps[0]!.created).toBe(true);
    expect(sweeps[1]).toMatchObject({ created: false, sweepId: sweeps[0]!.sweepId, slot: `cron:${new Date(scheduledTime).toISOString().slice(0, 16)}` });
  });

  it('the reminder trigger sends reminders', async () => {
    const logs: string[] = [];
    const original = console.log;
    console.log = (line: string) => void logs.push(line);
    try {
      await worker.scheduled(createScheduledController({ cron: '0 1 * * *', scheduledTime: Date.UTC(2031, 0, 2, 1) }), e(), createExecutionContext());
    } finally {
      console.log = original;
    }
    expect(logs.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('reminders sent');
  });
});
