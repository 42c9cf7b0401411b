import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';

/**
 * The headless Chromium of a sweep process (the accessibility kind, issue 11): configured by
 * INSPECTION_BROWSER, launched on first use, a bounded number of pages at a time, and closed once no
 * page has been open for a while (the end of the sweep) or when the owner closes it. playwright-core is
 * imported only on launch: the probe registry also loads where no browser can run (Workers).
 */

/** The Debian package's Chromium, the default when INSPECTION_BROWSER is unset. */
export const DEFAULT_BROWSER_PATH = '/usr/bin/chromium';

/**
 * Chromium never opens a socket of its own: every request is answered by our policy-checked fetch
 * (page routes), and whatever a route cannot see (a WebSocket, a prefetch) goes to a proxy that does not
 * exist (port 9 on loopback, refused) and cannot resolve a name. The rest are the flags of the tests.
 */
export const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--dns-prefetch-disable',
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

/** The browser path INSPECTION_BROWSER names: a path, `off`, or unset (the default path if it exists). Null: none. */
export function browserPathFrom(setting: string | undefined, exists: (p: string) => boolean = existsSync): string | null {
  const s = setting?.trim();
  if (s === 'off') return null;
  if (s) return s;
  return exists(DEFAULT_BROWSER_PATH) ? DEFAULT_BROWSER_PATH : null;
}

export interface BrowserPool {
  readonly executablePath: string;
  /** Runs `fn` in a fresh context (service workers blocked) when a slot is free; the context is closed after. */
  withContext<T>(fn: (context: BrowserContext) => Promise<T>): Promise<T>;
  /** A browser is running (or starting). */
  readonly launched: boolean;
  close(): Promise<void>;
}

export class BrowserLaunchError extends Error {
  override name = 'BrowserLaunchError';
}

export interface BrowserPoolOptions {
  executablePath: string;
  /** Pages (contexts) open at once; default 2. */
  concurrency?: number;
  /** Closed after this long with nothing open (ms); default 5 s. */
  idleCloseMs?: number;
  launchTimeoutMs?: number;
}

export function createBrowserPool(o: BrowserPoolOptions): BrowserPool {
  const limit = o.concurrency ?? 2;
  const idleCloseMs = o.idleCloseMs ?? 5000;
  let browser: Promise<Browser> | undefined;
  let active = 0;
  const queue: Array<() => void> = [];
  let idleTimer: NodeJS.Timeout | undefined;

  const launch = async (): Promise<Browser> => {
    const { chromium } = await import('playwright-core');
    try {
      const b = await chromium.launch({ executablePath: o.executablePath, args: BROWSER_ARGS, timeout: o.launchTimeoutMs ?? 60_000 });
      b.on('disconnected', () => {
        if (browser) browser = undefined;
      });
      return b;
    } catch (err) {
      throw new BrowserLaunchError(`cannot start ${o.executablePath}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    }
  };
  const acquire = () =>
    new Promise<void>((resolve) => {
      if (active < limit) {
        active++;
        resolve();
      } else queue.push(resolve);
    });
  const release = () => {
    const next = queue.shift();
    if (next) return next();
    active--;
    if (active === 0 && browser) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => void pool.close(), idleCloseMs);
      idleTimer.unref();
    }
  };

  const pool: BrowserPool = {
    executablePath: o.executablePath,
    get launched() {
      return browser !== undefined;
    },
    async withContext(fn) {
      await acquire();
      clearTimeout(idleTimer);
      try {
        const b = await (browser ??= launch().catch((err) => {
          browser = undefined;
          throw err;
        }));
        const context = await b.newContext({ serviceWorkers: 'block', javaScriptEnabled: true, ignoreHTTPSErrors: false, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
        try {
          return await fn(context);
        } finally {
          await context.close().catch(() => undefined);
        }
      } finally {
        release();
      }
    },
    async close() {
      clearTimeout(idleTimer);
      const b = browser;
      browser = undefined;
      if (b) await (await b.catch(() => null))?.close().catch(() => undefined);
    },
  };
  return pool;
}
