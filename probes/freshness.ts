import { gunzipSync } from 'node:zlib';
import { decodeEntities } from './content.js';
import { probeLiveness, type LivenessOptions } from './liveness.js';
import { systemClock, type ProbeOutcome } from './outcome.js';
import { DEFAULT_TIME_ZONE, parseHttpDate, parseW3cDatetime } from './time.js';

/**
 * Content freshness: when a page last changed (from the content hashes of past probes), `Last-Modified`,
 * and the newest `lastmod` of a site's sitemaps.
 */

// ---------------------------------------------------------------------------------------------------
// History of content hashes (pure)

export interface HashObservation {
  at: Date | string;
  /** Null or absent when the probe failed: such observations neither start nor end a run. */
  contentHash?: string | null;
}

export interface ContentChange {
  /** Observation at which the current content first appeared after different content; null if never seen to change. */
  lastChanged: Date | null;
  /** First observation of the current content (the run it belongs to). */
  unchangedSince: Date | null;
  /** Latest observation with a hash. */
  lastSeen: Date | null;
  /** How many times the content changed within the history. */
  changes: number;
}

const toDate = (d: Date | string) => (d instanceof Date ? d : new Date(d));

export function lastContentChange(history: ReadonlyArray<HashObservation>): ContentChange {
  const observed = history
    .filter((h): h is HashObservation & { contentHash: string } => typeof h.contentHash === 'string' && h.contentHash.length > 0)
    .map((h) => ({ at: toDate(h.at), hash: h.contentHash }))
    .filter((h) => !Number.isNaN(h.at.getTime()))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  if (observed.length === 0) return { lastChanged: null, unchangedSince: null, lastSeen: null, changes: 0 };
  let changes = 0;
  let runStart = observed[0]!.at;
  let lastChanged: Date | null = null;
  for (let i = 1; i < observed.length; i++) {
    if (observed[i]!.hash !== observed[i - 1]!.hash) {
      changes++;
      runStart = observed[i]!.at;
      lastChanged = observed[i]!.at;
    }
  }
  return { lastChanged, unchangedSince: runStart, lastSeen: observed[observed.length - 1]!.at, changes };
}

/** `Last-Modified` header to a Date; null when absent or not an HTTP date. */
export function parseLastModified(value: string | null | undefined): Date | null {
  return parseHttpDate(value);
}

// ---------------------------------------------------------------------------------------------------
// Sitemaps (parsing is pure)

export interface SitemapEntry {
  loc: string;
  lastmod?: string;
}

export interface ParsedSitemap {
  kind: 'urlset' | 'sitemapindex' | 'unknown';
  entries: SitemapEntry[];
}

/** A tolerant parser for sitemap XML (urlset or sitemapindex); no DTDs or entities beyond the basic five. */
export function parseSitemap(xml: string): ParsedSitemap {
  const kind = /<(?:\w+:)?sitemapindex[\s>]/i.test(xml) ? 'sitemapindex' : /<(?:\w+:)?urlset[\s>]/i.test(xml) ? 'urlset' : 'unknown';
  const tag = kind === 'sitemapindex' ? 'sitemap' : 'url';
  const entries: SitemapEntry[] = [];
  const blocks = new RegExp(`<(?:\\w+:)?${tag}\\b[^>]*>([\\s\\S]*?)</(?:\\w+:)?${tag}\\s*>`, 'gi');
  for (const block of xml.matchAll(blocks)) {
    const loc = element(block[1] ?? '', 'loc');
    if (!loc) continue;
    const lastmod = element(block[1] ?? '', 'lastmod');
    entries.push(lastmod ? { loc, lastmod } : { loc });
  }
  return { kind, entries };
}

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:\\w+:)?${name}\\b[^>]*>([\\s\\S]*?)</(?:\\w+:)?${name}\\s*>`, 'i').exec(xml);
  if (!match) return undefined;
  const raw = (match[1] ?? '').replace(/^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/, '$1');
  const text = decodeEntities(raw).trim();
  return text || undefined;
}

/** Newest valid `lastmod`, ignoring dates more than a day after `now` (clock errors, not news). */
export function newestLastmod(entries: ReadonlyArray<SitemapEntry>, now: Date, timeZone = DEFAULT_TIME_ZONE): Date | null {
  let newest: Date | null = null;
  const limit = now.getTime() + 86_400_000;
  for (const entry of entries) {
    if (!entry.lastmod) continue;
    const date = parseW3cDatetime(entry.lastmod, timeZone);
    if (!date || date.getTime() > limit) continue;
    if (!newest || date > newest) newest = date;
  }
  return newest;
}

/** Sitemap URLs announced in robots.txt (`Sitemap:` lines). */
export function sitemapsFromRobots(robots: string, base: string): string[] {
  const urls: string[] = [];
  for (const line of robots.split(/\r?\n/)) {
    const match = /^\s*sitemap\s*:\s*(\S+)/i.exec(line);
    if (!match) continue;
    try {
      urls.push(new URL(match[1]!, base).href);
    } catch {
      /* not a URL: skip */
    }
  }
  return urls;
}

// ---------------------------------------------------------------------------------------------------
// Fetching sitemaps (network)

export interface SitemapFreshnessOptions extends Omit<LivenessOptions, 'includeBody' | 'includeRawBody' | 'family'> {
  /** Sitemap files read at most, index included (default 20). */
  maxSitemaps?: number;
  /** Per sitemap file, decompressed (default 10 MiB; the sitemap protocol allows 50 MB). */
  maxSitemapBytes?: number;
  timeZone?: string;
}

export interface SitemapFreshness {
  /** `ok` when at least one sitemap was read; else the outcome of the first failure. */
  outcome: ProbeOutcome;
  error?: string;
  /** Newest `lastmod` as ISO 8601, or null when none is usable. */
  newest: string | null;
  urls: number;
  urlsWithLastmod: number;
  sitemapsRead: string[];
  failures: Array<{ url: string; outcome: ProbeOutcome | 'not_a_sitemap'; error?: string }>;
  /** More sitemaps were listed than `maxSitemaps` allowed. */
  truncated: boolean;
}

/**
 * Reads `sitemapUrl` (a urlset or a sitemap index, plain or gzipped), follows child sitemaps up to the
 * cap, and reports the newest `lastmod` of any URL or child sitemap.
 */
export async function fetchSitemapFreshness(sitemapUrl: string, options: SitemapFreshnessOptions): Promise<SitemapFreshness> {
  const now = (options.clock ?? systemClock).now();
  const maxSitemaps = options.maxSitemaps ?? 20;
  const queue = [sitemapUrl];
  const queued = new Set(queue);
  const result: SitemapFreshness = { outcome: 'ok', newest: null, urls: 0, urlsWithLastmod: 0, sitemapsRead: [], failures: [], truncated: false };
  const lastmods: SitemapEntry[] = [];

  while (queue.length > 0) {
    if (result.sitemapsRead.length + result.failures.length >= maxSitemaps) {
      result.truncated = true;
      break;
    }
    const url = queue.shift()!;
    const fetched = await fetchSitemapText(url, options);
    if ('failure' in fetched) {
      result.failures.push(fetched.failure);
      continue;
    }
    const parsed = parseSitemap(fetched.text);
    if (parsed.kind === 'unknown') {
      result.failures.push({ url, outcome: 'not_a_sitemap', error: 'neither <urlset> nor <sitemapindex>' });
      continue;
    }
    result.sitemapsRead.push(url);
    lastmods.push(...parsed.entries);
    if (parsed.kind === 'urlset') {
      result.urls += parsed.entries.length;
      result.urlsWithLastmod += parsed.entries.filter((e) => e.lastmod).length;
    } else {
      for (const entry of parsed.entries) {
        let child: string;
        try {
          child = new URL(entry.loc, url).href;
        } catch {
          continue;
        }
        if (!queued.has(child)) {
          queued.add(child);
          queue.push(child);
        }
      }
    }
  }

  const newest = newestLastmod(lastmods, now, options.timeZone);
  result.newest = newest ? newest.toISOString() : null;
  if (result.sitemapsRead.length === 0) {
    const first = result.failures[0];
    result.outcome = first && first.outcome !== 'not_a_sitemap' ? first.outcome : 'protocol_error';
    result.error = first?.error ?? 'no sitemap read';
  }
  return result;
}

type SitemapText = { text: string } | { failure: SitemapFreshness['failures'][number] };

async function fetchSitemapText(url: string, options: SitemapFreshnessOptions): Promise<SitemapText> {
  const cap = options.maxSitemapBytes ?? 10 * 1024 * 1024;
  const probe = await probeLiveness(url, { ...options, maxBodyBytes: cap, includeRawBody: true });
  if (probe.outcome !== 'ok' || !probe.body) {
    const failure: SitemapFreshness['failures'][number] = { url, outcome: probe.outcome };
    if (probe.error) failure.error = probe.error;
    return { failure };
  }
  let bytes = probe.body;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: cap });
    } catch (err) {
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger/.test(String(err));
      return { failure: { url, outcome: tooLarge ? 'body_too_large' : 'protocol_error', error: 'bad gzip sitemap' } };
    }
  }
  return { text: new TextDecoder('utf-8').decode(bytes) };
}

/**
 * Site freshness from its sitemaps: those announced in robots.txt, else `/sitemap.xml` at the site root.
 */
export async function fetchSiteSitemapFreshness(siteUrl: string, options: SitemapFreshnessOptions): Promise<SitemapFreshness> {
  let root: URL;
  try {
    root = new URL('/', siteUrl);
  } catch {
    return { outcome: 'protocol_error', error: 'not a URL', newest: null, urls: 0, urlsWithLastmod: 0, sitemapsRead: [], failures: [], truncated: false };
  }
  const robots = await probeLiveness(new URL('/robots.txt', root).href, { ...options, includeBody: true, maxBodyBytes: 512 * 1024 });
  const announced = robots.outcome === 'ok' && robots.bodyText ? sitemapsFromRobots(robots.bodyText, root.href) : [];
  const first = announced[0] ?? new URL('/sitemap.xml', root).href;
  const result = await fetchSitemapFreshness(first, options);
  for (const extra of announced.slice(1, 5)) {
    const more = await fetchSitemapFreshness(extra, options);
    mergeFreshness(result, more);
  }
  return result;
}

function mergeFreshness(into: SitemapFreshness, more: SitemapFreshness): void {
  if (more.newest && (!into.newest || more.newest > into.newest)) into.newest = more.newest;
  into.urls += more.urls;
  into.urlsWithLastmod += more.urlsWithLastmod;
  into.sitemapsRead.push(...more.sitemapsRead);
  into.failures.push(...more.failures);
  into.truncated ||= more.truncated;
  if (into.outcome !== 'ok' && more.outcome === 'ok') {
    into.outcome = 'ok';
    delete into.error;
  }
}
