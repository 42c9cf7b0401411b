import type { Log } from '../logger.js';
import type { Principal, TokenVerifier } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import type { ServiceMetrics } from '../metrics.js';
import type { SweepService } from '../sweeps/service.js';
import type { Context } from 'hono';
import type { SignInLimiter } from './sign-in-limit.js';

/** Everything the HTTP app needs from its runtime; passed in, never imported as singletons. */
export interface AppDeps {
  db: Db;
  logger: Log;
  now: () => Date;
  verifier: TokenVerifier;
  /** Reads a static asset of the API docs page (swagger-ui-dist); absent on runtimes without files. */
  docsAsset?: (name: string) => Promise<Uint8Array | null>;
  /** Extra readiness check (database reachable, migrations applied). */
  ready?: () => Promise<void>;
  /** Starts and runs sweeps; absent where this runtime does not probe (Workers). */
  sweeps?: SweepService;
  metrics?: ServiceMetrics;
  /** Time zone of days and months (TZ). */
  timeZone?: string;
  /** Limits failed sign-ins per client (shared through the database); absent means unlimited. */
  signInLimiter?: SignInLimiter;
  /** The client's address as this runtime knows it (the socket's on Node). */
  clientAddress?: (c: Context<AppEnv>) => string | undefined;
  /** Services added by later parts hang off here without changing this type. */
  services?: Record<string, unknown>;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    principal: Principal;
    requestId: string;
  };
}
