import { lazyProbe, recordOf, type ProbeKindSpec } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/freshness.js'));

/** The newest sitemap lastmod of the site, for the content-freshness rules. */
export const freshness: ProbeKindSpec<'freshness'> = {
  stored: 'freshness',
  target: 'endpoint',
  byDefault: false,
  rollsUpDaily: false,
  async run(_db, t, o) {
    const { fetchSiteSitemapFreshness } = await probes();
    const f = await fetchSiteSitemapFreshness(t.url, { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock: o.deps.clock, ca: o.ca });
    return {
      ...recordOf(t, 'freshness'),
      at: o.deps.clock.now(),
      outcome: f.outcome,
      httpStatus: null,
      durationMs: null,
      detail: { newest: f.newest, urls: f.urls, urlsWithLastmod: f.urlsWithLastmod, sitemapsRead: f.sitemapsRead, failures: f.failures.slice(0, 5), ...(f.error ? { error: f.error } : {}) },
      contentHash: null,
      sitemapLastmod: f.newest ? new Date(f.newest) : null,
    };
  },
  endpointState: {
    init: () => null,
    fold(next, r) {
      if (r.sitemapLastmod) next.sitemapLastmod = r.sitemapLastmod;
    },
    flush: async () => {},
  },
};
