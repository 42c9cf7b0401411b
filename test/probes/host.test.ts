import { describe, expect, it } from 'vitest';
import { hostOf } from '../../probes/host.js';

describe('hostOf', () => {
  it('gives the host a resolver looks up', () => {
    expect(hostOf('https://www.linyi.gov.cn/index.html')).toBe('www.linyi.gov.cn');
    expect(hostOf('http://user:pw@Portal.Linyi.GOV.cn:8080/a?b#c')).toBe('portal.linyi.gov.cn');
  });

  it('treats a fully qualified name (trailing dot) as the same host', () => {
    expect(hostOf('https://www.linyi.gov.cn./')).toBe('www.linyi.gov.cn');
    expect(hostOf('https://WWW.LINYI.GOV.CN./')).toBe(hostOf('https://www.linyi.gov.cn/'));
  });

  it('gives an IPv6 literal without brackets, as net.isIP and resolvers take it', () => {
    expect(hostOf('http://[2001:DB8::1]:8080/')).toBe('2001:db8::1');
    expect(hostOf('http://[::1]/')).toBe('::1');
    expect(hostOf('http://127.0.0.1:3000/')).toBe('127.0.0.1');
  });

  it('is null for text that is not a URL with a host', () => {
    expect(hostOf('not a url')).toBeNull();
    expect(hostOf('')).toBeNull();
    expect(hostOf('mailto:ops@linyi.gov.cn')).toBeNull();
  });
});
