import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { probeThreads } from '../../src/sweeps/process.js';

const PG = 'postgres://x@127.0.0.1/x';

describe('probe threads of a sweep process', () => {
  it('none on 2 cores or fewer, else one per core but one, never more than the concurrency; PROBE_THREADS overrides', () => {
    expect(probeThreads({ DATABASE_URL: PG }, 200, 2)).toBe(0);
    expect(probeThreads({ DATABASE_URL: PG }, 200, 1)).toBe(0);
    expect(probeThreads({ DATABASE_URL: PG }, 200, 3)).toBe(2);
    expect(probeThreads({ DATABASE_URL: PG }, 200, 8)).toBe(7);
    expect(probeThreads({ DATABASE_URL: PG }, 3, 8)).toBe(3);
    expect(probeThreads({ DATABASE_URL: PG, PROBE_THREADS: 4 }, 200, 2)).toBe(4);
    expect(probeThreads({ DATABASE_URL: PG, PROBE_THREADS: 4 }, 2, 2)).toBe(2);
    expect(probeThreads({ DATABASE_URL: PG, PROBE_THREADS: 1 }, 200, 2)).toBe(1);
    expect(probeThreads({ DATABASE_URL: PG, PROBE_THREADS: 0 }, 200, 8)).toBe(0);
  });

  it('the embedded database probes on the main thread', () => {
    expect(probeThreads({}, 200, 8)).toBe(0);
    expect(probeThreads({ PROBE_THREADS: 4 }, 200, 8)).toBe(0);
  });

  it('PROBE_THREADS takes 0 (the main thread) to 256', () => {
    expect(loadConfig({ PROBE_THREADS: '0' }).PROBE_THREADS).toBe(0);
    expect(loadConfig({ PROBE_THREADS: '2' }).PROBE_THREADS).toBe(2);
    expect(() => loadConfig({ PROBE_THREADS: '-1' })).toThrow(/PROBE_THREADS/);
    expect(() => loadConfig({ PROBE_THREADS: '257' })).toThrow(/PROBE_THREADS/);
  });
});
