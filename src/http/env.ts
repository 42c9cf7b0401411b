import type { Log } from '../logger.js';
import { AppError } from '../errors.js';
import type { Context } from 'hono';
import type { InstanceKeys } from '../auth/keys.js';
import type { Principal, TokenVerifier } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import type { ServiceMetrics } from '../metrics.js';
import type { SweepService } from '../sweeps/service.js';
import type { SignInLimiter } from './sign-in-limit.js';

/** Everything the HTTP app needs from its runtime; passed in, never imported as singletons. */
export interface AppDeps {
  db: Db;
  logger: Log;
  now: () => Date;
  verifier: TokenVerifier;
  /** The instance key that signs department links and web sessions (LINK_SECRET, or the stored one). */
  keys: InstanceKeys;
  /** Base URL people reach the service at (PUBLIC_URL), for links handed out; without it no link is minted. */
  publicUrl?: string;
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
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    principal: Principal;
    requestId: string;
  };
}

/** Links cannot be minted: PUBLIC_URL is not configured. */
export class PublicUrlMissing extends AppError {
  constructor() {
    super('conflict', 'PUBLIC_URL is not set, so no link can be made: set PUBLIC_URL to the address people reach this service at (e.g. https://xuncha.linyi.gov.cn) and restart');
  }
}

/** The configured PUBLIC_URL without a trailing slash, or undefined. */
export function configuredBaseUrl(c: Context<AppEnv>): string | undefined {
  return c.get('deps').publicUrl?.replace(/\/$/, '') || undefined;
}

/**
 * Absolute base of links we hand out (department confirmation links). Only PUBLIC_URL: the request's Host
 * header is the client's to choose, and a link built from it would send a department to an attacker's
 * site; the listen address (0.0.0.0:8787) is not where people reach us either. Throws PublicUrlMissing.
 */
export function publicBaseUrl(c: Context<AppEnv>): string {
  const base = configuredBaseUrl(c);
  if (!base) throw new PublicUrlMissing();
  return base;
}
