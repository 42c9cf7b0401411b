/**
 * A body over the limit: 413, and the response headers tell the truth about the connection. The server
 * says `Connection: close` and then closes the socket; a client that believed keep-alive would otherwise
 * send its next request into a dead connection. Raw sockets on loopback against the real Node server.
 */
import { serve } from '@hono/node-server';
import { connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_BODY } from '../../src/app.js';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';

describe.each(backends)('413 on %s', (backend) => {
  let t: TestApp;
  let server: ReturnType<typeof serve>;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp(backend);
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await t?.close();
  });

  /** Sends the head and as much of the body as the server takes; resolves with what came back and whether the socket closed. */
  async function oversized(path: string, contentType: string, auth: boolean) {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const size = MAX_JSON_BODY * 2;
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n${auth ? `Authorization: Bearer ${ADMIN}\r\n` : ''}` +
        `Content-Type: ${contentType}\r\nContent-Length: ${size}\r\n\r\n`,
    );
    socket.on('error', () => {});
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    const closed = once(socket, 'close');
    const head = new Promise<void>((resolve) => {
      const check = () => (data.includes('\r\n\r\n') ? resolve() : socket.once('data', check));
      check();
    });
    await head;
    await closed;
    const [statusLine, ...lines] = data.slice(0, data.indexOf('\r\n\r\n')).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    return { statusLine, headers };
  }

  it.each([
    ['/api/v1/departments', 'application/json', true],
    ['/login', 'application/x-www-form-urlencoded', false],
  ] as const)('%s: 413 says Connection: close and the socket closes', async (path, type, auth) => {
    const r = await oversized(path, type, auth);
    expect(r.statusLine).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.headers.connection).toBe('close');
    expect(r.headers['keep-alive']).toBeUndefined();
  });
});
