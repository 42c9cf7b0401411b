import { describe, expect, it } from 'vitest';
import { createProbeLimiter, mapWithConcurrency } from '../../probes/concurrency.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bounded concurrency', () => {
  it('maps with at most N in flight, keeping order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await tick(n);
      active--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });

  it('limits probes globally and per host', async () => {
    const limiter = createProbeLimiter(3, 1);
    const active = new Map<string, number>();
    let total = 0;
    let peakTotal = 0;
    let peakPerHost = 0;
    const hosts = ['a', 'a', 'a', 'b', 'b', 'c', 'd', 'd'];
    await Promise.all(
      hosts.map((host) =>
        limiter.run(host, async () => {
          total++;
          active.set(host, (active.get(host) ?? 0) + 1);
          peakTotal = Math.max(peakTotal, total);
          peakPerHost = Math.max(peakPerHost, active.get(host)!);
          await tick(5);
          total--;
          active.set(host, active.get(host)! - 1);
        }),
      ),
    );
    expect(peakTotal).toBe(3);
    expect(peakPerHost).toBe(1);
  });
});

describe('probe dependencies from the environment', () => {
  it('builds resolver, policy, timeout and limiter from PROBE_* settings', async () => {
    const { createProbeDeps } = await import('../../probes/deps.js');
    const { checkAddress } = await import('../../probes/policy.js');
    const deps = createProbeDeps({ PROBE_DNS_SERVERS: '127.0.0.1:5353', PROBE_ALLOW_CIDRS: '10.0.0.0/8', PROBE_TIMEOUT_MS: 5000 });
    expect(deps.resolver.servers).toEqual(['127.0.0.1:5353']);
    expect(deps.timeoutMs).toBe(5000);
    expect(checkAddress('10.1.1.1', deps.policy).allowed).toBe(true);
    expect(checkAddress('8.8.8.8', deps.policy).allowed).toBe(false);
    expect(createProbeDeps({}).timeoutMs).toBe(15_000);
    expect(() => createProbeDeps({ PROBE_DENY_CIDRS: '10.0.0.0/99' })).toThrow(/PROBE_DENY_CIDRS/);
  });
});
