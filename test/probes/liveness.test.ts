import { afterAll, describe, expect, it } from 'vitest';
import { PROBE_OUTCOMES, systemClock, type ProbeClock, type ProbeOutcome } from '../../probes/outcome.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { probeLiveness, USER_AGENT, type LivenessResult } from '../../probes/liveness.js';
import { FLEET } from '../support/fleet.js';
import { startFleetHarness } from '../support/fleet-setup.js';
import { WAF_FIXTURES } from '../support/fleet-waf.js';

const { fleet, resolver, quickResolver, probe } = await startFleetHarness();
afterAll(() => fleet.close());

type ProbeOptions = Partial<Parameters<typeof probeLiveness>[1]>;

async function run(url: string, extra: ProbeOptions = {}): Promise<LivenessResult> {
  return probeLiveness(url, { ...probe, ...extra });
}

/**
 * Probes `url` with a deadline that passes when the fleet says so, not when a timer does: on `request`
 * (the server has the request for `url`'s path) or on `drip` (/drip has sent a byte after its headers).
 */
async function runUntil(url: string, when: 'request' | 'drip', extra: ProbeOptions = {}): Promise<LivenessResult> {
  let expire = () => {};
  const clock: ProbeClock = { ...systemClock, setTimer: (_ms, fn) => ((expire = fn), () => (expire = () => {})) };
  const path = new URL(url).pathname;
  const onRequest = (p: string) => p === path && expire();
  const onDrip = () => expire();
  if (when === 'request') fleet.events.on('request', onRequest);
  else fleet.events.once('drip', onDrip);
  try {
    return await run(url, { ...extra, clock });
  } finally {
    fleet.events.off('request', onRequest);
    fleet.events.off('drip', onDrip);
  }
}

describe('liveness: healthy pages', () => {
  it('reports ok with status, title, hash, timings and the address connected to', async () => {
    const r = await run(fleet.url(FLEET.dual, '/healthy'));
    expect(r.outcome).toBe('ok');
    expect(r.status).toBe(200);
    expect(r.title).toBe('健康检查');
    expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.remoteAddress).toBe('127.0.0.1');
    expect(r.family).toBe(4);
    expect(r.finalUrl).toBe(fleet.url(FLEET.dual, '/healthy'));
    expect(r.redirects).toEqual([]);
    expect(r.bodyBytes).toBeGreaterThan(100);
    expect(r.lastModified).toBe('2026-10-21T07:28:00.000Z');
    expect(r.error).toBeUndefined();
    for (const key of ['dnsMs', 'connectMs', 'tlsMs', 'firstByteMs', 'totalMs'] as const) {
      expect(r.timings[key]).toBeGreaterThanOrEqual(0);
    }
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(r.timings.firstByteMs);
    expect(r.bodyText).toBeUndefined();
  });

  it('waits for a slow server that answers within the timeout', async () => {
    const r = await run(fleet.url(FLEET.dual, '/slow'));
    expect(r.outcome).toBe('ok');
    expect(r.title).toBe('慢');
  });

  it('gives the same content hash to a page whose tokens, nonces and times change on every request', async () => {
    const a = await run(fleet.url(FLEET.dual, '/volatile'), { includeBody: true });
    const b = await run(fleet.url(FLEET.dual, '/volatile'), { includeBody: true });
    expect(a.bodyText).not.toBe(b.bodyText);
    expect(a.contentHash).toBe(b.contentHash);
  });

  it('decodes gzip-encoded pages', async () => {
    const r = await run(fleet.url(FLEET.dual, '/gzip'));
    expect(r.outcome).toBe('ok');
    expect(r.title).toBe('压缩页面');
  });

  it('hashes non-text bodies without a title', async () => {
    const r = await run(fleet.url(FLEET.dual, '/image.png'));
    expect(r.outcome).toBe('ok');
    expect(r.title).toBeUndefined();
    expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns the body text only when asked', async () => {
    const r = await run(fleet.url(FLEET.dual, '/'), { includeBody: true });
    expect(r.bodyText).toContain('临沂市人民政府门户网站');
  });
});

describe('liveness: Chinese pages in GBK', () => {
  it('reads the title of a GB2312-declared page (meta http-equiv)', async () => {
    const r = await run(fleet.url(FLEET.dual, '/gbk'));
    expect(r.outcome).toBe('ok');
    expect(r.charset).toBe('gb18030');
    expect(r.title).toBe('临沂市人民政府 政务公开');
  });

  it('reads the title when only the Content-Type header says GBK', async () => {
    const r = await run(fleet.url(FLEET.dual, '/gbk-header'));
    expect(r.title).toBe('兰山区人民政府');
  });
});

describe('liveness: HTTP failures', () => {
  it('reports http_error with the status for 404 and 500', async () => {
    const notFound = await run(fleet.url(FLEET.dual, '/status/404'));
    expect(notFound).toMatchObject({ outcome: 'http_error', status: 404 });
    const serverError = await run(fleet.url(FLEET.dual, '/status/500'));
    expect(serverError).toMatchObject({ outcome: 'http_error', status: 500 });
  });

  it('times out a server that never answers', async () => {
    const r = await runUntil(fleet.url(FLEET.dual, '/hang'), 'request', { timeoutMs: 1500 });
    expect(r.outcome).toBe('timeout');
    expect(r.error).toMatch(/1500 ms/);
  });

  it('times out a body that drips one byte a second', async () => {
    const r = await runUntil(fleet.url(FLEET.dual, '/drip'), 'drip');
    expect(r.outcome).toBe('timeout');
    expect(r.status).toBe(200);
  });

  it('reports connection_reset when the server resets the connection', async () => {
    const r = await run(fleet.url(FLEET.dual, '/reset'));
    expect(r.outcome).toBe('connection_reset');
  });

  it('stops an endless body at the cap (body_too_large)', async () => {
    const r = await run(fleet.url(FLEET.dual, '/endless'), { maxBodyBytes: 256 * 1024 });
    expect(r.outcome).toBe('body_too_large');
    expect(r.bodyBytes).toBeLessThanOrEqual(256 * 1024);
  });

  it('refuses a declared Content-Length above the cap without reading it', async () => {
    const r = await run(fleet.url(FLEET.dual, '/big'));
    expect(r.outcome).toBe('body_too_large');
  });

  it('reports protocol_error for a server that does not speak HTTP', async () => {
    const r = await run(fleet.url(FLEET.v4, '/', 'garbage'));
    expect(r.outcome).toBe('protocol_error');
  });

  it('reports protocol_error for a URL it cannot probe', async () => {
    expect((await run('ftp://example.test/')).outcome).toBe('protocol_error');
    expect((await run('not a url')).outcome).toBe('protocol_error');
  });

  it('reports connect_refused for a closed port', async () => {
    const r = await run(fleet.url(FLEET.v4, '/', 'refused'));
    expect(r.outcome).toBe('connect_refused');
    expect(r.error).toMatch(/ECONNREFUSED/);
  });

  it('tries the next address when one refuses', async () => {
    const r = await run(fleet.url(FLEET.multi, '/healthy'));
    expect(r).toMatchObject({ outcome: 'ok', remoteAddress: '127.0.0.1' });
  });

  it('reports connect_timeout when the TCP handshake never completes', async () => {
    const r = await run(fleet.url(FLEET.v4, '/', 'blackhole'), { connectTimeoutMs: 500 });
    expect(r.outcome).toBe('connect_timeout');
  });

  it('reports connect_timeout when the whole budget runs out while connecting', async () => {
    const r = await run(fleet.url(FLEET.v4, '/', 'blackhole'), { timeoutMs: 600 });
    expect(r.outcome).toBe('connect_timeout');
  });
});

describe('liveness: WAF and bot challenges', () => {
  for (const [name, f] of Object.entries(WAF_FIXTURES)) {
    it(`${name} (HTTP ${f.status}) is ${f.vendor ? `challenged by ${f.vendor}` : 'not a challenge'}`, async () => {
      const r = await run(fleet.url(FLEET.dual, `/waf/${name}`));
      expect(r.status).toBe(f.status);
      if (f.vendor) {
        expect(r.outcome).toBe('challenged');
        expect(r.challenge?.vendor).toBe(f.vendor);
        expect(r.error).toContain(f.vendor);
        // The challenge page says nothing about the site's content.
        expect(r.contentHash).toBeUndefined();
        expect(r.lastModified).toBeUndefined();
      } else {
        expect(r.outcome).toBe(f.status === 200 ? 'ok' : 'http_error');
        expect(r.challenge).toBeUndefined();
      }
      expect(r.localAddress).toBe('127.0.0.1');
    });
  }
});

describe('liveness: redirects', () => {
  it('follows a chain of 10 redirects and records each hop', async () => {
    const r = await run(fleet.url(FLEET.dual, '/chain/10'));
    expect(r.outcome).toBe('ok');
    expect(r.redirects).toHaveLength(10);
    expect(r.redirects[0]).toMatchObject({ status: 307, location: fleet.url(FLEET.dual, '/chain/9') });
    expect(r.finalUrl).toBe(fleet.url(FLEET.dual, '/chain/0'));
    expect(r.title).toBe('终点');
  });

  it('gives up after 10 redirects (too_many_redirects)', async () => {
    const r = await run(fleet.url(FLEET.dual, '/chain/11'));
    expect(r.outcome).toBe('too_many_redirects');
    expect(r.redirects).toHaveLength(10);
  });

  it('detects a redirect loop', async () => {
    const r = await run(fleet.url(FLEET.dual, '/loop/a'));
    expect(r.outcome).toBe('redirect_loop');
    expect(r.redirects.map((h) => h.url)).toEqual([fleet.url(FLEET.dual, '/loop/a'), fleet.url(FLEET.dual, '/loop/b')]);
  });

  it('honours a lower redirect cap', async () => {
    const r = await run(fleet.url(FLEET.dual, '/chain/3'), { maxRedirects: 2 });
    expect(r.outcome).toBe('too_many_redirects');
  });

  it('follows a redirect across schemes and hosts (HTTP to HTTPS)', async () => {
    const target = fleet.url(FLEET.dual, '/healthy', 'https');
    const r = await run(fleet.url(FLEET.v4, `/redirect?to=${encodeURIComponent(target)}`));
    expect(r.outcome).toBe('ok');
    expect(r.finalUrl).toBe(target);
    expect(r.cert?.issuer).toBe('Xuncha Test CA');
  });
});

describe('liveness: TLS', () => {
  it('captures the certificate of a valid HTTPS site signed by the extra trusted CA', async () => {
    const r = await run(fleet.url(FLEET.dual, '/', 'https'));
    expect(r.outcome).toBe('ok');
    expect(r.cert).toMatchObject({ issuer: 'Xuncha Test CA', subject: 'fleet.test', verified: true, selfSigned: false });
    expect(r.cert!.daysToExpiry).toBeGreaterThan(10_000);
    expect(r.timings.tlsMs).toBeGreaterThan(0);
  });

  it('rejects the same site when the test CA is not trusted', async () => {
    const { ca: _ca, ...untrusted } = probe;
    const r = await probeLiveness(fleet.url(FLEET.dual, '/', 'https'), untrusted);
    expect(r.outcome).toBe('tls_error');
    expect(r.tlsReason).toBe('other');
    expect(r.cert?.verifyError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('reports an expired certificate with its expiry date', async () => {
    const r = await run(fleet.url(FLEET.expired, '/', 'expired'));
    expect(r.outcome).toBe('tls_error');
    expect(r.tlsReason).toBe('expired');
    expect(r.cert).toMatchObject({ issuer: 'Xuncha Test CA', validTo: '2021-01-01T00:00:00.000Z', verified: false });
    expect(r.cert!.daysToExpiry).toBeLessThan(0);
  });

  it('computes days to expiry from the clock passed in', async () => {
    const clock = { now: () => new Date('2020-12-22T00:00:00Z'), elapsedMs: () => performance.now() };
    const r = await run(fleet.url(FLEET.expired, '/', 'expired'), { clock });
    expect(r.cert!.daysToExpiry).toBe(10);
    expect(r.startedAt).toBe('2020-12-22T00:00:00.000Z');
  });

  it('reports a self-signed certificate', async () => {
    const r = await run(fleet.url(FLEET.selfSigned, '/', 'selfSigned'));
    expect(r.outcome).toBe('tls_error');
    expect(r.tlsReason).toBe('self_signed');
    expect(r.cert?.selfSigned).toBe(true);
  });

  it('reports a certificate for another host name', async () => {
    const r = await run(fleet.url(FLEET.mismatch, '/', 'https'));
    expect(r.outcome).toBe('tls_error');
    expect(r.tlsReason).toBe('hostname');
    expect(r.cert?.issuer).toBe('Xuncha Test CA');
  });
});

describe('liveness: DNS through PROBE_DNS_SERVERS', () => {
  it('reports dns_nxdomain for an unknown name', async () => {
    expect((await run(fleet.url(FLEET.nxdomain, '/'))).outcome).toBe('dns_nxdomain');
  });

  it('reports dns_nodata for a name without addresses', async () => {
    expect((await run(fleet.url(FLEET.nodata, '/'))).outcome).toBe('dns_nodata');
  });

  it('reports dns_timeout when the server never answers', async () => {
    expect((await run(fleet.url(FLEET.dnsTimeout, '/'), { resolver: quickResolver })).outcome).toBe('dns_timeout');
  });

  it('reports dns_error for SERVFAIL', async () => {
    expect((await run(fleet.url(FLEET.servfail, '/'))).outcome).toBe('dns_error');
  });
});

describe('liveness: target policy', () => {
  it('blocks a name that resolves to the cloud metadata address', async () => {
    const r = await run(fleet.url(FLEET.metadata, '/latest/meta-data/'));
    expect(r.outcome).toBe('blocked_by_policy');
    expect(r.error).toMatch(/169\.254\.169\.254.*cloud metadata/);
    expect(r.remoteAddress).toBeNull();
  });

  it('blocks a redirect to a denied address, after the first hop was allowed', async () => {
    const r = await run(fleet.url(FLEET.dual, `/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`));
    expect(r.outcome).toBe('blocked_by_policy');
    expect(r.redirects).toHaveLength(1);
    expect(r.redirects[0]!.remoteAddress).toBe('127.0.0.1');
    expect(r.finalUrl).toBe('http://169.254.169.254/latest/meta-data/');
    expect(r.remoteAddress).toBeNull();
  });

  it('blocks a redirect to a name that resolves to a denied address', async () => {
    const r = await run(fleet.url(FLEET.dual, `/redirect?to=${encodeURIComponent(fleet.url(FLEET.metadata, '/'))}`));
    expect(r.outcome).toBe('blocked_by_policy');
  });

  it('checks the address it connects to, not an earlier look-up (DNS rebinding)', async () => {
    const earlier = await resolver.resolveA(FLEET.rebind);
    expect(earlier).toMatchObject({ ok: true, records: ['127.0.0.1'] });
    const r = await run(fleet.url(FLEET.rebind, '/healthy'));
    expect(r.outcome).toBe('blocked_by_policy');
  });

  it('connects only to the allowed address of a name with a denied one', async () => {
    const r = await run(fleet.url(FLEET.mixed, '/healthy'));
    expect(r).toMatchObject({ outcome: 'ok', remoteAddress: '127.0.0.1' });
  });

  it('blocks everything outside PROBE_ALLOW_CIDRS', async () => {
    const policy = createTargetPolicy({ allow: '10.0.0.0/8' });
    const r = await run(fleet.url(FLEET.dual, '/healthy'), { policy });
    expect(r.outcome).toBe('blocked_by_policy');
    expect(r.error).toMatch(/PROBE_ALLOW_CIDRS/);
  });

  it('blocks addresses in PROBE_DENY_CIDRS', async () => {
    const policy = createTargetPolicy({ deny: '127.0.0.0/8' });
    const r = await run(fleet.url(FLEET.v4, '/healthy'), { policy });
    expect(r.outcome).toBe('blocked_by_policy');
  });

  it('blocks metadata reached through an IPv4-mapped IPv6 address', async () => {
    const r = await run(fleet.url(FLEET.mappedMetadata, '/'), { family: 6 });
    expect(r.outcome).toBe('blocked_by_policy');
  });

  it('blocks IP literals in the URL', async () => {
    const r = await run('http://169.254.169.254/latest/meta-data/');
    expect(r.outcome).toBe('blocked_by_policy');
  });
});

describe.skipIf(!fleet.ipv6)('liveness: address family pinning', () => {
  it('connects over IPv6 only when pinned to 6', async () => {
    const r = await run(fleet.url(FLEET.dual, '/healthy'), { family: 6 });
    expect(r).toMatchObject({ outcome: 'ok', remoteAddress: '::1', family: 6 });
  });

  it('does not fall back to IPv4 when pinned to 6', async () => {
    const r = await run(fleet.url(FLEET.v4, '/healthy'), { family: 6 });
    expect(r.outcome).toBe('dns_nodata');
  });

  it('does not fall back to IPv6 when pinned to 4', async () => {
    const r = await run(fleet.url(FLEET.v6, '/healthy'), { family: 4 });
    expect(r.outcome).toBe('dns_nodata');
  });

  it('reaches an IPv6-only name without pinning', async () => {
    const r = await run(fleet.url(FLEET.v6, '/healthy'));
    expect(r).toMatchObject({ outcome: 'ok', remoteAddress: '::1' });
  });

  it('serves HTTPS over IPv6 with a verified certificate', async () => {
    const r = await run(fleet.url(FLEET.v6, '/', 'https'));
    expect(r.outcome).toBe('ok');
    expect(r.cert?.verified).toBe(true);
  });
});

describe('liveness: identification and never throwing', () => {
  it('sends the identifying User-Agent', async () => {
    expect(USER_AGENT).toBe('Xuncha/0.1 (+government system audit)');
    const r = await run(fleet.url(FLEET.dual, '/echo-headers'), { includeBody: true });
    const headers = JSON.parse(r.bodyText!) as Record<string, string>;
    expect(headers['user-agent']).toBe('Xuncha/0.1 (+government system audit)');
    expect(headers.host).toBe(`${FLEET.dual}:${fleet.ports.http}`);
  });

  it('turns a caller abort into a result, not an exception', async () => {
    const controller = new AbortController();
    const pending = run(fleet.url(FLEET.dual, '/hang'), { signal: controller.signal, timeoutMs: 10_000 });
    setTimeout(() => controller.abort(), 50);
    const r = await pending;
    expect(r.outcome).toBe('timeout');
  });
});

describe('liveness: every outcome code of the contract, each from its own fleet member', () => {
  // The harness's budgets, which no loaded machine reaches; the timeout cases decide their deadline.
  const opts = probe;
  /** /hang: the deadline passes once the server has the request (and will never answer it). */
  const hangUntilAsked = () => runUntil(fleet.url(FLEET.dual, '/hang'), 'request', opts);
  const CASES: Partial<Record<ProbeOutcome, () => Promise<LivenessResult>>> = {
    ok: () => probeLiveness(fleet.url(FLEET.dual, '/healthy'), opts),
    http_error: () => probeLiveness(fleet.url(FLEET.dual, '/status/500'), opts),
    timeout: hangUntilAsked,
    dns_nxdomain: () => probeLiveness(fleet.url(FLEET.nxdomain, '/'), opts),
    dns_nodata: () => probeLiveness(fleet.url(FLEET.nodata, '/'), opts),
    dns_timeout: () => probeLiveness(fleet.url(FLEET.dnsTimeout, '/'), { ...opts, resolver: quickResolver }),
    dns_error: () => probeLiveness(fleet.url(FLEET.servfail, '/'), opts),
    connect_refused: () => probeLiveness(fleet.url(FLEET.v4, '/', 'refused'), opts),
    connect_timeout: () => probeLiveness(fleet.url(FLEET.v4, '/', 'blackhole'), { ...opts, connectTimeoutMs: 500 }),
    connection_reset: () => probeLiveness(fleet.url(FLEET.dual, '/reset'), opts),
    tls_error: () => probeLiveness(fleet.url(FLEET.expired, '/', 'expired'), opts),
    redirect_loop: () => probeLiveness(fleet.url(FLEET.dual, '/loop/a'), opts),
    too_many_redirects: () => probeLiveness(fleet.url(FLEET.dual, '/chain/11'), opts),
    body_too_large: () => probeLiveness(fleet.url(FLEET.dual, '/big'), opts),
    blocked_by_policy: () => probeLiveness(fleet.url(FLEET.metadata, '/latest/meta-data/'), opts),
    protocol_error: () => probeLiveness(fleet.url(FLEET.v4, '/', 'garbage'), opts),
    challenged: () => probeLiveness(fleet.url(FLEET.dual, '/waf/jiasule'), opts),
  };

  it('has a fleet member for every outcome code', () => {
    expect(Object.keys(CASES).sort()).toEqual([...PROBE_OUTCOMES].sort());
  });

  it.each(Object.entries(CASES))('%s', async (outcome, probeIt) => {
    expect((await probeIt!()).outcome).toBe(outcome);
  });
});
