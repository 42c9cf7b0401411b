import { describe, expect, it } from 'vitest';
import { detectChallenge } from '../../probes/challenge.js';
import { WAF_FIXTURES } from '../support/fleet-waf.js';

describe('challenge detection (pure)', () => {
  for (const [name, f] of Object.entries(WAF_FIXTURES)) {
    it(`${name}: HTTP ${f.status} is ${f.vendor ? `a ${f.vendor} challenge` : 'not a challenge'}`, () => {
      const c = detectChallenge({ status: f.status, headers: f.headers, body: f.body });
      expect(c?.vendor ?? null).toBe(f.vendor);
      if (c) expect(c.marker).not.toBe('');
    });
  }

  it('judges a 200 only on markers no ordinary page carries', () => {
    const block = WAF_FIXTURES.safedog!;
    expect(detectChallenge({ status: 403, headers: {}, body: block.body })?.vendor).toBe('safedog');
    expect(detectChallenge({ status: 200, headers: {}, body: block.body })).toBeNull();
    expect(detectChallenge({ status: 200, headers: {}, body: '<title>Just a moment...</title>' })).toBeNull();
    expect(detectChallenge({ status: 200, headers: { 'cf-mitigated': 'challenge' }, body: '' })?.vendor).toBe('cloudflare');
  });

  it('never calls another status a challenge, nor a plain error page', () => {
    expect(detectChallenge({ status: 500, headers: {}, body: WAF_FIXTURES.jiasule!.body })).toBeNull();
    expect(detectChallenge({ status: 404, headers: {}, body: WAF_FIXTURES.cloudflare!.body })).toBeNull();
    expect(detectChallenge({ status: 403, headers: {}, body: '<h1>403 Forbidden</h1><p>nginx</p>' })).toBeNull();
    expect(detectChallenge({ status: 503, headers: { server: 'cloudflare' }, body: '<h1>Service Unavailable</h1>' })).toBeNull();
  });

  it('reads cookies from every Set-Cookie header', () => {
    expect(detectChallenge({ status: 503, headers: { 'set-cookie': ['a=1', '__jsl_clearance=x'] }, body: '' })?.vendor).toBe('jiasule');
  });
});
