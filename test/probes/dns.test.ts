import { afterAll, describe, expect, it } from 'vitest';
import { combineDnsFailures, createProbeResolver, dnsOutcomeFor, parseDnsServers, resolveHostAddresses } from '../../probes/dns.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';

const zone = {
  'www.linyi.gov.cn': { A: ['10.10.1.2', '10.10.1.3'], AAAA: ['2408:8000::1'] },
  'v4only.linyi.gov.cn': { A: ['10.10.1.4'] },
  'linyi.gov.cn': { NS: ['ns1.linyi.gov.cn', 'ns2.linyi.gov.cn'] },
  'ns1.linyi.gov.cn': { A: ['10.10.0.53'], AAAA: ['2408:8000::53'] },
};
const server = await startDnsServer({ zone, silent: ['slow.linyi.gov.cn'], servfail: ['broken.linyi.gov.cn'] });
afterAll(() => server.close());
const resolver = createProbeResolver({ servers: server.address, timeoutMs: 1000, tries: 1 });

describe('DNS look-ups through PROBE_DNS_SERVERS', () => {
  it('resolves A, AAAA and NS with timings', async () => {
    const a = await resolver.resolveA('www.linyi.gov.cn');
    expect(a).toMatchObject({ ok: true, type: 'A', records: ['10.10.1.2', '10.10.1.3'] });
    expect(a.ms).toBeGreaterThanOrEqual(0);
    expect(await resolver.resolveAaaa('www.linyi.gov.cn')).toMatchObject({ ok: true, records: ['2408:8000::1'] });
    expect(await resolver.resolveNs('linyi.gov.cn')).toMatchObject({ ok: true, records: ['ns1.linyi.gov.cn', 'ns2.linyi.gov.cn'] });
  });

  it('is case-insensitive about names', async () => {
    expect(await resolver.resolveA('WWW.Linyi.Gov.CN')).toMatchObject({ ok: true });
  });

  it('maps NXDOMAIN to dns_nxdomain', async () => {
    expect(await resolver.resolveA('gone.linyi.gov.cn')).toMatchObject({ ok: false, outcome: 'dns_nxdomain', code: 'ENOTFOUND' });
  });

  it('maps a name without the type to dns_nodata', async () => {
    expect(await resolver.resolveAaaa('v4only.linyi.gov.cn')).toMatchObject({ ok: false, outcome: 'dns_nodata', code: 'ENODATA' });
    expect(await resolver.resolveNs('www.linyi.gov.cn')).toMatchObject({ ok: false, outcome: 'dns_nodata' });
  });

  it('maps an unanswered query to dns_timeout', async () => {
    const answer = await resolver.resolveA('slow.linyi.gov.cn');
    expect(answer).toMatchObject({ ok: false, outcome: 'dns_timeout', code: 'ETIMEOUT' });
    expect(answer.ms).toBeGreaterThan(0);
  });

  it('maps SERVFAIL to dns_error', async () => {
    expect(await resolver.resolveA('broken.linyi.gov.cn')).toMatchObject({ ok: false, outcome: 'dns_error', code: 'ESERVFAIL' });
  });

  it('asks the configured server, not the system resolver', async () => {
    const before = server.queries.length;
    await resolver.resolveA('www.linyi.gov.cn');
    expect(server.queries.slice(before)).toEqual(['A www.linyi.gov.cn']);
  });
});

describe('host addresses for a probe', () => {
  it('returns IPv4 first, then IPv6, without pinning', async () => {
    const r = await resolveHostAddresses(resolver, 'www.linyi.gov.cn');
    expect(r).toMatchObject({
      ok: true,
      addresses: [
        { address: '10.10.1.2', family: 4 },
        { address: '10.10.1.3', family: 4 },
        { address: '2408:8000::1', family: 6 },
      ],
    });
  });

  it('pins a family without falling back', async () => {
    expect(await resolveHostAddresses(resolver, 'www.linyi.gov.cn', 6)).toMatchObject({ ok: true, addresses: [{ family: 6 }] });
    expect(await resolveHostAddresses(resolver, 'v4only.linyi.gov.cn', 6)).toMatchObject({ ok: false, outcome: 'dns_nodata' });
  });

  it('needs no look-up for IP literals, but respects pinning', async () => {
    expect(await resolveHostAddresses(resolver, '[::1]')).toMatchObject({ ok: true, addresses: [{ address: '::1', family: 6 }] });
    expect(await resolveHostAddresses(resolver, '127.0.0.1', 6)).toMatchObject({ ok: false, outcome: 'dns_nodata' });
  });

  it('combines failures of both families', async () => {
    expect(await resolveHostAddresses(resolver, 'gone.linyi.gov.cn')).toMatchObject({ ok: false, outcome: 'dns_nxdomain' });
    expect(combineDnsFailures(['dns_nodata', 'dns_timeout'])).toBe('dns_timeout');
    expect(combineDnsFailures(['dns_nxdomain', 'dns_nodata'])).toBe('dns_nodata');
  });
});

describe('resolver configuration', () => {
  it('splits PROBE_DNS_SERVERS', () => {
    expect(parseDnsServers('1.1.1.1, 10.0.0.53:5353,[::1]:53')).toEqual(['1.1.1.1', '10.0.0.53:5353', '[::1]:53']);
    expect(parseDnsServers(undefined)).toEqual([]);
    expect(parseDnsServers('')).toEqual([]);
  });

  it('uses the system resolver when no servers are configured', () => {
    expect(createProbeResolver({}).servers).toEqual([]);
  });

  it('fails at configuration time on a malformed server', () => {
    expect(() => createProbeResolver({ servers: 'not an address' })).toThrow();
  });

  it('maps error codes to outcomes', () => {
    expect(dnsOutcomeFor('ENOTFOUND')).toBe('dns_nxdomain');
    expect(dnsOutcomeFor('ENODATA')).toBe('dns_nodata');
    expect(dnsOutcomeFor('ETIMEOUT')).toBe('dns_timeout');
    expect(dnsOutcomeFor('ECONNREFUSED')).toBe('dns_error');
  });

  it('reaches a server given as [::1]:port', async (ctx) => {
    let v6: TestDnsServer;
    try {
      v6 = await startDnsServer({ zone, host: '::1' });
    } catch {
      ctx.skip('no IPv6 loopback on this machine');
      return;
    }
    try {
      expect(v6.address).toMatch(/^\[::1\]:\d+$/);
      const r6 = createProbeResolver({ servers: v6.address, timeoutMs: 1000, tries: 1 });
      expect(await r6.resolveA('www.linyi.gov.cn')).toMatchObject({ ok: true });
    } finally {
      await v6.close();
    }
  });
});
