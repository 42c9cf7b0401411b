import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startBlackhole, type Blackhole } from './fleet-blackhole.js';
import { encodeGbk } from './fleet-gbk.js';
import { WAF_FIXTURES } from './fleet-waf.js';
import {
  detailPage,
  homepage,
  maintenancePage,
  METRICS_TEXT,
  newsPage,
  page,
  sitemapIndex,
  sitemapNews,
  sitemapPages,
} from './fleet-pages.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

/**
 * The probe fleet: real HTTP and HTTPS servers on 127.0.0.1 and ::1, a test DNS server that names them,
 * and misbehaving members for every failure a probe must report. Names resolve only through `dnsServers`.
 *
 * Paths on every HTTP(S) server: `/` (portal homepage; per host, see FLEET), `/news/N`, `/news/N/detail/M`,
 * `/healthy`, `/volatile`, `/slow` (300 ms), `/status/404`, `/status/500`, `/hang`, `/reset`, `/drip`
 * (a byte a second), `/endless`, `/big` (declares 3 MiB), `/loop/a`, `/chain/N` (N redirects),
 * `/redirect?to=URL`, `/waf/NAME` (challenge pages, fleet-waf.ts), `/gbk`, `/gbk-header`, `/gzip`, `/image.png`, `/robots.txt`, `/sitemap.xml` (an
 * index of `/sitemap-news.xml` and the gzipped `/sitemap-pages.xml`), `/stats.json`, `/metrics`,
 * `/echo-headers`. Other servers: `expired`, `selfSigned` (TLS), `garbage` (not HTTP), `blackhole` (never
 * completes a TCP handshake), `refused` (closed port).
 */

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const tlsFile = (name: string) => readFileSync(`${TLS_DIR}${name}`, 'utf8');

/** Names in the fleet's zone. */
export const FLEET = {
  /** Zone apex with NS records; ns1 has AAAA, ns2 does not. */
  apex: 'fleet.test',
  /** A and AAAA, same content over both: an IPv6-ready portal. */
  dual: 'dual.fleet.test',
  /** A and AAAA, a different page over IPv6. */
  diff: 'diff.fleet.test',
  /** A and AAAA, but the IPv6 front end resets every connection. */
  brokenV6: 'brokenv6.fleet.test',
  /** A and AAAA; some of its links point at the IPv4-only host. */
  links: 'links.fleet.test',
  /** A only. */
  v4: 'v4.fleet.test',
  /** AAAA only. */
  v6: 'v6.fleet.test',
  /** A only, served by the expired-certificate server. */
  expired: 'expired.fleet.test',
  /** A only, served by the self-signed server. */
  selfSigned: 'self.fleet.test',
  /** A only; the leaf certificate does not cover this name. */
  mismatch: 'mismatch.other.test',
  /** A 169.254.169.254: the cloud metadata address. */
  metadata: 'meta.fleet.test',
  /** AAAA ::ffff:169.254.169.254: metadata behind IPv4-mapped IPv6. */
  mappedMetadata: 'mapped.fleet.test',
  /** Name exists, no A or AAAA. */
  nodata: 'nodata.fleet.test',
  /** Never answered by the DNS server. */
  dnsTimeout: 'timeout.fleet.test',
  /** Answered with SERVFAIL. */
  servfail: 'servfail.fleet.test',
  /** Not in the zone. */
  nxdomain: 'missing.fleet.test',
  /** Resolves to 127.0.0.1 on the first A query and to 169.254.169.254 afterwards. */
  rebind: 'rebind.fleet.test',
  /** Two A records: 127.0.0.2 (nothing listens there) first, then 127.0.0.1. */
  multi: 'multi.fleet.test',
  /** Two A records: the metadata address and 127.0.0.1. */
  mixed: 'mixed.fleet.test',
  /** A domain with NS records whose servers have no AAAA. */
  legacy: 'www.legacy.test',
} as const;

export type FleetServer = 'http' | 'https' | 'expired' | 'selfSigned' | 'garbage' | 'blackhole' | 'refused';

export interface Fleet {
  /** `127.0.0.1:PORT` of the DNS server: what the service passes as `PROBE_DNS_SERVERS`. */
  dnsServers: string;
  dns: TestDnsServer;
  /** PEM of the test CA that signed the valid and the expired leaf. */
  ca: string;
  /** Whether ::1 listeners are up; IPv6 tests skip without them. */
  ipv6: boolean;
  ports: Record<FleetServer, number>;
  /** `scheme://name:port/path` on one of the fleet's servers. */
  url(name: string, path?: string, server?: FleetServer): string;
  /** Emits `request` with the path of every request a web server of the fleet received, before it answers. */
  /** `request` as each request arrives (its path); `drip` as /drip sends each byte after its headers. */
  events: EventEmitter<FleetEvents>;
  close(): Promise<void>;
}

type FleetEvents = { request: [path: string]; drip: [] };

interface FleetState {
  httpPort: number;
  drips: Set<NodeJS.Timeout>;
  events: EventEmitter<FleetEvents>;
}

export async function startFleet(): Promise<Fleet> {
  const events = new EventEmitter<FleetEvents>();
  const state: FleetState = { httpPort: 0, drips: new Set(), events };
  const closers: Array<() => Promise<void>> = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    events.emit('request', new URL(req.url ?? '/', 'http://fleet.invalid').pathname);
    route(req, res, state);
  };

  const http = await listenDual(() => createHttpServer(handler));
  state.httpPort = http.port;
  closers.push(http.close);
  const leaf = { key: tlsFile('leaf.key'), cert: tlsFile('leaf.crt') };
  const https = await listenDual(() => createHttpsServer(leaf, handler));
  closers.push(https.close);
  const expired = await listenDual(
    () => createHttpsServer({ key: tlsFile('expired.key'), cert: tlsFile('expired.crt') }, handler),
    false,
  );
  closers.push(expired.close);
  const selfSigned = await listenDual(
    () => createHttpsServer({ key: tlsFile('self-signed.key'), cert: tlsFile('self-signed.crt') }, handler),
    false,
  );
  closers.push(selfSigned.close);
  const garbage = await startGarbageServer();
  closers.push(garbage.close);
  const blackhole: Blackhole = await startBlackhole();
  closers.push(blackhole.close);
  const refused = await unusedPort();

  const ipv6 = http.ipv6 && https.ipv6;
  const dns = await startDnsServer(fleetZone());
  closers.push(dns.close);

  const ports: Record<FleetServer, number> = {
    http: http.port,
    https: https.port,
    expired: expired.port,
    selfSigned: selfSigned.port,
    garbage: garbage.port,
    blackhole: blackhole.port,
    refused,
  };
  return {
    dnsServers: dns.address,
    dns,
    events,
    ca: tlsFile('ca.crt'),
    ipv6,
    ports,
    url(name, path = '/', server = 'http') {
      const scheme = server === 'https' || server === 'expired' || server === 'selfSigned' ? 'https' : 'http';
      return `${scheme}://${name}:${ports[server]}${path}`;
    },
    async close() {
      for (const timer of state.drips) clearInterval(timer);
      for (const close of closers.reverse()) await close();
    },
  };
}

function fleetZone() {
  const loop4 = ['127.0.0.1'];
  const loop6 = ['::1'];
  const dual = { A: loop4, AAAA: loop6 };
  let rebindQueries = 0;
  return {
    zone: {
      [FLEET.apex]: { NS: ['ns1.fleet.test', 'ns2.fleet.test'] },
      'ns1.fleet.test': dual,
      'ns2.fleet.test': { A: loop4 },
      [FLEET.dual]: dual,
      [FLEET.diff]: dual,
      [FLEET.brokenV6]: dual,
      [FLEET.links]: dual,
      [FLEET.v4]: { A: loop4 },
      [FLEET.v6]: { AAAA: loop6 },
      [FLEET.expired]: { A: loop4 },
      [FLEET.selfSigned]: { A: loop4 },
      [FLEET.mismatch]: { A: loop4 },
      [FLEET.metadata]: { A: ['169.254.169.254'] },
      [FLEET.mappedMetadata]: { AAAA: ['::ffff:169.254.169.254'] },
      [FLEET.nodata]: { NS: ['ns1.fleet.test'] },
      [FLEET.rebind]: { A: () => (rebindQueries++ === 0 ? loop4 : ['169.254.169.254']) },
      [FLEET.multi]: { A: ['127.0.0.2', '127.0.0.1'] },
      [FLEET.mixed]: { A: ['169.254.169.254', '127.0.0.1'] },
      'legacy.test': { NS: ['ns.legacy.test'] },
      'ns.legacy.test': { A: loop4 },
      [FLEET.legacy]: dual,
    },
    silent: [FLEET.dnsTimeout],
    servfail: [FLEET.servfail],
  };
}

// ---------------------------------------------------------------------------------------------------
// Listeners

export interface Listening {
  port: number;
  ipv6: boolean;
  close(): Promise<void>;
}

/**
 * The same handler on 127.0.0.1:P and, when the machine has IPv6 loopback, [::1]:P with the same P, so a
 * dual-stack name reaches one port over either family.
 */
export async function listenDual(make: () => NetServer, withIpv6 = true): Promise<Listening> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const v4 = make();
    const port = await listen(v4, 0, '127.0.0.1');
    if (!withIpv6) return { port, ipv6: false, close: () => closeServer(v4) };
    const v6 = make();
    try {
      await listen(v6, port, '::1');
      return { port, ipv6: true, close: async () => void (await Promise.all([closeServer(v4), closeServer(v6)])) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        await closeServer(v4);
        continue;
      }
      console.warn(`fleet: no IPv6 loopback (${code ?? String(err)}); IPv6 members are skipped`);
      return { port, ipv6: false, close: () => closeServer(v4) };
    }
  }
  throw new Error('fleet: could not find a port free on both 127.0.0.1 and ::1');
}

export function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: NetServer): Promise<void> {
  const http = server as Server;
  if (typeof http.closeAllConnections === 'function') http.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Answers every connection with an SSH banner: not HTTP. */
async function startGarbageServer(): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n');
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    port,
    ipv6: false,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export async function unusedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server, 0, '127.0.0.1');
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------------
// Routes

function hostOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

function overIpv6(req: IncomingMessage): boolean {
  return (req.socket.localAddress ?? '').includes(':') && !(req.socket.localAddress ?? '').startsWith('::ffff:');
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/html; charset=utf-8', extra: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, 'content-length': 0 });
  res.end();
}

function route(req: IncomingMessage, res: ServerResponse, state: FleetState): void {
  const url = new URL(req.url ?? '/', 'http://fleet.invalid');
  const path = url.pathname;
  const host = hostOf(req);
  const v4Base = `http://${FLEET.v4}:${state.httpPort}`;
  let m: RegExpExecArray | null;

  if (path === '/') return sendHomepage(req, res, host, v4Base);
  if ((m = /^\/news\/(\d+)$/.exec(path))) {
    const i = Number(m[1]);
    const links = [1, 2, 3, 4].map((j) => `/news/${i}/detail/${j}`);
    if (host === FLEET.links) links.push(`${v4Base}/news/${i}/detail/5`);
    return send(res, 200, newsPage(i, links));
  }
  if ((m = /^\/chain\/(\d+)$/.exec(path))) {
    const left = Number(m[1]);
    return left > 0 ? redirect(res, `/chain/${left - 1}`, 307) : send(res, 200, page('终点', '<p>重定向链的终点</p>'));
  }
  if ((m = /^\/news\/(\d+)\/detail\/(\d+)$/.exec(path))) return send(res, 200, detailPage(Number(m[1]), Number(m[2])));
  if ((m = /^\/waf\/(\w+)$/.exec(path)) && WAF_FIXTURES[m[1]!]) {
    const f = WAF_FIXTURES[m[1]!]!;
    return send(res, f.status, f.body, 'text/html; charset=utf-8', { 'last-modified': 'Wed, 21 Oct 2026 07:28:00 GMT', ...f.headers });
  }

  switch (path) {
    case '/healthy':
    case '/volatile':
      return send(res, 200, page('健康检查', '<p>服务正常。</p>'), 'text/html; charset=utf-8', { 'last-modified': 'Wed, 21 Oct 2026 07:28:00 GMT' });
    case '/slow':
      return void setTimeout(() => send(res, 200, page('慢', '<p>慢慢来。</p>')), 300);
    case '/status/404':
      return send(res, 404, page('404', '<p>页面不存在</p>'));
    case '/status/500':
      return send(res, 500, page('500', '<p>服务器错误</p>'));
    case '/hang':
      return;
    case '/reset':
      return void req.socket.resetAndDestroy();
    case '/drip':
      return drip(res, state);
    case '/endless':
      return endless(res);
    case '/big':
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': 3 * 1024 * 1024 });
      return void res.write('<html>');
    case '/loop/a':
      return redirect(res, '/loop/b');
    case '/loop/b':
      return redirect(res, '/loop/a', 301);
    case '/redirect':
      return redirect(res, url.searchParams.get('to') ?? '/');
    case '/gbk':
      return send(
        res,
        200,
        encodeGbk(
          '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">' +
            '<title>临沂市人民政府 政务公开</title></head><body><p>欢迎访问</p></body></html>',
        ),
        'text/html',
      );
    case '/gbk-header':
      return send(res, 200, encodeGbk('<html><head><title>兰山区人民政府</title></head><body>你好</body></html>'), 'text/html; charset=GBK');
    case '/gzip':
      return send(res, 200, gzipSync(Buffer.from(page('压缩页面', '<p>gzip</p>'))), 'text/html; charset=utf-8', { 'content-encoding': 'gzip' });
    case '/image.png':
      return send(res, 200, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]), 'image/png');
    case '/robots.txt':
      return send(res, 200, `User-agent: *\nDisallow:\nSitemap: http://${host}:${state.httpPort}/sitemap.xml\n`, 'text/plain');
    case '/sitemap.xml':
      return send(res, 200, sitemapIndex(`http://${host}:${state.httpPort}`), 'application/xml');
    case '/sitemap-news.xml':
      return send(res, 200, sitemapNews(`http://${host}:${state.httpPort}`), 'application/xml');
    case '/sitemap-pages.xml':
      return send(res, 200, gzipSync(sitemapPages(`http://${host}:${state.httpPort}`)), 'application/x-gzip');
    case '/stats.json':
      return send(res, 200, JSON.stringify({ data: { 'visits/day': 1234, users: [{ active: '57' }], label: '访问量' } }), 'application/json');
    case '/echo-headers':
      return send(res, 200, JSON.stringify(req.headers), 'application/json');
    case '/metrics':
      return send(res, 200, METRICS_TEXT, 'text/plain; version=0.0.4');
    default:
      return send(res, 404, page('404', '<p>页面不存在</p>'));
  }
}

function sendHomepage(req: IncomingMessage, res: ServerResponse, host: string, v4Base: string): void {
  const v6 = overIpv6(req);
  if (host === FLEET.brokenV6 && v6) return void req.socket.resetAndDestroy();
  if (host === FLEET.diff && v6) return send(res, 200, maintenancePage());
  const links = [1, 2, 3, 4, 5, 6].map((i) => `/news/${i}`);
  if (host === FLEET.links) {
    links.push('/news/7', '/news/8', `${v4Base}/news/9`, `${v4Base}/news/10`);
  }
  send(res, 200, homepage(links));
}

/** Headers at once, then one byte a second: only a whole-request timeout catches it. */
function drip(res: ServerResponse, state: FleetState): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.write('<');
  const timer = setInterval(() => {
    res.write('x');
    state.events.emit('drip');
  }, 1000);
  state.drips.add(timer);
  res.on('close', () => {
    clearInterval(timer);
    state.drips.delete(timer);
  });
}

/** A body that never ends, as fast as the client reads. */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let open = true;
  res.on('close', () => {
    open = false;
  });
  const pump = () => {
    while (open && res.write(chunk)) {
      /* keep writing until the socket pushes back */
    }
    if (open) res.once('drain', pump);
  };
  pump();
}
