import { decodePage } from './sections.js';
import { probeLiveness, type LivenessOptions } from './liveness.js';
import type { ProbeOutcome } from './outcome.js';

/**
 * One link checked as the inspection checks it: HEAD first (cheap), then GET when HEAD fails or is
 * refused (many government servers answer HEAD with 405, 403 or nothing). Never throws.
 */

export interface LinkCheckOptions extends Pick<LivenessOptions, 'resolver' | 'policy' | 'timeoutMs' | 'clock' | 'ca'> {
  /** GET the page and look for `keywords` (external links: 外链变异). */
  readBody?: boolean;
  keywords?: ReadonlyArray<string>;
  /** Body cap of that GET (default 512 KiB: enough for the words of a gambling page). */
  maxBodyBytes?: number;
}

export interface LinkCheck {
  outcome: ProbeOutcome;
  status?: number;
  /** Dead or wrong (死链/错链): the server said 4xx/5xx, or there was no server to say anything. */
  broken: boolean;
  /** The first risk keyword the page contains. */
  keyword?: string;
}

/** Answered with the page (or something that is not the link's fault). */
const NOT_BROKEN: ReadonlySet<string> = new Set(['ok', 'challenged', 'body_too_large', 'blocked_by_policy']);

export async function checkLink(url: string, o: LinkCheckOptions): Promise<LinkCheck> {
  const base = { resolver: o.resolver, policy: o.policy, timeoutMs: o.timeoutMs, clock: o.clock, ca: o.ca };
  if (!o.readBody) {
    const head = await probeLiveness(url, { ...base, method: 'HEAD' });
    // No server, or our policy: a GET would say the same.
    if (head.outcome === 'ok' || head.outcome === 'blocked_by_policy' || head.outcome.startsWith('dns_')) return verdict(head.outcome, head.status);
  }
  const read = o.readBody === true && (o.keywords?.length ?? 0) > 0;
  const get = await probeLiveness(url, { ...base, includeBody: read, includeRawBody: read, maxBodyBytes: o.readBody ? (o.maxBodyBytes ?? 512 * 1024) : 256 * 1024 });
  const v = verdict(get.outcome, get.status);
  if (read && get.body) {
    // The probe has decoded the page already: decoded again only when its declared charset lies.
    const text = decodePage(get.body, get.contentType, get.bodyText !== undefined && get.charset ? { text: get.bodyText, charset: get.charset } : undefined).text;
    const keyword = (o.keywords ?? []).find((k) => k && text.includes(k));
    if (keyword) v.keyword = keyword;
  }
  return v;
}

function verdict(outcome: ProbeOutcome, status: number | undefined): LinkCheck {
  return { outcome, ...(status !== undefined ? { status } : {}), broken: !NOT_BROKEN.has(outcome) };
}
