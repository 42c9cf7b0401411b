import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { startDnsServer, type TestDnsServer } from './dns-server.js';
import { listenDual } from './fleet.js';
import { detailPage, homepage, newsPage, page } from './fleet-pages.js';

/**
 * A loopback city: one HTTP server (127.0.0.1 and ::1, same port), one HTTPS server with an expired
 * certificate, and a DNS server naming the city's systems, each host with one behaviour a sweep must
 * report. The test moves the city's calendar with `setDay`: portals that are alive publish a new item
 * every day, the flaky host resets on some days. Names resolve only through `dnsServers`.
 *
 * The HTTPS host's name is under `fleet.test`, covered by the test certificates (`*.fleet.test`), so the
 * only thing wrong with it is the expiry. Systems "reached by address" use `http://127.0.0.1:PORT/…`.
 */

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const tlsFile = (name: string) => readFileSync(`${TLS_DIR}${name}`, 'utf8');

export const CITY = {
  /** A and AAAA, same living portal over both. */
  dual: 'www.dual.lyc.test',
  /** A only. */
  v4: 'www.v4.lyc.test',
  /** Answers every page with HTTP 500. */
  error500: 'e500.lyc.test',
  /** The same homepage every day, `Last-Modified: 2025-03-01`, a sitemap whose newest lastmod is 2025-02-20. */
  frozen: 'frozen.lyc.test',
  /** Served by the expired-certificate HTTPS server. */
  expired: 'expired.fleet.test',
  /** `/` redirects to `/loop/a`, which redirects to `/loop/b`, and back. */
  loop: 'loop.lyc.test',
  /** A and AAAA; answers a WAF challenge (HTTP 503, 知道创宇加速乐 cookie script) instead of the page. */
  waf: 'waf.lyc.test',
  /** HTTP 200 with an empty body. */
  empty: 'empty.lyc.test',
  /** Redirects (301) to `moved`, another host. */
  moved301: 'old.lyc.test',
  moved: 'new.lyc.test',
  /** Not in the zone: NXDOMAIN. */
  gone: 'gone.lyc.test',
  /** A only; resets every connection on the days `flakyDay` says. */
  flaky: 'flaky.lyc.test',
  /** A and AAAA: a mobile-service back end (an `app` endpoint), same page over both. */
  app6: 'app.aishandong.lyc.test',
  /** A and AAAA, but the IPv6 front end resets every connection. */
  brokenV6: 'brokenv6.lyc.test',
  /** A only: a business system on the extranet. */
  biz: 'biz.lyc.test',
  /** A only: a private-network office system. */
  office: 'oa.lyc.test',
} as const;

/** Days (by index from the first day) on which the flaky host resets: one day in four. */
export const flakyDay = (index: number) => index % 4 === 2;

/** The frozen portal's evidence of age. */
export const FROZEN_LAST_MODIFIED = 'Sat, 01 Mar 2025 02:00:00 GMT';
export const FROZEN_SITEMAP_LASTMOD = '2025-02-20';

export interface CityFleet {
  dnsServers: string;
  dns: TestDnsServer;
  /** PEM of the test CA. */
  ca: string;
  ipv6: boolean;
  httpPort: number;
  expiredPort: number;
  /** `http://name:PORT/path` (or the expired HTTPS server's `https://…`). */
  url(name: string, path?: string): string;
  /** `http://127.0.0.1:PORT/path`: a system reached by address. */
  addressUrl(path: string): string;
  /** Moves the city's calendar: what "today" is for the portals that publish. */
  setDay(day: string, index: number): void;
  /** Requests seen per host (the Host header without port), for the test's own checks. */
  hits: Map<string, number>;
  /**
   * Resolves when the next request for `/hang` has arrived: from then on its probe is waiting for an
   * answer (past DNS, connect and sending), so however long anything else takes, it can only time out.
   */
  nextHang(): Promise<void>;
  close(): Promise<void>;
}

interface CityState {
  day: string;
  index: number;
  httpPort: number;
  hits: Map<string, number>;
  hangWaiters: Array<() => void>;
}

export async function startCityFleet(): Promise<CityFleet> {
  const state: CityState = { day: '1970-01-01', index: 0, httpPort: 0, hits: new Map(), hangWaiters: [] };
  const handler = (req: IncomingMessage, res: ServerResponse) => route(req, res, state);
  const http = await listenDual(() => createHttpServer(handler));
  state.httpPort = http.port;
  const expired = await listenDual(() => createHttpsServer({ key: tlsFile('expired.key'), cert: tlsFile('expired.crt') }, handler), false);
  const loop4 = ['127.0.0.1'];
  const dual = { A: loop4, AAAA: ['::1'] };
  const dns = await startDnsServer({
    zone: {
      'lyc.test': { NS: ['ns1.lyc.test'] },
      'ns1.lyc.test': dual,
      [CITY.dual]: dual,
      [CITY.v4]: { A: loop4 },
      [CITY.error500]: { A: loop4 },
      [CITY.frozen]: { A: loop4 },
      [CITY.expired]: { A: loop4 },
      [CITY.loop]: { A: loop4 },
      [CITY.waf]: dual,
      [CITY.empty]: { A: loop4 },
      [CITY.moved301]: { A: loop4 },
      [CITY.moved]: { A: loop4 },
      [CITY.flaky]: { A: loop4 },
      [CITY.app6]: dual,
      [CITY.brokenV6]: dual,
      [CITY.biz]: { A: loop4 },
      [CITY.office]: { A: loop4 },
    },
  });
  const ipv6 = http.ipv6;
  if (!ipv6) console.warn('city fleet: no IPv6 loopback (::1); IPv6 grades cannot be measured');
  return {
    dnsServers: dns.address,
    dns,
    ca: tlsFile('ca.crt'),
    ipv6,
    httpPort: http.port,
    expiredPort: expired.port,
    url: (name, path = '/') => (name === CITY.expired ? `https://${name}:${expired.port}${path}` : `http://${name}:${http.port}${path}`),
    addressUrl: (path) => `http://127.0.0.1:${http.port}${path}`,
    setDay(day, index) {
      state.day = day;
      state.index = index;
    },
    hits: state.hits,
    nextHang: () => new Promise<void>((resolve) => void state.hangWaiters.push(resolve)),
    async close() {
      await dns.close();
      await expired.close();
      await http.close();
    },
  };
}

function hostOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

function overIpv6(req: IncomingMessage): boolean {
  const local = req.socket.localAddress ?? '';
  return local.includes(':') && !local.startsWith('::ffff:');
}

function send(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}, type = 'text/html; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, 'content-length': 0 });
  res.end();
}

/** A living portal's homepage: today's lead item changes every day, the news links stay. */
function livingHomepage(site: string, index: number): string {
  // Dates are volatile to the content hash (pages print today's date): the issue number is what changes.
  return homepage(
    [1, 2, 3, 4, 5, 6].map((i) => `/news/${i}`),
    `${site} · 今日要闻：政务服务事项办理情况日报第${index + 1}期`,
  );
}

/** 知道创宇加速乐: a 503 whose script sets `__jsl_clearance_s` and reloads; a browser passes, a prober does not. */
export function jslChallengePage(): string {
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><script>document.cookie=('__jsl_clearance_s=1764550000.123|0|'+'cGFzcw%3D%3D')+';max-age=3600;path=/';location.href=location.pathname+location.search</script></body></html>`;
}

function route(req: IncomingMessage, res: ServerResponse, state: CityState): void {
  const url = new URL(req.url ?? '/', 'http://city.invalid');
  const path = url.pathname;
  const host = hostOf(req);
  state.hits.set(host, (state.hits.get(host) ?? 0) + 1);
  let m: RegExpExecArray | null;

  // Systems reached by address.
  if (host === '127.0.0.1' || host === '[::1]') {
    if (path === '/hang') {
      // Never answers; the connection stays open until the probe gives up.
      for (const resolve of state.hangWaiters.splice(0)) resolve();
      return;
    }
    if (path === '/extranet/') return send(res, 200, page('临沂市社会救助业务系统', '<form><input name="user"><input name="password" type="password"></form><p>请登录（电子政务外网）</p>'));
    return send(res, 404, page('404', '<p>页面不存在</p>'));
  }

  switch (host) {
    case CITY.error500:
      return send(res, 500, page('500 Internal Server Error', '<p>服务器内部错误</p>'));
    case CITY.loop:
      if (path === '/loop/a') return redirect(res, '/loop/b');
      if (path === '/loop/b') return redirect(res, '/loop/a', 301);
      return redirect(res, '/loop/a');
    case CITY.waf:
      return send(res, 503, jslChallengePage(), { 'set-cookie': '__jsluid_h=0f1e2d3c4b5a69788796a5b4c3d2e1f0; max-age=31536000; path=/; HttpOnly', server: 'jsl' });
    case CITY.empty:
      return send(res, 200, '');
    case CITY.moved301:
      return redirect(res, `http://${CITY.moved}:${state.httpPort}${path}`, 301);
    case CITY.flaky:
      if (flakyDay(state.index)) return void req.socket.resetAndDestroy();
      break;
    case CITY.brokenV6:
      if (overIpv6(req)) return void req.socket.resetAndDestroy();
      break;
    case CITY.frozen:
      if (path === '/') {
        return send(res, 200, homepage([1, 2, 3].map((i) => `/news/${i}`), '兰陵县人民政府门户网站（旧版）'), { 'last-modified': FROZEN_LAST_MODIFIED });
      }
      if (path === '/robots.txt') return send(res, 200, `User-agent: *\nSitemap: http://${host}:${state.httpPort}/sitemap.xml\n`, {}, 'text/plain');
      if (path === '/sitemap.xml') {
        return send(
          res,
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n` +
            `  <url><loc>http://${host}:${state.httpPort}/news/1</loc><lastmod>${FROZEN_SITEMAP_LASTMOD}</lastmod></url>\n` +
            `  <url><loc>http://${host}:${state.httpPort}/news/2</loc><lastmod>2024-11-05</lastmod></url>\n</urlset>`,
          {},
          'application/xml',
        );
      }
      break;
    default:
      break;
  }

  if (path === '/') return send(res, 200, livingHomepage(host, state.index));
  if ((m = /^\/news\/(\d+)$/.exec(path))) {
    const i = Number(m[1]);
    return send(res, 200, newsPage(i, [1, 2, 3].map((j) => `/news/${i}/detail/${j}`)));
  }
  if ((m = /^\/news\/(\d+)\/detail\/(\d+)$/.exec(path))) return send(res, 200, detailPage(Number(m[1]), Number(m[2])));
  return send(res, 404, page('404', '<p>页面不存在</p>'));
}
