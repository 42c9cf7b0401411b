import { sql } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.js';
import { requirePermission } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/sql.js';
import { jsonText } from '../http/json-text.js';
import { listSystems, type SystemQuery } from './systems.js';

/** A rendered systems list page: its compact JSON and its strong ETag (a digest of those bytes). */
export interface RenderedPage {
  /** UTF-8 bytes, encoded once: a cached page is written to sockets as is. */
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

/** Rendered pages are kept up to this many bytes per database (oldest used dropped first). */
export const LIST_CACHE_BYTES = 32 * 1024 * 1024;
/** A page larger than this is rendered every time instead of cached. */
const LIST_CACHE_ENTRY_MAX = 2 * 1024 * 1024;

/**
 * Reads the inventory version. Requests that arrive while a read is in flight wait for the next read,
 * never the one in flight (it may have started before a write the client has already seen commit):
 * every request is answered from a version read that began after it arrived, and at 50 concurrent
 * requests the database sees a handful of reads instead of fifty.
 */
class VersionReader {
  #waiting: Array<{ resolve: (v: number) => void; reject: (e: unknown) => void }> = [];
  #inFlight = false;
  constructor(private readonly db: Db) {}

  read(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (this.#inFlight || !this.#waiting.length) return;
    const batch = this.#waiting;
    this.#waiting = [];
    this.#inFlight = true;
    readVersion(this.db)
      .then(
        (v) => {
          for (const w of batch) w.resolve(v);
        },
        (err) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        this.#inFlight = false;
        this.#next();
      });
  }
}

const versionQuery = sql`select version from inventory_version where id = 1`;

/** The counter, through postgres.js's prepared statement where it is the driver (the hottest query of the API). */
async function readVersion(db: Db): Promise<number> {
  const client = (db as unknown as { $client?: { unsafe?: (q: string, p: unknown[], o: { prepare: boolean }) => Promise<unknown> } }).$client;
  const res = typeof client?.unsafe === 'function' ? await client.unsafe('select version from inventory_version where id = 1', [], { prepare: true }) : await db.execute(versionQuery);
  return Number(rowsOf<{ version: unknown }>(res)[0]?.version ?? 0);
}

/**
 * Rendered list pages keyed by (inventory version, principal's scope, query). The version is a
 * counter in the database that every committed inventory write bumps (triggers), and it is read on
 * every request, so a write by any process is seen by the next request of every process; an entry
 * of an older version than the one read is never served, only evicted.
 */
class ListPageCache {
  readonly versions: VersionReader;
  #pages = new Map<string, RenderedPage & { version: number }>();
  #bytes = 0;
  constructor(db: Db) {
    this.versions = new VersionReader(db);
  }

  get(key: string, version: number): RenderedPage | undefined {
    const hit = this.#pages.get(key);
    if (!hit) return undefined;
    this.#pages.delete(key);
    // A page rendered from a newer version than the one just read is newer still: served.
    if (hit.version < version) {
      this.#bytes -= hit.body.length;
      return undefined;
    }
    this.#pages.set(key, hit); // most recently used last
    return hit;
  }

  put(key: string, version: number, page: RenderedPage): void {
    if (page.body.length > LIST_CACHE_ENTRY_MAX) return;
    const old = this.#pages.get(key);
    if (old && old.version > version) return; // a newer render got there first
    if (old) {
      this.#pages.delete(key);
      this.#bytes -= old.body.length;
    }
    this.#pages.set(key, { ...page, version });
    this.#bytes += page.body.length;
    for (const [k, v] of this.#pages) {
      if (this.#bytes <= LIST_CACHE_BYTES) break;
      this.#pages.delete(k);
      this.#bytes -= v.body.length;
    }
  }
}

const caches = new WeakMap<Db, ListPageCache>();

function cacheOf(db: Db): ListPageCache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new ListPageCache(db)));
  return c;
}

async function strongEtag(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  let hex = '';
  for (const b of digest.subarray(0, 16)) hex += b.toString(16).padStart(2, '0');
  return `"${hex}"`;
}

function keyOf(principal: Principal, q: SystemQuery): string {
  const scope = principal.role === 'department' ? `dept:${principal.departmentPath ?? '/none/'}` : '*';
  return JSON.stringify([scope, q.department ?? null, q.lifecycle ?? null, q.deployment ?? null, q.status ?? null, q.tag ?? null, q.q ?? null, q.limit, q.cursor ?? null]);
}

/**
 * The systems list as the API sends it, from the cache when the inventory has not changed since the
 * page was rendered. Access is checked on every call, hit or miss.
 */
export async function systemsListPage(db: Db, principal: Principal, query: SystemQuery): Promise<RenderedPage> {
  requirePermission(principal, 'read');
  const cache = cacheOf(db);
  const key = keyOf(principal, query);
  const version = await cache.versions.read();
  const hit = cache.get(key, version);
  if (hit) return hit;
  const page = await listSystems(db, principal, query);
  const body = new TextEncoder().encode(page[jsonText]);
  const rendered = { body, etag: await strongEtag(body) };
  cache.put(key, page.inventoryVersion, rendered);
  return rendered;
}

/** Whether an If-None-Match header names this strong ETag (or is `*`); weak tags compare weakly, as RFC 9110 says for GET. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
