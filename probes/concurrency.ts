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

/**
 * The memory bound of the site inspection (issue 11), shared by every crawl of one sweep worker
 * (process, or probe thread): at most `sites` portals crawled at once, and at most `pages` pages in
 * flight across them, from request to extracted facts (each holds its body, at most the page cap, and
 * is parsed on its own). Link checks run within each crawl's own concurrency.
 */
export interface CrawlGate {
  readonly sites: Semaphore;
  readonly pages: Semaphore;
  readonly limits: { sites: number; pages: number };
}

/** Requests in flight per crawl (the inspection's own `concurrency`), for sizing the gate. */
export const CRAWL_REQUESTS_PER_SITE = 6;

/**
 * The gate for a worker with `concurrency` probes in flight (PROBE_CONCURRENCY, or its thread's share):
 * as many sites as fill that many requests (`concurrency / 6`, 1 to 32), and two pages per site (2 to
 * 16 in all: 16 × the 2 MiB page cap = 32 MiB of bodies at worst, whatever the fleet).
 */
export function createCrawlGate(concurrency: number): CrawlGate {
  const sites = Math.max(1, Math.min(32, Math.floor(concurrency / CRAWL_REQUESTS_PER_SITE)));
  const pages = Math.max(2, Math.min(16, sites * 2));
  return { sites: new Semaphore(sites), pages: new Semaphore(pages), limits: { sites, pages } };
}
