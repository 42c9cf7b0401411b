import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Db } from './client.js';
import * as schema from './schema/index.js';
import { migrationsFolder } from './paths.js';

/**
 * postgres.js splits a host on ':' (for multi-host URLs), which breaks IPv6 literals such as [::1];
 * pass such hosts as a one-element array instead.
 */
export function postgresOptions(url: string, max = 10): { options: postgres.Options<{}>; ipv6Host: boolean } {
  const u = new URL(url);
  const base: postgres.Options<{}> = {
    max,
    onnotice: () => {},
    connection: { application_name: 'xuncha' },
    // While the server is away, queued queries wait for a connection attempt each; the driver's default
    // back-off grows to 20 s, so requests would hang instead of answering 503. Retry quickly (at most
    // 0.2 s apart) and give a silent host 5 s, so an outage surfaces as an error within about 2 s.
    backoff: (retries: number) => Math.min(0.02 * 2 ** retries, 0.2),
    connect_timeout: 5,
  };
  if (!u.hostname.startsWith('[')) return { options: base, ipv6Host: false };
  const options = {
    ...base,
    // The typings say string; the runtime takes an array and then does not split on ':'.
    host: [u.hostname.slice(1, -1)] as unknown as string,
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.slice(1)) || undefined,
    username: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
  };
  return { options, ipv6Host: true };
}

/** A postgres.js client for a URL, with the options above (IPv6 literal hosts included). */
export function postgresClient(url: string, max?: number): postgres.Sql {
  const { options, ipv6Host } = postgresOptions(url, max);
  return ipv6Host ? postgres(options) : postgres(url, options);
}

export function connectPostgres(url: string, opts: { max?: number; migrationsFolder?: string } = {}): Database {
  const client = postgresClient(url, opts.max);
  return {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: 'postgres',
    migrate: () => migratePostgres(url, opts.migrationsFolder ?? migrationsFolder()),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Runs pending migrations. One migrator at a time when several processes start together: a
 * session-level advisory lock on a dedicated one-connection client, held for the whole run.
 */
async function migratePostgres(url: string, folder: string): Promise<void> {
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const single = postgresClient(url, 1);
  try {
    await single`select pg_advisory_lock(7433001)`;
    await migrate(drizzle(single, { schema }), { migrationsFolder: folder });
  } finally {
    await single.end({ timeout: 5 });
  }
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
