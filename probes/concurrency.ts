/**
 * Bounded concurrency for probes: link checks of one site, or a sweep's many targets with a global and a
 * per-host cap (`PROBE_CONCURRENCY`, `PROBE_PER_HOST`).
 */

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: ReadonlyArray<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}

/** A counting semaphore. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  get inFlight(): number {
    return this.active;
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

export interface ProbeLimiter {
  /** Runs `task` once both the global and the host's slot are free. */
  run<T>(host: string, task: () => Promise<T>): Promise<T>;
}

/** Global and per-host limits, e.g. from `PROBE_CONCURRENCY` (200) and `PROBE_PER_HOST` (4). */
export function createProbeLimiter(total: number, perHost: number): ProbeLimiter {
  const global = new Semaphore(total);
  const hosts = new Map<string, { semaphore: Semaphore; users: number }>();
  return {
    async run(host, task) {
      const key = host.toLowerCase();
      let entry = hosts.get(key);
      if (!entry) hosts.set(key, (entry = { semaphore: new Semaphore(perHost), users: 0 }));
      entry.users++;
      try {
        // The host slot first, so one slow host cannot hold global slots while it queues.
        return await entry.semaphore.run(() => global.run(task));
      } finally {
        if (--entry.users === 0) hosts.delete(key);
      }
    },
  };
}
