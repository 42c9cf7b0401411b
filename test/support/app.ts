import pino from 'pino';
import { createApp } from '../../src/app.js';
import type { AppDeps } from '../../src/http/env.js';
import { InstanceKeys } from '../../src/auth/keys.js';
import { TokenVerifier, createToken } from '../../src/auth/tokens.js';
import type { Role } from '../../src/db/schema/enums.js';
import { openTestDatabase, type Backend, type TestDatabase } from './db.js';

export const ADMIN = 'test-admin-token-0123456789';

export interface TestApp {
  database: TestDatabase;
  app: ReturnType<typeof createApp>;
  /** Calls the app in-process with a bearer token (admin unless given). */
  call(method: string, path: string, opts?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Response>;
  token(role: Role, departmentCode?: string): Promise<string>;
  close(): Promise<void>;
}

/** Where test apps say they are reached (PUBLIC_URL): links are minted only from configuration. */
export const TEST_PUBLIC_URL = 'http://localhost';

export interface TestAppOptions {
  now?: () => Date;
  /** The bootstrap ADMIN_TOKEN (default ADMIN; null for none). */
  adminToken?: string | null;
  /** PUBLIC_URL (default TEST_PUBLIC_URL; null for unset). */
  publicUrl?: string | null;
  /** Run on this database instead of a fresh one (a "restart"); close() then leaves it open. */
  database?: TestDatabase;
  /** More dependencies (a sweep service, …), built on the test database. */
  extraDeps?: (database: TestDatabase) => Partial<AppDeps>;
}

export async function startTestApp(backend: Backend, opts: TestAppOptions = {}): Promise<TestApp> {
  const shared = opts.database;
  const database = shared ?? (await openTestDatabase(backend));
  const now = opts.now ?? (() => new Date());
  const adminToken = opts.adminToken === undefined ? ADMIN : (opts.adminToken ?? undefined);
  const publicUrl = opts.publicUrl === undefined ? TEST_PUBLIC_URL : (opts.publicUrl ?? undefined);
  const deps = {
    db: database.db,
    logger: pino({ level: 'silent' }),
    now,
    verifier: new TokenVerifier(database.db, adminToken, now, 0),
    keys: new InstanceKeys(database.db, undefined),
    publicUrl,
    ...opts.extraDeps?.(database),
  };
  const app = createApp(deps);
  return {
    database,
    app,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const token = o.token === undefined ? ADMIN : o.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      return app.request(path, { method, headers, body });
    },
    async token(role, departmentCode) {
      return (await createToken(database.db, { role, name: `test ${role}`, departmentCode })).token;
    },
    close: async () => {
      if (!shared) await database.close();
    },
  };
}
