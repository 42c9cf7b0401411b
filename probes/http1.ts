import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { HTTPParser } from 'http-parser-js';

/**
 * One HTTP/1.1 request on a connection of its own, already opened (and policy-checked) by connect.ts,
 * the response read with http-parser-js. The probes open a connection per request and read one
 * response: node:http's client machinery (an OutgoingMessage, an IncomingMessage and their streams per
 * request) cost a sweep more than twice the CPU of the socket work itself (`bench/sweep-fleet.ts`).
 * Node's own rules are kept where a probe can see them: the 16 KiB header cap, 1xx responses skipped,
 * no body for HEAD, 204 and 304, header fields folded into node's IncomingHttpHeaders shape.
 */

export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** Informational (1xx) responses skipped before the final one; more is a protocol error. */
const MAX_INFORMATIONAL = 8;

export interface Http1Request {
  method: 'GET' | 'HEAD';
  /** Path and query, as in the request line. */
  path: string;
  /** Request headers, `host` among them; names are matched without regard to case. */
  headers: Record<string, string>;
  /** Bytes of response headers (default 16 KiB, node's). */
  maxHeaderBytes?: number;
}

export interface Http1Head {
  statusCode: number;
  headers: IncomingHttpHeaders;
}

/** Errors carry a code, as node's do, for the probes' classification (`protocol_error` unless it says otherwise). */
export class Http1Error extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The request head, or a thrown error for a header no server may receive (a CR or LF in a value). */
export function requestHead(request: Http1Request): string {
  // Names are case-insensitive: a caller's `Authorization` replaces a default `authorization`, as with setHeader.
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    fields.set(name.toLowerCase(), value);
  }
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  return `${head}connection: close\r\n\r\n`;
}

/** Fields node keeps once (the first wins); `set-cookie` is a list; others are joined with ", ". */
const SINGLE = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after',
  'server', 'user-agent',
]);

/** Name/value pairs as the parser gives them, folded the way node's IncomingMessage folds them. */
export function foldHeaders(raw: readonly string[]): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const prev = out[name];
    if (name === 'set-cookie') {
      if (prev === undefined) out[name] = [value];
      else (prev as string[]).push(value);
    } else if (prev === undefined) out[name] = value;
    else if (!SINGLE.has(name)) out[name] = `${prev as string}, ${value}`;
  }
  return out as IncomingHttpHeaders;
}

export interface Http1Handlers {
  /** The final response's status line and headers. */
  head(head: Http1Head): void;
  /** A piece of the body (as received, still content-encoded); the slice is the socket's, keep it or copy it. */
  body(chunk: Buffer): void;
  /** The whole response was read. */
  end(): void;
  /** The exchange failed: the connection broke, or the peer does not speak HTTP/1.x. */
  error(err: Error): void;
}

/**
 * Writes the request on `socket` and feeds what comes back to `on`, which hears exactly one of `end`
 * and `error`, after at most one `head`. The caller owns the socket: it destroys it when it has heard
 * enough (a body past its cap, a finished probe).
 */
export function sendRequest(socket: Socket, request: Http1Request, on: Http1Handlers): void {
  const maxHeaderBytes = request.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const parser = new HTTPParser(HTTPParser.RESPONSE);
  let settled = false;
  let informational = 0;
  let skipped = false;
  const fail = (err: Error) => {
    if (settled) return;
    settled = true;
    on.error(err);
  };
  // http-parser-js calls this with one info object, or (in another module's compatibility mode) with its fields.
  parser[HTTPParser.kOnHeadersComplete] = ((...args: unknown[]) => {
    const info = (typeof args[0] === 'object' ? args[0] : { headers: args[2], statusCode: args[5] }) as { headers: string[]; statusCode: number };
    let bytes = 0;
    for (const field of info.headers) bytes += field.length + 2;
    if (bytes > maxHeaderBytes) throw new Http1Error(`response headers exceed ${maxHeaderBytes} bytes`, 'HPE_HEADER_OVERFLOW');
    checkContentLength(info.headers);
    if (info.statusCode >= 100 && info.statusCode < 200 && info.statusCode !== 101) {
      if (++informational > MAX_INFORMATIONAL) throw new Http1Error(`more than ${MAX_INFORMATIONAL} informational responses`, 'HPE_INVALID_CONSTANT');
      skipped = true;
      return 1;
    }
    if (info.statusCode === 101) throw new Http1Error('the server switched protocols (HTTP 101)', 'HPE_INVALID_CONSTANT');
    skipped = false;
    settled || on.head({ statusCode: info.statusCode, headers: foldHeaders(info.headers) });
    // No body follows the head of a HEAD request, a 204 or a 304, whatever Content-Length says (a 304
    // often carries the length of the page it stands for).
    return request.method === 'HEAD' || info.statusCode === 204 || info.statusCode === 304 ? 1 : 0;
  }) as never;
  parser[HTTPParser.kOnBody] = ((chunk: Buffer) => {
    if (!settled) on.body(chunk);
  }) as never;
  parser[HTTPParser.kOnMessageComplete] = (() => {
    if (skipped) return; // a 1xx response: the final one follows on the same connection
    if (settled) return;
    settled = true;
    on.end();
  }) as never;

  (parser as unknown as ChunkedStates).BODY_CHUNKHEAD = strictChunkHead;

  socket.on('data', (chunk: Buffer) => {
    if (settled) return;
    let used: number | Error;
    try {
      used = parser.execute(chunk);
    } catch (err) {
      // What our own callbacks throw (a header cap, a bad Content-Length) comes out of execute().
      used = err instanceof Error ? err : new Error(String(err));
    }
    if (used instanceof Error) fail(asParseError(used));
  });
  socket.on('end', () => {
    if (settled) return;
    // Close-delimited bodies end here (finish() completes them); anything else ended too soon, as
    // finish() says with an error for a head or body cut short.
    parser.finish();
    if (!settled) fail(cutShort());
  });
  socket.on('error', fail);
  socket.on('close', () => settled || fail(cutShort()));
  let head: string;
  try {
    head = requestHead(request);
  } catch (err) {
    return fail(err as Error);
  }
  socket.write(head, 'latin1'); // header bytes are latin1 in HTTP/1.1, as node writes them
}

const cutShort = () => new Http1Error('connection closed before the response ended', 'ECONNRESET');

/** The parser's state for a chunk's size line, and the size it read. */
interface ChunkedStates {
  BODY_CHUNKHEAD: () => void;
  body_bytes: number | null;
}
const readChunkSize = (HTTPParser.prototype as unknown as ChunkedStates).BODY_CHUNKHEAD;

/**
 * A chunk size that is not hexadecimal ends the body with a parse error, as in browsers and node (the
 * parser would read it as the last chunk: a truncated page passed off as whole).
 */
function strictChunkHead(this: ChunkedStates): void {
  readChunkSize.call(this);
  const size = this.body_bytes;
  if (size !== null && (Number.isNaN(size) || size < 0)) throw new Http1Error('invalid chunk size', 'HPE_INVALID_CHUNK_SIZE');
}

/** Content-Length must be one valid number (the parser itself takes any value `+text` gives): else a protocol error. */
function checkContentLength(raw: readonly string[]): void {
  let length: number | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length !== 14 || raw[i]!.toLowerCase() !== 'content-length') continue;
    const text = raw[i + 1]!.trim();
    if (!/^\d{1,15}$/.test(text)) throw new Http1Error(`invalid Content-Length: ${text.slice(0, 40)}`, 'HPE_INVALID_CONTENT_LENGTH');
    const value = Number(text);
    if (length !== undefined && length !== value) throw new Http1Error('conflicting Content-Length headers', 'HPE_UNEXPECTED_CONTENT_LENGTH');
    length = value;
  }
}

/** The parser's own errors ("Parse Error", "max header size exceeded", …) keep their code or get one. */
function asParseError(err: Error): Error {
  if (err instanceof Http1Error) return err;
  const code = (err as { code?: unknown }).code;
  return new Http1Error(`invalid HTTP response: ${err.message}`, typeof code === 'string' ? code : 'HPE_INVALID_CONSTANT');
}
