import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { shortMessage } from '../outcome.js';
import { createDayKey, DEFAULT_TIME_ZONE, monthIndex } from '../time.js';
import { createDistinctCounter, type DistinctCounter } from './distinct.js';

/**
 * nginx/Apache *combined* access logs to daily usage, streamed line by line (plain or gzip, detected by
 * magic bytes): memory stays bounded whatever the file size. Malformed lines are counted and sampled,
 * never fatal.
 */

export interface AccessLogLine {
  client: string;
  /** Instant of the request, from the log's own offset. */
  time: Date;
  method: string;
  path: string;
  status: number;
  bytes: number;
  referer?: string;
  userAgent?: string;
}

export interface DailyUsage {
  /** `YYYY-MM-DD` in the chosen time zone. */
  date: string;
  /** Requests by people: everything but bots, crawlers, monitors and our own probes. */
  requests: number;
  /** Distinct client addresses among those requests. */
  distinctClients: number;
  /** True when the day had more clients than counted exactly (HyperLogLog estimate, ~1%). */
  distinctApproximate: boolean;
  botRequests: number;
}

export interface AccessLogSummary {
  timeZone: string;
  days: DailyUsage[];
  lines: number;
  parsed: number;
  malformed: number;
  /** The first few malformed lines: 1-based line number and the line, shortened. */
  malformedSamples: Array<{ line: number; text: string }>;
  compressed: boolean;
  /** Set when reading stopped early (missing file, corrupt gzip); counts cover what was read. */
  error?: string;
}

export interface AccessLogOptions {
  /** IANA zone of the day boundary (default Asia/Shanghai). */
  timeZone?: string;
  /** How many malformed lines to quote (default 5). */
  malformedSamples?: number;
  /** Distinct clients counted exactly per day up to this, then estimated (default 100000). */
  exactClientLimit?: number;
  /** Treat a request as automated (default: common bots, crawlers, monitors, HTTP libraries, Xuncha). */
  isBot?: (userAgent: string | undefined) => boolean;
}

const LINE =
  /^(\S+) \S+ (?:\S+|"[^"]*") \[(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

/** One line of the combined (or common) log format; null when it is not one. */
export function parseAccessLogLine(line: string): AccessLogLine | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const month = monthIndex(m[3]!);
  if (month === undefined || m[3]!.length !== 3) return null;
  const [day, year, hour, minute, second] = [m[2], m[4], m[5], m[6], m[7]].map(Number) as [number, number, number, number, number];
  const offsetMin = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const local = Date.UTC(year, month, day, hour, minute, second);
  const check = new Date(local);
  if (check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) return null;
  const [method = '', path = ''] = (m[11] ?? '').split(' ');
  const parsed: AccessLogLine = {
    client: m[1]!,
    time: new Date(local - offsetMin * 60_000),
    method,
    path,
    status: Number(m[12]),
    bytes: m[13] === '-' ? 0 : Number(m[13]),
  };
  if (m[14] !== undefined && m[14] !== '-') parsed.referer = m[14];
  if (m[15] !== undefined && m[15] !== '-') parsed.userAgent = m[15];
  return parsed;
}

const BOT_AGENTS = /bot|spider|crawl|slurp|monitor|uptime|pingdom|zabbix|nagios|prometheus|curl|wget|python-|go-http|java\/|okhttp|httpclient|headless|xuncha/i;

export function isAutomatedAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && BOT_AGENTS.test(userAgent);
}

interface DayTally {
  requests: number;
  botRequests: number;
  clients: DistinctCounter;
}

/** Reads a log file (path) or stream to daily usage. Never throws; read errors end up in `error`. */
export async function summarizeAccessLog(source: string | Readable, options: AccessLogOptions = {}): Promise<AccessLogSummary> {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const sampleLimit = options.malformedSamples ?? 5;
  const isBot = options.isBot ?? isAutomatedAgent;
  const summary: AccessLogSummary = { timeZone, days: [], lines: 0, parsed: 0, malformed: 0, malformedSamples: [], compressed: false };
  const tallies = new Map<string, DayTally>();
  let dayKey: (ms: number) => string;
  try {
    dayKey = createDayKey(timeZone);
  } catch (err) {
    return { ...summary, error: `unknown time zone ${timeZone}: ${shortMessage(err)}` };
  }

  let readError: unknown;
  try {
    const { stream, compressed } = await openLogStream(source);
    summary.compressed = compressed;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    stream.once('error', (err) => {
      readError = err;
      lines.close();
    });
    for await (const line of lines) {
      summary.lines++;
      if (line.trim() === '') continue;
      const entry = parseAccessLogLine(line);
      if (!entry) {
        summary.malformed++;
        if (summary.malformedSamples.length < sampleLimit) summary.malformedSamples.push({ line: summary.lines, text: line.slice(0, 200) });
        continue;
      }
      summary.parsed++;
      const key = dayKey(entry.time.getTime());
      let tally = tallies.get(key);
      if (!tally) tallies.set(key, (tally = { requests: 0, botRequests: 0, clients: createDistinctCounter(options.exactClientLimit) }));
      if (isBot(entry.userAgent)) tally.botRequests++;
      else {
        tally.requests++;
        tally.clients.add(entry.client);
      }
    }
  } catch (err) {
    readError = err;
  }
  if (readError) summary.error = shortMessage(readError);
  summary.days = [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, t]) => ({
      date,
      requests: t.requests,
      distinctClients: t.clients.count(),
      distinctApproximate: t.clients.approximate,
      botRequests: t.botRequests,
    }));
  return summary;
}

/** Opens the source and, if its first bytes are the gzip magic (1f 8b), gunzips it on the fly. */
async function openLogStream(source: string | Readable): Promise<{ stream: Readable; compressed: boolean }> {
  const raw = typeof source === 'string' ? createReadStream(source) : source;
  const iterator = (raw as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = Buffer.concat(head);
  const replay = Readable.from(
    (async function* () {
      if (first.length > 0) yield first;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    })(),
  );
  const compressed = first[0] === 0x1f && first[1] === 0x8b;
  if (!compressed) return { stream: replay, compressed };
  return { stream: pipeline(replay, createGunzip(), () => {}), compressed };
}
