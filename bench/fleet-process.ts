/**
 * A loopback fleet for the sweep benchmark, run in its own process so it does not share the prober's
 * event loop: HTTP servers on 127.0.1.1 … 127.0.1.N (all loopback), each answering `/ok/…` with a small
 * page and leaving `/hang/…` unanswered. Prints `{"hosts":[{"ip","port"}]}` once listening; exits
 * when its stdin closes.
 */
import { createServer, type Server } from 'node:http';

const HOSTS = Number(process.argv[2] ?? 20);
const page = `<!doctype html><html><head><meta charset="utf-8"><title>临沂市某局门户网站</title></head><body>${'<p>政务公开 通知公告 政策文件</p>'.repeat(40)}</body></html>`;

const servers: Server[] = [];
const hosts: Array<{ ip: string; port: number }> = [];
for (let i = 1; i <= HOSTS; i++) {
  const ip = `127.0.1.${i}`;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/hang/')) return; // never answers; the prober's timeout ends it
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
    res.end(page);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, ip, 4096, r));
  servers.push(server);
  hosts.push({ ip, port: (server.address() as { port: number }).port });
}
process.stdout.write(`${JSON.stringify({ hosts })}\n`);
const stop = () => {
  for (const s of servers) s.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
// The benchmark holds our stdin open: when it exits, however it exits, so do we.
process.stdin.on('end', stop).resume();
