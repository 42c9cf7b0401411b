import { and, eq, gt, lt, or, sql } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../db/client.js';
import { auditLog, signInFailures } from '../db/schema/index.js';
import { redactPath } from '../redact.js';
import type { AppEnv } from './env.js';
import { problemResponse } from './problem.js';

export interface SignInLimitOptions {
  /** Failed sign-ins of one client within `windowSeconds` before it is blocked. */
  maxFailures: number;
  windowSeconds: number;
  /** How long a blocked client waits. */
  blockSeconds: number;
  now: () => Date;
}

/** Seconds are whole and at least 1 in Retry-After. */
const secondsUntil = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));

/**
 * Counts failed sign-ins per client in the database (table `sign_in_failures`), so every process that
 * shares it sees the same count. A fixed window: `maxFailures` failures within `windowSeconds` block the
 * client for `blockSeconds`, and the block is written to the audit log.
 */
export class SignInLimiter {
  /** A blocked client is looked up once per process and remembered until its block ends. */
  private blocked = new Map<string, Date>();
  /** Clients recently seen unblocked are not looked up again for this long (a request per second stays one query per window). */
  private clearUntil = new Map<string, number>();
  constructor(
    private readonly db: Db,
    readonly opts: SignInLimitOptions,
    private readonly clearCacheMs = 2_000,
  ) {}

  /** Seconds the client must still wait, or null when it may try. */
  async retryAfter(key: string): Promise<number | null> {
    const now = this.opts.now();
    const cached = this.blocked.get(key);
    if (cached && cached > now) return secondsUntil(cached, now);
    if ((this.clearUntil.get(key) ?? 0) > now.getTime()) return null;
    const [row] = await this.db
      .select({ blockedUntil: signInFailures.blockedUntil })
      .from(signInFailures)
      .where(and(eq(signInFailures.key, key), gt(signInFailures.blockedUntil, now)));
    if (row?.blockedUntil) {
      this.blocked.set(key, row.blockedUntil);
      return secondsUntil(row.blockedUntil, now);
    }
    this.blocked.delete(key);
    if (this.clearUntil.size > 10_000) this.clearUntil.clear();
    this.clearUntil.set(key, now.getTime() + this.clearCacheMs);
    return null;
  }

  /** Records a failed sign-in; returns the seconds to wait when this failure blocked the client. */
  async fail(key: string, context: { requestId?: string; path: string }): Promise<number | null> {
    const now = this.opts.now();
    this.clearUntil.delete(key);
    const nowText = now.toISOString();
    const windowStart = new Date(now.getTime() - this.opts.windowSeconds * 1000).toISOString();
    const expired = sql`${signInFailures.windowStartedAt} <= ${windowStart}::timestamptz`;
    const [row] = await this.db
      .insert(signInFailures)
      .values({ key, failures: 1, windowStartedAt: now })
      .onConflictDoUpdate({
        target: signInFailures.key,
        set: {
          failures: sql`case when ${expired} then 1 else ${signInFailures.failures} + 1 end`,
          windowStartedAt: sql`case when ${expired} then ${nowText}::timestamptz else ${signInFailures.windowStartedAt} end`,
        },
      })
      .returning({ failures: signInFailures.failures });
    if (!row || row.failures < this.opts.maxFailures) return null;
    const until = new Date(now.getTime() + this.opts.blockSeconds * 1000);
    // Only one process turns the count into a block (and audits it): the one whose update finds it unblocked.
    const [blocked] = await this.db
      .update(signInFailures)
      .set({ blockedUntil: until, failures: 0, windowStartedAt: now })
      .where(and(eq(signInFailures.key, key), or(sql`${signInFailures.blockedUntil} is null`, lt(signInFailures.blockedUntil, now))))
      .returning({ key: signInFailures.key });
    this.blocked.set(key, until);
    if (blocked) {
      await this.db.insert(auditLog).values({
        actor: `client ${key}`,
        action: 'sign_in_limited',
        entity: 'client',
        entityId: key,
        after: { failures: row.failures, windowSeconds: this.opts.windowSeconds, blockedUntil: until.toISOString(), path: redactPath(context.path) },
        requestId: context.requestId ?? null,
      });
    }
    return secondsUntil(until, now);
  }
}

/** A sign-in attempt: an API request that carries credentials, or the web login form. */
function isSignInAttempt(c: Context<AppEnv>): boolean {
  if (c.req.method === 'POST' && c.req.path === '/login') return true;
  return c.req.path.startsWith('/api/') && c.req.header('authorization') !== undefined;
}

/**
 * Bad bearer tokens and bad web logins per client address: past the limit, 429 problem+json with
 * Retry-After until the block ends. Off when the runtime passes no limiter (tests, Workers).
 */
export const signInLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const deps = c.get('deps');
  const limiter = deps.signInLimiter;
  if (!limiter || !isSignInAttempt(c)) return next();
  const key = deps.clientAddress?.(c) ?? 'unknown';
  const wait = await limiter.retryAfter(key);
  if (wait !== null) {
    const res = problemResponse(c, 'too_many_requests', `too many failed sign-ins from ${key}; try again in ${wait} s`);
    res.headers.set('retry-after', String(wait));
    return res;
  }
  await next();
  if (c.res.status === 401) await limiter.fail(key, { requestId: c.get('requestId'), path: c.req.path });
};
