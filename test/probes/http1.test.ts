import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeLiveness } from '../../probes/liveness.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { createProbeResolver } from '../../probes/dns.js';

/**
 * The probes' HTTP/1.1 exchange (probes/http1.ts) against a TCP server on loopback that answers each
 * path with bytes written by hand: what node's client would have made of them, kept.
 */
const RESPONSES: Record<string, string | string[]> = {
  '/chunked': 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n7\r\n<title>\r\n4;ext=1\r\nabcd\r\n8\r\n</title>\r\n0\r\n\r\n',
  '/bad-chunk': 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n7\r\n<title>\r\nzz\r\nabcd\r\n0\r\n\r\n',
  '/bad-length': 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 12abc\r\n\r\n<title>x</title>',
  '/two-lengths': 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd',
  '/informational': ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n', 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 20\r\n\r\n<title>final</title>'],
  '/close-delimited': 'HTTP/1.0 200 OK\r\ncontent-type: text/html\r\n\r\n<title>till close</title>',
  '/short': 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 100\r\n\r\n<title>cut</title>',
  '/no-head': '',
  '/switch': 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n',
  '/folded': 'HTTP/1.1 403 Forbidden\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nServer: first\r\nServer: second\r\nVary: a\r\nvary: b\r\ncontent-length: 0\r\n\r\n',
  '/big-head': `HTTP/1.1 200 OK\r\nx-filler: ${'a'.repeat(20 * 1024)}\r\ncontent-length: 0\r\n\r\n`,
  '/not-modified': 'HTTP/1.1 304 Not Modified\r\ncontent-length: 5000\r\n\r\n',
  '/no-content': 'HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n',
  '/head': 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 5000\r\n\r\n',
};

/** Answered without closing: a probe that waited for a body here would hang until its timeout. */
const KEEP_OPEN = new Set(['/not-modified', '/no-content']);

let server: Server;
let base = '';
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((socket: Socket) => {
    let seen = '';
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      requests.push(seen);
      const path = seen.split(' ')[1]!;
      const parts = RESPONSES[path] ?? 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n';
      const list = Array.isArray(parts) ? parts : [parts];
      // Pieces go out one after another: the informational responses arrive before the final one.
      const send = (i: number) => {
        if (i === list.length) return void (KEEP_OPEN.has(path) || socket.end());
        socket.write(list[i]!, 'latin1', () => setImmediate(() => send(i + 1)));
      };
      send(0);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const options = () => ({
  resolver: createProbeResolver({ servers: undefined }),
  policy: createTargetPolicy({ allow: '127.0.0.0/8' }),
  timeoutMs: 10_000,
});

describe('the probes’ HTTP/1.1 exchange', () => {
  it('reads a chunked body, chunk extensions included', async () => {
    const r = await probeLiveness(`${base}/chunked`, options());
    expect(r).toMatchObject({ outcome: 'ok', status: 200, title: 'abcd', bodyBytes: 19 });
  });

  it('fails a chunk size that is not a number instead of passing off a cut page', async () => {
    const r = await probeLiveness(`${base}/bad-chunk`, options());
    expect(r.outcome).toBe('protocol_error');
    expect(r.error).toMatch(/HPE_INVALID_CHUNK_SIZE/);
  });

  it('fails an invalid or conflicting Content-Length', async () => {
    const bad = await probeLiveness(`${base}/bad-length`, options());
    expect(bad.outcome).toBe('protocol_error');
    expect(bad.error).toMatch(/HPE_INVALID_CONTENT_LENGTH/);
    const two = await probeLiveness(`${base}/two-lengths`, options());
    expect(two.outcome).toBe('protocol_error');
  });

  it('skips 1xx responses and reads the final one', async () => {
    const r = await probeLiveness(`${base}/informational`, options());
    expect(r).toMatchObject({ outcome: 'ok', status: 200, title: 'final' });
  });

  it('reads a body that ends with the connection (HTTP/1.0, no length)', async () => {
    const r = await probeLiveness(`${base}/close-delimited`, options());
    expect(r).toMatchObject({ outcome: 'ok', status: 200, title: 'till close' });
  });

  it('reports connection_reset for a body cut short and for a connection closed before any answer', async () => {
    expect((await probeLiveness(`${base}/short`, options())).outcome).toBe('connection_reset');
    expect((await probeLiveness(`${base}/no-head`, options())).outcome).toBe('connection_reset');
  });

  it('reports protocol_error for a switch of protocols', async () => {
    expect((await probeLiveness(`${base}/switch`, options())).outcome).toBe('protocol_error');
  });

  it('folds header fields as node does: set-cookie a list, Server the first, others joined', async () => {
    const { foldHeaders } = await import('../../probes/http1.js');
    expect(foldHeaders(['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Server', 'first', 'Server', 'second', 'Vary', 'a', 'vary', 'b'])).toEqual({
      'set-cookie': ['a=1', 'b=2'],
      server: 'first',
      vary: 'a, b',
    });
    const r = await probeLiveness(`${base}/folded`, options());
    expect(r).toMatchObject({ outcome: 'http_error', status: 403 });
  });

  it('refuses response headers over the cap (16 KiB unless asked)', async () => {
    const r = await probeLiveness(`${base}/big-head`, options());
    expect(r.outcome).toBe('protocol_error');
    expect(r.error).toMatch(/HPE_HEADER_OVERFLOW/);
    const roomy = await probeLiveness(`${base}/big-head`, { ...options(), agentOptions: { maxHeaderSize: 64 * 1024 } });
    expect(roomy.outcome).toBe('ok');
  });

  it('reads no body after the head of a HEAD request, whatever Content-Length says', async () => {
    const r = await probeLiveness(`${base}/head`, { ...options(), method: 'HEAD' });
    expect(r).toMatchObject({ outcome: 'ok', status: 200, bodyBytes: 0 });
  });

  it('reads no body after a 204 or a 304, whatever Content-Length says (the server keeps the connection open)', async () => {
    expect(await probeLiveness(`${base}/not-modified`, options())).toMatchObject({ outcome: 'ok', status: 304, bodyBytes: 0 });
    expect(await probeLiveness(`${base}/no-content`, options())).toMatchObject({ outcome: 'ok', status: 204, bodyBytes: 0 });
  });

  it('sends one field per name (a caller’s header replaces the default of the same name) and asks to close', async () => {
    requests.length = 0;
    await probeLiveness(`${base}/chunked`, { ...options(), headers: { 'User-Agent': 'custom/1', authorization: 'Bearer t' } });
    const sent = requests[0]!.toLowerCase();
    expect(sent.match(/user-agent:/g)).toHaveLength(1);
    expect(sent).toContain('user-agent: custom/1\r\n');
    expect(sent).toContain('authorization: bearer t\r\n');
    expect(sent).toContain('connection: close\r\n');
    expect(sent.startsWith('get /chunked http/1.1\r\n')).toBe(true);
  });

  it('refuses a header value with a line break instead of sending it', async () => {
    const r = await probeLiveness(`${base}/chunked`, { ...options(), headers: { authorization: 'a\r\nx-injected: 1' } });
    expect(r.outcome).toBe('protocol_error');
  });
});
