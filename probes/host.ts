/**
 * The host name of a URL as DNS looks it up and as hosts are compared across endpoints, probes and
 * findings: lower case (WHATWG URL already folds http(s) hosts), without the root's trailing dot
 * (`example.gov.cn.` is `example.gov.cn`), an IPv6 literal without its brackets (`[2001:db8::1]` is
 * `2001:db8::1`, what a resolver or `net.isIP` takes). `null` when the text is not a URL with a host.
 */
export function hostOf(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return null;
  }
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1).toLowerCase();
  host = host.toLowerCase().replace(/\.$/, '');
  return host || null;
}
