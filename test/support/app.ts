import pino from 'pino';
import { createApp } from '../../src/app.js';
import { InstanceKeys } from '../../src/auth/keys.js';
import { TokenVerifier, createToken } from '../../src/auth/tokens.js';
import type { Role } from '../../src/db/schema/enums.js';
import type { AppDeps } from '../../src/http/env.js';
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

export async function startTestApp(backend: Backend, opts: { now?: () => Date; extraDeps?: (db: TestDatabase['db']) => Partial<AppDeps> } = {}): Promise<TestApp> {
  const database = await openTestDatabase(backend);
  const now = opts.now ?? (() => new Date());
  const deps = {
    db: database.db,
    logger: pino({ level: 'silent' }),
    now,
    verifier: new TokenVerifier(database.db, ADMIN, now, 0),
    keys: new InstanceKeys(database.db, undefined),
    ...(opts.extraDeps?.(database.db) ?? {}),
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
    close: () => database.close(),
  };
}
