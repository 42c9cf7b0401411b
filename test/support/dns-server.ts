import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { parseAddress } from '../../probes/policy.js';

/**
 * A small authoritative DNS server over UDP for tests: A, AAAA and NS from a zone map, NXDOMAIN for
 * unknown names, NODATA for a known name without the asked type, SERVFAIL on request, and names it never
 * answers (to make resolvers time out). Packets are encoded by hand (RFC 1035).
 */

type Records = ReadonlyArray<string> | (() => ReadonlyArray<string>);

export interface ZoneEntry {
  A?: Records;
  AAAA?: Records;
  NS?: Records;
}

export interface DnsServerOptions {
  zone: Record<string, ZoneEntry>;
  /** Names never answered. */
  silent?: ReadonlyArray<string>;
  /** Names answered with SERVFAIL. */
  servfail?: ReadonlyArray<string>;
  /** Listen address (default 127.0.0.1; `::1` for IPv6 loopback). */
  host?: '127.0.0.1' | '::1';
}

export interface TestDnsServer {
  /** `127.0.0.1:PORT` or `[::1]:PORT`, the form `PROBE_DNS_SERVERS` takes. */
  address: string;
  port: number;
  /** Queries seen, as `TYPE name`. */
  queries: string[];
  setRecords(name: string, entry: ZoneEntry): void;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_NS = 2;
const TYPE_AAAA = 28;
const TYPE_NAMES: Record<number, string> = { [TYPE_A]: 'A', [TYPE_NS]: 'NS', [TYPE_AAAA]: 'AAAA' };

const RCODE_NOERROR = 0;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;

interface Question {
  id: number;
  flags: number;
  name: string;
  type: number;
  klass: number;
  /** The raw question section, echoed in the answer. */
  raw: Buffer;
}

export async function startDnsServer(options: DnsServerOptions): Promise<TestDnsServer> {
  const zone = new Map<string, ZoneEntry>();
  for (const [name, entry] of Object.entries(options.zone)) zone.set(canonical(name), entry);
  const silent = new Set((options.silent ?? []).map(canonical));
  const servfail = new Set((options.servfail ?? []).map(canonical));
  const queries: string[] = [];

  const host = options.host ?? '127.0.0.1';
  const socket: Socket = createSocket(host === '::1' ? 'udp6' : 'udp4');
  socket.on('message', (msg: Buffer, peer: RemoteInfo) => {
    const question = decodeQuestion(msg);
    if (!question) return;
    queries.push(`${TYPE_NAMES[question.type] ?? question.type} ${question.name}`);
    if (silent.has(question.name)) return;
    const reply = answer(question, zone, servfail);
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const port = socket.address().port;
  return {
    address: host === '::1' ? `[::1]:${port}` : `127.0.0.1:${port}`,
    port,
    queries,
    setRecords: (name, entry) => void zone.set(canonical(name), entry),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function decodeQuestion(msg: Buffer): Question | null {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return null;
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = msg[offset];
    if (length === undefined || length > 63) return null;
    offset += 1;
    if (length === 0) break;
    labels.push(msg.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: canonical(labels.join('.')),
    type: msg.readUInt16BE(offset),
    klass: msg.readUInt16BE(offset + 2),
    raw: msg.subarray(12, offset + 4),
  };
}

function answer(q: Question, zone: Map<string, ZoneEntry>, servfail: Set<string>): Buffer {
  const entry = zone.get(q.name);
  if (servfail.has(q.name)) return packet(q, RCODE_SERVFAIL, []);
  if (!entry) return packet(q, RCODE_NXDOMAIN, []);
  const typeName = TYPE_NAMES[q.type] as keyof ZoneEntry | undefined;
  if (!typeName) return packet(q, q.type === 255 ? RCODE_NOTIMP : RCODE_NOERROR, []);
  const source = entry[typeName];
  const values = typeof source === 'function' ? source() : (source ?? []);
  return packet(q, RCODE_NOERROR, values.map((v) => resourceRecord(q.type, v)));
}

function packet(q: Question, rcode: number, answers: Buffer[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  const rd = q.flags & 0x0100;
  // QR=1, AA=1, RD copied, RA=1.
  header.writeUInt16BE(0x8000 | 0x0400 | rd | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, q.raw, ...answers]);
}

function resourceRecord(type: number, value: string): Buffer {
  const rdata = type === TYPE_NS ? encodeName(value) : encodeAddress(type, value);
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(1, 4); // IN
  fixed.writeUInt32BE(60, 6);
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

function encodeName(name: string): Buffer {
  const parts = canonical(name)
    .split('.')
    .filter(Boolean)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function encodeAddress(type: number, value: string): Buffer {
  const parsed = parseAddress(value);
  const width = type === TYPE_A ? 4 : 16;
  if (!parsed || parsed.family !== (type === TYPE_A ? 4 : 6)) throw new Error(`bad address ${value} for type ${type}`);
  const out = Buffer.alloc(width);
  let v = parsed.value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
