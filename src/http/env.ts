import type { Log } from '../logger.js';
import type { Principal, TokenVerifier } from '../auth/tokens.js';
import type { Db } from '../db/client.js';

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
  /** Services added by later parts (sweeps, reports) hang off here without changing this type. */
  services?: Record<string, unknown>;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    principal: Principal;
    requestId: string;
  };
}
