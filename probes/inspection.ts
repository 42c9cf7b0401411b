import { mapWithConcurrency, Semaphore, type CrawlGate } from './concurrency.js';
import { cachingResolver, type ProbeResolver } from './dns.js';
import { checkLink, type LinkCheck } from './links.js';
import { probeLiveness } from './liveness.js';
import { systemClock, type ProbeClock, type ProbeOutcome } from './outcome.js';
import type { TargetPolicy } from './policy.js';
import { decodePage, readPage, type PageFacts, type SectionType } from './sections.js';
import { findWordingErrors, type WordingHit, type WordingTerm } from './wording.js';

/**
 * The national website inspection of one portal, as one bounded crawl: the homepage, its sections
 * (discovered from the navigation plus registered ones) and same-site pages below them, up to a depth
 * and a page cap; every link found is checked once (HEAD, then GET); the text of every page fetched is
 * matched against the wording list. Every request goes through the liveness probe, so through the
 * target policy and the policy-checked connector. Never throws.
 *
 * Memory is bounded by design, not by the fleet: a sweep worker's crawls share a `CrawlGate` (so many
 * portals at once, so many pages in flight across them); a page's body is capped, decoded once and
 * parsed once, and only small facts (its list's dates, its links, its text for the wording check) are
 * kept from it, never its DOM; links are deduplicated in one set per site, at most `maxLinks`; and
 * nothing of a site outlives its crawl but the (capped) result.
 */

export interface InspectionLimits {
  /** Pages fetched and parsed per site, homepage included (default 50). */
  maxPages: number;
  /** Link depth below the homepage: sections are 1 (default 2). */
  maxDepth: number;
  /** Distinct links checked per site (default 1000). */
  maxLinks: number;
  /** Links read from one page (default 500): an endless list is cut there. */
  maxLinksPerPage: number;
  /** Requests in flight per host (default 2) and for the whole site check (default 6). */
  perHost: number;
  concurrency: number;
  /** Body cap per page (default 2 MiB; a larger page is `body_too_large`, not read). */
  maxPageBytes: number;
  /** Broken links, risks and wording hits kept in the stored evidence (default 50 each). */
  maxListed: number;
  /** Whole site check (default 120 s): what is not done by then is reported as not checked. */
  budgetMs: number;
}

export const DEFAULT_INSPECTION_LIMITS: InspectionLimits = {
  maxPages: 50,
  maxDepth: 2,
  maxLinks: 1000,
  maxLinksPerPage: 500,
  perHost: 2,
  concurrency: 6,
  maxPageBytes: 2 * 1024 * 1024,
  maxListed: 50,
  budgetMs: 120_000,
};

export interface RegisteredSection {
  url: string;
  name: string;
  type: SectionType;
}

export interface InspectionOptions {
  resolver: ProbeResolver;
  policy: TargetPolicy;
  timeoutMs?: number;
  clock?: ProbeClock;
  ca?: string | Buffer;
  /** Local day of the check (`YYYY-MM-DD`), for dates without a year. */
  today: string;
  registered?: ReadonlyArray<RegisteredSection>;
  wordingTerms?: ReadonlyArray<WordingTerm>;
  /** Words that make an external page "not government any more" (外链变异). */
  outboundKeywords?: ReadonlyArray<string>;
  limits?: Partial<InspectionLimits>;
  /** Shared by the crawls of one sweep worker: portals crawled and pages held at once. */
  gate?: CrawlGate;
}

export interface SectionResult {
  url: string;
  name: string;
  type: SectionType;
  source: 'discovered' | 'registered';
  outcome: ProbeOutcome | 'not_fetched';
  status?: number;
  items: number;
  dated: number;
  newest: string | null;
}

export interface BrokenLink {
  url: string;
  page: string;
  outcome: string;
  status?: number;
}

export interface OutboundRisk {
  url: string;
  page: string;
  risk: 'domain_unresolvable' | 'content_mismatch';
  keyword?: string;
}

export interface InspectionResult {
  url: string;
  /** The homepage's outcome: the inspection means nothing when it did not load. */
  outcome: ProbeOutcome;
  status?: number;
  error?: string;
  homepage: { items: number; dated: number; newest: string | null; navigationOnly: boolean; charset: string | null; charsetMismatch: boolean };
  sections: SectionResult[];
  pages: { fetched: number; failed: number; capped: boolean };
  links: { checked: number; broken: number; brokenRate: number | null; external: number; notChecked: number; truncated: boolean; brokenList: BrokenLink[]; outboundRisks: OutboundRisk[] };
  wording: { hits: number; list: WordingHit[] };
  a11y: { images: number; imagesWithAlt: number; careEntry: { found: boolean; opens: boolean | null; url: string | null } };
  durationMs: number;
}

interface Page {
  url: string;
  depth: number;
  /** The page a link to it was found on (the homepage: itself). */
  from: string;
}

const ANSWERED_OK = new Set(['ok', 'challenged', 'body_too_large']);

export async function inspectSite(homepage: string, o: InspectionOptions): Promise<InspectionResult> {
  // The site's slot first: its time budget starts when it may run, not while it waits.
  return o.gate ? o.gate.sites.run(() => crawlSite(homepage, o)) : crawlSite(homepage, o);
}

async function crawlSite(homepage: string, o: InspectionOptions): Promise<InspectionResult> {
  const limits = { ...DEFAULT_INSPECTION_LIMITS, ...o.limits };
  const clock = o.clock ?? systemClock;
  const started = clock.elapsedMs();
  const deadline = started + limits.budgetMs;
  const all = new Semaphore(limits.concurrency);
  const hosts = new Map<string, Semaphore>();
  const polite = <T>(url: string, task: () => Promise<T>): Promise<T> => {
    let host = 'invalid';
    try {
      host = new URL(url).host.toLowerCase();
    } catch {
      /* reported by the probe */
    }
    let s = hosts.get(host);
    if (!s) hosts.set(host, (s = new Semaphore(limits.perHost)));
    return s.run(() => all.run(task));
  };
  const remainingMs = () => Math.max(1, Math.min(o.timeoutMs ?? 15_000, deadline - clock.elapsedMs()));
  // One look-up per host for the whole crawl, not one per page and link.
  const base = { resolver: cachingResolver(o.resolver), policy: o.policy, clock, ca: o.ca };

  const result: InspectionResult = {
    url: homepage,
    outcome: 'ok',
    homepage: { items: 0, dated: 0, newest: null, navigationOnly: false, charset: null, charsetMismatch: false },
    sections: [],
    pages: { fetched: 0, failed: 0, capped: false },
    links: { checked: 0, broken: 0, brokenRate: null, external: 0, notChecked: 0, truncated: false, brokenList: [], outboundRisks: [] },
    wording: { hits: 0, list: [] },
    a11y: { images: 0, imagesWithAlt: 0, careEntry: { found: false, opens: null, url: null } },
    durationMs: 0,
  };

  /**
   * One page, fetched, decoded and read under one of the gate's page slots: the body (at most the page
   * cap) and the DOM live only inside the slot; what comes out is the probe's outcome and the page's facts.
   */
  const fetchPage = (url: string, withSections = false) =>
    polite(url, async () => {
      const task = async () => {
        const r = await probeLiveness(url, { ...base, timeoutMs: remainingMs(), includeBody: true, includeRawBody: true, maxBodyBytes: limits.maxPageBytes });
        const { body, bodyText, ...probe } = r;
        const finalUrl = r.finalUrl || url;
        const html = r.outcome === 'ok' && body && /html|xml|text\/plain/i.test(r.contentType ?? 'text/html');
        if (!html) return { r: probe, read: null, charset: null as string | null, mismatch: false, finalUrl };
        const decoded = decodePage(body, r.contentType, bodyText !== undefined && r.charset ? { text: bodyText, charset: r.charset } : undefined);
        const read = readPage(decoded.text, finalUrl, o.today, { maxLinks: limits.maxLinksPerPage, withSections });
        return { r: probe, read, charset: decoded.charset, mismatch: decoded.charsetMismatch, finalUrl };
      };
      return o.gate ? o.gate.pages.run(task) : task();
    });

  // Homepage.
  const home = await fetchPage(homepage, true);
  result.pages.fetched++;
  if (home.r.outcome !== 'ok' || home.read === null) {
    result.outcome = home.r.outcome;
    if (home.r.status !== undefined) result.status = home.r.status;
    result.error = home.r.error ?? (home.read === null ? 'not an HTML page' : undefined);
    if (result.error === undefined) delete result.error;
    result.pages.failed++;
    result.durationMs = Math.round(clock.elapsedMs() - started);
    return result;
  }
  const homeUrl = home.finalUrl;
  const siteHost = new URL(homeUrl).host;
  result.homepage.charset = home.charset;
  result.homepage.charsetMismatch = home.mismatch;
  const { list: homeList, facts: homeFacts, sections: homeSections } = home.read;
  result.homepage.items = homeList.items.length;
  result.homepage.dated = homeList.dated;
  result.homepage.newest = homeList.newest;
  result.a11y.images = homeFacts.images;
  result.a11y.imagesWithAlt = homeFacts.imagesWithAlt;

  // Every URL checked or queued, once: one set per site, at most `maxLinks` (+ the pages crawled).
  const checked = new Set<string>();
  const pending: Array<{ url: string; page: string }> = [];
  const pendingUrls = new Set<string>();
  const queueLinks = (links: PageFacts['links'], page: string, truncated: boolean) => {
    if (truncated) result.links.truncated = true;
    for (const l of links) {
      if (checked.has(l.url) || pendingUrls.has(l.url)) continue;
      if (checked.size + pending.length >= limits.maxLinks) {
        result.links.truncated = true;
        break;
      }
      pending.push({ url: l.url, page });
      pendingUrls.add(l.url);
    }
  };
  const addWording = (text: string, page: string) => {
    const hits = findWordingErrors(text, o.wordingTerms ?? [], page, limits.maxListed);
    result.wording.hits += hits.length;
    for (const h of hits) if (result.wording.list.length < limits.maxListed) result.wording.list.push(h);
  };
  addWording(homeFacts.text, homeUrl);
  checked.add(homeUrl);
  checked.add(homepage);

  // Sections: registered ones first (ops corrected them), then the navigation's.
  const sections = new Map<string, SectionResult>();
  for (const s of o.registered ?? []) sections.set(s.url, { ...s, source: 'registered', outcome: 'not_fetched', items: 0, dated: 0, newest: null });
  for (const s of homeSections) if (!sections.has(s.url)) sections.set(s.url, { ...s, source: 'discovered', outcome: 'not_fetched', items: 0, dated: 0, newest: null });
  // A homepage that is only navigation (no list of items at all) is judged by its second-level pages.
  result.homepage.navigationOnly = homeList.items.length === 0 && sections.size > 0;

  // The crawl, breadth first: sections at depth 1, then same-site links of crawled pages.
  // The frontier holds each URL once and never more than the pages still allowed: what does not fit is
  // past the page cap anyway (its links are still checked once, below).
  const frontier: Page[] = [];
  const queued = new Set<string>();
  const crawled = new Set<string>([homeUrl, homepage]);
  const enqueue = (p: Page) => {
    if (crawled.has(p.url) || queued.has(p.url)) return;
    if (queued.size >= limits.maxPages) {
      result.pages.capped = true;
      return;
    }
    queued.add(p.url);
    frontier.push(p);
  };
  for (const url of sections.keys()) enqueue({ url, depth: 1, from: homeUrl });
  for (const l of homeFacts.links) if (sameSite(l.url, siteHost)) enqueue({ url: l.url, depth: 1, from: homeUrl });
  queueLinks(homeFacts.links, homeUrl, homeFacts.linksTruncated);
  let careChecked = false;
  const care = homeFacts.careEntries[0];
  if (care) {
    result.a11y.careEntry = { found: true, opens: null, url: care.url };
  }

  while (frontier.length && clock.elapsedMs() < deadline) {
    const room = limits.maxPages - result.pages.fetched;
    if (room <= 0) {
      result.pages.capped = true;
      break;
    }
    // A URL found on several pages of one batch is fetched once: marked crawled as it is taken.
    const batch: Page[] = [];
    while (frontier.length && batch.length < Math.min(room, limits.concurrency * 2)) {
      const p = frontier.shift()!;
      queued.delete(p.url);
      if (crawled.has(p.url)) continue;
      crawled.add(p.url);
      batch.push(p);
    }
    await Promise.all(
      batch.map(async (p) => {
        const page = await fetchPage(p.url);
        result.pages.fetched++;
        const ok = ANSWERED_OK.has(page.r.outcome);
        checked.add(p.url);
        if (!ok) {
          result.pages.failed++;
          noteBroken(result, limits, { url: p.url, page: p.from, outcome: page.r.outcome, ...(page.r.status !== undefined ? { status: page.r.status } : {}) });
        }
        if (care?.url === p.url) {
          careChecked = true;
          result.a11y.careEntry.opens = ok;
        }
        const section = sections.get(p.url);
        if (section) {
          section.outcome = page.r.outcome;
          if (page.r.status !== undefined) section.status = page.r.status;
        }
        if (!page.read) return;
        const { list, facts } = page.read;
        if (section) {
          section.items = list.items.length;
          section.dated = list.dated;
          section.newest = list.newest;
        }
        addWording(facts.text, page.finalUrl);
        queueLinks(facts.links, page.finalUrl, facts.linksTruncated);
        if (p.depth < limits.maxDepth) {
          for (const l of facts.links) if (sameSite(l.url, siteHost)) enqueue({ url: l.url, depth: p.depth + 1, from: page.finalUrl });
        }
      }),
    );
  }
  if (frontier.length) result.pages.capped = true;
  frontier.length = 0;
  queued.clear();

  // Every other link, once: HEAD then GET; external pages are read for the risk keywords. As many
  // checks in flight as the crawl's concurrency, not one pending promise per link.
  const todo = pending.filter((l) => !checked.has(l.url));
  pending.length = 0;
  pendingUrls.clear();
  await mapWithConcurrency(todo, limits.concurrency, (l) =>
    polite(l.url, async () => {
      if (clock.elapsedMs() >= deadline) {
        result.links.notChecked++;
        return;
      }
      const external = !sameSite(l.url, siteHost);
      const c: LinkCheck = await checkLink(l.url, { ...base, timeoutMs: remainingMs(), readBody: external, keywords: external ? (o.outboundKeywords ?? []) : [] });
      if (c.outcome === 'blocked_by_policy') {
        result.links.notChecked++;
        return;
      }
      if (external) result.links.external++;
      checked.add(l.url);
      if (c.broken) noteBroken(result, limits, { url: l.url, page: l.page, outcome: c.outcome, ...(c.status !== undefined ? { status: c.status } : {}) });
      if (external && c.outcome === 'dns_nxdomain') noteRisk(result, limits, { url: l.url, page: l.page, risk: 'domain_unresolvable' });
      else if (external && c.keyword) noteRisk(result, limits, { url: l.url, page: l.page, risk: 'content_mismatch', keyword: c.keyword });
      if (care?.url === l.url && !careChecked) result.a11y.careEntry.opens = !c.broken;
    }),
  );
  // Pages the crawl fetched count as checked links too (the homepage is the site, not one of its links).
  checked.delete(homeUrl);
  checked.delete(homepage);
  result.links.checked = checked.size;
  result.links.brokenRate = result.links.checked ? Math.round((result.links.broken / result.links.checked) * 10_000) / 10_000 : null;
  result.sections = [...sections.values()];
  result.durationMs = Math.round(clock.elapsedMs() - started);
  return result;
}

function sameSite(url: string, host: string): boolean {
  try {
    return new URL(url).host === host;
  } catch {
    return false;
  }
}

function noteBroken(r: InspectionResult, l: InspectionLimits, b: BrokenLink) {
  r.links.broken++;
  if (r.links.brokenList.length < l.maxListed) r.links.brokenList.push(b);
}

function noteRisk(r: InspectionResult, l: InspectionLimits, x: OutboundRisk) {
  if (r.links.outboundRisks.length < l.maxListed) r.links.outboundRisks.push(x);
}
