import { createApp } from '../app.js';
import { InstanceKeys } from '../auth/keys.js';
import { TokenVerifier } from '../auth/tokens.js';
import { connectPostgres } from '../db/postgres.js';
import type { Log } from '../logger.js';

/**
 * Cloudflare Workers entry: the same app as on Node, on PostgreSQL through Hyperdrive (binding
 * HYPERDRIVE) or DATABASE_URL. Migrations are not run here: run `xuncha migrate` against the database.
 */
export interface WorkerEnv {
  HYPERDRIVE?: { connectionString: string };
  DATABASE_URL?: string;
  ADMIN_TOKEN?: string;
  LOG_LEVEL?: string;
  /** Base URL for links handed out (as PUBLIC_URL on Node). */
  PUBLIC_URL?: string;
  /** Key that signs department links and web sessions (as LINK_SECRET on Node). */
  LINK_SECRET?: string;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function consoleLog(level = 'info'): Log {
  const min = Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const at = (l: (typeof LEVELS)[number]) => (obj: object, msg?: string) => {
    if (LEVELS.indexOf(l) >= min) console.log(JSON.stringify({ level: l, msg, ...obj }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const url = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL;
    if (!url) return new Response('DATABASE_URL or a HYPERDRIVE binding is required', { status: 503 });
    // Hyperdrive pools connections itself; a client per request is the recommended pattern.
    const database = connectPostgres(url, { max: 1 });
    const now = () => new Date();
    const app = createApp({
      db: database.db,
      logger: consoleLog(env.LOG_LEVEL),
      now,
      verifier: new TokenVerifier(database.db, env.ADMIN_TOKEN, now),
      keys: new InstanceKeys(database.db, env.LINK_SECRET || undefined),
      publicUrl: env.PUBLIC_URL || undefined,
    });
    try {
      return await app.fetch(request);
    } finally {
      ctx.waitUntil(database.close());
    }
  },
};
