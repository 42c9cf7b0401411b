import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  createTargetPolicy,
  parseAddress,
  parseCidr,
  PolicyConfigError,
  targetPolicyFromEnv,
} from '../../probes/policy.js';

describe('target policy: defaults', () => {
  const policy = createTargetPolicy();

  it.each([
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'IPv4 link-local'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local'],
    ['febf:ffff::1', 'IPv6 link-local'],
    ['fd00:ec2::254', 'AWS metadata over IPv6'],
    ['100.100.100.200', 'Alibaba Cloud metadata'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::169.254.169.254', 'cloud metadata'],
  ])('denies %s (%s)', (ip, label) => {
    const verdict = checkAddress(ip, policy);
    expect(verdict.allowed).toBe(false);
    expect(verdict.code).toBe('denied');
    expect(verdict.reason).toContain(label);
  });

  it.each(['127.0.0.1', '::1', '10.1.2.3', '192.168.0.10', '59.110.1.1', '2400:3200::1', 'fec0::1', '100.100.100.201', '::ffff:10.0.0.1'])(
    'allows %s',
    (ip) => {
      expect(checkAddress(ip, policy)).toMatchObject({ allowed: true, code: 'allowed' });
    },
  );

  it('rejects things that are not addresses', () => {
    expect(checkAddress('metadata.google.internal', policy)).toMatchObject({ allowed: false, code: 'invalid_address' });
    expect(checkAddress('1.2.3.256', policy).code).toBe('invalid_address');
  });
});

describe('target policy: PROBE_ALLOW_CIDRS and PROBE_DENY_CIDRS', () => {
  it('allows only the allow list when it is set', () => {
    const policy = targetPolicyFromEnv({ PROBE_ALLOW_CIDRS: '10.0.0.0/8, 2408:8000::/20' });
    expect(checkAddress('10.20.30.40', policy).allowed).toBe(true);
    expect(checkAddress('2408:8001::5', policy).allowed).toBe(true);
    expect(checkAddress('192.168.1.1', policy)).toMatchObject({ allowed: false, code: 'not_in_allow_list' });
    expect(checkAddress('::ffff:10.0.0.1', policy).allowed).toBe(true);
  });

  it('keeps the default denials even inside the allow list', () => {
    const policy = createTargetPolicy({ allow: '0.0.0.0/0' });
    expect(checkAddress('169.254.169.254', policy).allowed).toBe(false);
    expect(checkAddress('8.8.8.8', policy).allowed).toBe(true);
  });

  it('adds PROBE_DENY_CIDRS to the defaults', () => {
    const policy = targetPolicyFromEnv({ PROBE_DENY_CIDRS: '10.0.0.0/8,fd00::/8' });
    expect(checkAddress('10.9.9.9', policy).allowed).toBe(false);
    expect(checkAddress('fd12::1', policy).allowed).toBe(false);
    expect(checkAddress('169.254.169.254', policy).allowed).toBe(false);
    expect(checkAddress('11.0.0.1', policy).allowed).toBe(true);
  });

  it('treats unset and empty variables as no list', () => {
    expect(targetPolicyFromEnv({}).allow).toBeNull();
    expect(targetPolicyFromEnv({ PROBE_ALLOW_CIDRS: '' }).allow).toBeNull();
  });

  it('fails loudly on a bad entry, naming the variable', () => {
    expect(() => targetPolicyFromEnv({ PROBE_ALLOW_CIDRS: '10.0.0.0/33' })).toThrow(/PROBE_ALLOW_CIDRS.*10\.0\.0\.0\/33/);
    expect(() => targetPolicyFromEnv({ PROBE_DENY_CIDRS: 'example.com' })).toThrow(PolicyConfigError);
  });
});

describe('CIDR and address parsing', () => {
  it('parses CIDRs, normalising host bits and mapped IPv4', () => {
    expect(parseCidr('192.168.1.77/24')).toMatchObject({ family: 4, prefix: 24, network: 0xc0a80100n });
    expect(parseCidr('::ffff:169.254.0.0/112')).toMatchObject({ family: 4, prefix: 16 });
    expect(parseCidr('2001:db8::1')).toMatchObject({ family: 6, prefix: 128 });
    expect(parseCidr('0.0.0.0/0').prefix).toBe(0);
  });

  it('parses IPv6 forms alike', () => {
    const forms = ['2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '[2001:db8::1]', '2001:db8:0:0::0:1'];
    const values = forms.map((f) => parseAddress(f)!.value);
    expect(new Set(values).size).toBe(1);
    expect(parseAddress('::')!.value).toBe(0n);
    expect(parseAddress('::ffff:1.2.3.4')!.value).toBe((0xffffn << 32n) | 0x01020304n);
  });

  it('a network contains exactly the addresses sharing its prefix (property)', () => {
    const policyFor = (cidr: string) => createTargetPolicy({ deny: cidr, defaultDeny: false });
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (net, ip, prefix) => {
        const toInt = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const inside = ((toInt(net) & mask) >>> 0) === ((toInt(ip) & mask) >>> 0);
        return checkAddress(ip, policyFor(`${net}/${prefix}`)).allowed === !inside;
      }),
    );
  });

  it('judges an IPv4 address and its mapped IPv6 form alike (property)', () => {
    const policy = createTargetPolicy({ deny: '203.0.113.0/24' });
    fc.assert(
      fc.property(fc.ipV4(), (ip) => checkAddress(ip, policy).allowed === checkAddress(`::ffff:${ip}`, policy).allowed),
    );
  });
});
