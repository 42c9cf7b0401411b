import type { MessageKey, MessageParams } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import { canonicalJson, compareCodeUnits, sha256Hex } from './canonical.js';
import type { Classification } from './classify.js';
import { serverAnswered, type ProbeOutcome, type ReasonCode, type UsageMetric } from './codes.js';
import { addDays, addMonths, assertDay, toDay, type Day } from './dates.js';
import type { Policy } from './policy.js';
import { hostOf } from '../probes/host.js';

/**
 * Findings: the clean-up cases opened for zombie and semi-zombie systems. Pure state machine, answers,
 * deadlines, evidence packs and the decommission check. Persistence is the caller's: every function
 * returns a new value and never mutates its input.
 *
 *   open ──notify──▶ notified ──answer──▶ answered ──close──▶ closed
 *     │                 │                    │                  │
 *     └──────close──────┴───────close────────┘                  │
 *   answered/closed ──reopen──▶ reopened ──notify / answer / close──▶ …
 */

export const FINDING_STATES = ['open', 'notified', 'answered', 'closed', 'reopened'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

export type FindingEventType = 'notify' | 'answer' | 'close' | 'reopen';

/** Which event may happen in which state. */
export const FINDING_EVENTS: Readonly<Record<FindingEventType, { from: readonly FindingState[]; to: FindingState }>> = {
  notify: { from: ['open', 'reopened'], to: 'notified' },
  answer: { from: ['notified', 'reopened'], to: 'answered' },
  close: { from: ['open', 'notified', 'answered', 'reopened'], to: 'closed' },
  reopen: { from: ['answered', 'closed'], to: 'reopened' },
};

/** True when some event moves a finding from `from` to `to`. */
export function canTransition(from: FindingState, to: FindingState): boolean {
  return Object.values(FINDING_EVENTS).some((e) => e.to === to && e.from.includes(from));
}

export const ANSWER_KINDS = ['keep', 'merge', 'migrate', 'decommission'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/** A department's answer to a finding. `dueBy`: the day the announced action will be done. */
export type DepartmentAnswer =
  | { kind: 'keep'; justification: string }
  | { kind: 'merge'; targetSystemCode: string; dueBy?: Day | null; note?: string | null }
  | { kind: 'migrate'; target?: string | null; dueBy?: Day | null; note?: string | null }
  | { kind: 'decommission'; dueBy?: Day | null; note?: string | null };

export const CLOSE_RESOLUTIONS = ['exempted', 'merged', 'migrated', 'decommissioned', 'resolved_by_evidence', 'withdrawn'] as const;
export type CloseResolution = (typeof CLOSE_RESOLUTIONS)[number];

export interface FindingHistoryEntry {
  on: Day;
  event: FindingEventType | 'open';
  from: FindingState | null;
  to: FindingState;
  note?: string;
}

export interface Finding {
  id: string;
  systemCode: string;
  departmentCode: string;
  status: FindingState;
  /** Verdict that opened the finding. */
  verdict: 'zombie' | 'semi_zombie';
  reasonCodes: ReasonCode[];
  policyVersion: string;
  openedOn: Day;
  notifiedOn: Day | null;
  /** Answer deadline, set when notified (or reopened). */
  deadline: Day | null;
  answeredOn: Day | null;
  answer: DepartmentAnswer | null;
  closedOn: Day | null;
  resolution: CloseResolution | null;
  reopenedOn: Day | null;
  reopenCount: number;
  history: FindingHistoryEntry[];
}

export type FindingAction =
  | { type: 'notify'; on: Day }
  | { type: 'answer'; on: Day; answer: DepartmentAnswer }
  | { type: 'close'; on: Day; resolution: CloseResolution; note?: string }
  | { type: 'reopen'; on: Day; reason: string };

export type FindingError =
  | { code: 'illegal_transition'; from: FindingState; event: FindingEventType; allowedFrom: FindingState[]; message: string }
  | { code: 'invalid_answer'; path: string; message: string }
  | { code: 'invalid_action'; path: string; message: string };

/** What the caller must persist besides the finding itself. */
export type FindingEffect =
  | { type: 'exemption'; systemCode: string; until: Day; reason: string; source: string }
  | { type: 'merge'; systemCode: string; into: string; dueBy: Day | null }
  | { type: 'migrate'; systemCode: string; target: string | null; dueBy: Day | null }
  | { type: 'decommission'; systemCode: string; dueBy: Day | null };

export type FindingResult = { ok: true; finding: Finding; effects: FindingEffect[] } | { ok: false; error: FindingError };

/** Opens a finding for a zombie or semi-zombie classification; null for any other status. */
export function openFinding(id: string, departmentCode: string, c: Classification, on: Day): Finding | null {
  assertDay(on, 'on');
  const verdict = c.status === 'zombie' || c.status === 'semi_zombie' ? c.status : null;
  if (!verdict) return null;
  return {
    id,
    systemCode: c.systemCode,
    departmentCode,
    status: 'open',
    verdict,
    reasonCodes: c.reasons.map((r) => r.code),
    policyVersion: c.policyVersion,
    openedOn: on,
    notifiedOn: null,
    deadline: null,
    answeredOn: null,
    answer: null,
    closedOn: null,
    resolution: null,
    reopenedOn: null,
    reopenCount: 0,
    history: [{ on, event: 'open', from: null, to: 'open' }],
  };
}

/**
 * How an open finding follows its system's newest classification: `escalate` when the verdict got worse
 * (semi-zombie → zombie), `reasons` when the verdict is the same but the classification established a
 * reason the finding did not name yet; null otherwise. A better classification never changes a finding:
 * the case stays open until it is closed (answered, verified or withdrawn).
 */
export function findingFollowUp(
  current: { verdict: 'zombie' | 'semi_zombie'; reasonCodes: readonly string[] },
  next: { status: string; reasonCodes: readonly string[] },
): 'escalate' | 'reasons' | null {
  if (next.status !== 'zombie' && next.status !== 'semi_zombie') return null;
  if (next.status === 'zombie' && current.verdict === 'semi_zombie') return 'escalate';
  if (next.status !== current.verdict) return null;
  const had = new Set(current.reasonCodes);
  return next.reasonCodes.some((c) => !had.has(c)) ? 'reasons' : null;
}

/** Checks whether `event` may happen to a finding in state `from`; null when it may. */
export function validateTransition(from: FindingState, event: FindingEventType): FindingError | null {
  const rule = FINDING_EVENTS[event];
  if (rule.from.includes(from)) return null;
  return {
    code: 'illegal_transition',
    from,
    event,
    allowedFrom: [...rule.from],
    message: `cannot ${event} a finding that is ${from} (allowed from: ${rule.from.join(', ')})`,
  };
}

/** Checks an answer on its own: a keep needs a justification, a merge a target other than the system itself. */
export function validateAnswer(answer: DepartmentAnswer, systemCode: string): FindingError | null {
  const bad = (path: string, message: string): FindingError => ({ code: 'invalid_answer', path, message });
  switch (answer.kind) {
    case 'keep':
      if (typeof answer.justification !== 'string' || answer.justification.trim() === '') return bad('justification', 'a justification is required to keep a system');
      return null;
    case 'merge':
      if (typeof answer.targetSystemCode !== 'string' || answer.targetSystemCode.trim() === '') return bad('targetSystemCode', 'the system to merge into is required');
      if (answer.targetSystemCode.trim() === systemCode) return bad('targetSystemCode', 'a system cannot be merged into itself');
      break;
    case 'migrate':
    case 'decommission':
      break;
    default:
      return bad('kind', `unknown answer kind ${JSON.stringify((answer as { kind?: unknown }).kind)}`);
  }
  if (answer.dueBy != null && !isDayString(answer.dueBy)) return bad('dueBy', 'must be a day YYYY-MM-DD');
  return null;
}

function isDayString(v: unknown): v is Day {
  try {
    assertDay(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies an action to a finding. Illegal transitions (answering a closed case, closing twice…) and
 * invalid answers come back as typed errors, never as exceptions.
 */
export function applyFindingAction(finding: Finding, action: FindingAction, policy: Pick<Policy, 'findings'>): FindingResult {
  if (!isDayString(action.on)) return { ok: false, error: { code: 'invalid_action', path: 'on', message: 'must be a day YYYY-MM-DD' } };
  const illegal = validateTransition(finding.status, action.type);
  if (illegal) return { ok: false, error: illegal };
  if (action.on < finding.openedOn) return { ok: false, error: { code: 'invalid_action', path: 'on', message: `must not be before the finding was opened (${finding.openedOn})` } };

  const to = FINDING_EVENTS[action.type].to;
  const entry = (note?: string): FindingHistoryEntry => ({ on: action.on, event: action.type, from: finding.status, to, ...(note ? { note } : {}) });
  const next: Finding = { ...finding, status: to, history: [...finding.history] };
  const effects: FindingEffect[] = [];

  switch (action.type) {
    case 'notify':
      next.notifiedOn = action.on;
      next.deadline = addDays(action.on, policy.findings.answerDeadlineDays);
      next.history.push(entry());
      break;
    case 'answer': {
      const err = validateAnswer(action.answer, finding.systemCode);
      if (err) return { ok: false, error: err };
      const a = normaliseAnswer(action.answer);
      next.answer = a;
      next.answeredOn = action.on;
      next.history.push(entry(a.kind));
      effects.push(effectOf(a, finding, action.on, policy));
      break;
    }
    case 'close':
      if (!(CLOSE_RESOLUTIONS as readonly string[]).includes(action.resolution)) {
        return { ok: false, error: { code: 'invalid_action', path: 'resolution', message: `must be one of ${CLOSE_RESOLUTIONS.join(', ')}` } };
      }
      next.closedOn = action.on;
      next.resolution = action.resolution;
      next.history.push(entry(action.note));
      break;
    case 'reopen':
      if (typeof action.reason !== 'string' || action.reason.trim() === '') {
        return { ok: false, error: { code: 'invalid_action', path: 'reason', message: 'a reason is required to reopen a finding' } };
      }
      next.reopenedOn = action.on;
      next.reopenCount = finding.reopenCount + 1;
      next.closedOn = null;
      next.resolution = null;
      // A reopened case awaits a new answer: a fresh deadline, the old answer kept for the record in history.
      next.deadline = addDays(action.on, policy.findings.answerDeadlineDays);
      next.history.push(entry(action.reason.trim()));
      break;
  }
  return { ok: true, finding: next, effects };
}

function normaliseAnswer(a: DepartmentAnswer): DepartmentAnswer {
  switch (a.kind) {
    case 'keep':
      return { kind: 'keep', justification: a.justification.trim() };
    case 'merge':
      return { kind: 'merge', targetSystemCode: a.targetSystemCode.trim(), dueBy: a.dueBy ?? null, note: a.note ?? null };
    case 'migrate':
      return { kind: 'migrate', target: a.target ?? null, dueBy: a.dueBy ?? null, note: a.note ?? null };
    case 'decommission':
      return { kind: 'decommission', dueBy: a.dueBy ?? null, note: a.note ?? null };
  }
}

function effectOf(a: DepartmentAnswer, f: Finding, on: Day, policy: Pick<Policy, 'findings'>): FindingEffect {
  switch (a.kind) {
    case 'keep':
      return { type: 'exemption', systemCode: f.systemCode, until: addMonths(on, policy.findings.keepExemptionMonths), reason: a.justification, source: `finding:${f.id}` };
    case 'merge':
      return { type: 'merge', systemCode: f.systemCode, into: a.targetSystemCode, dueBy: a.dueBy ?? null };
    case 'migrate':
      return { type: 'migrate', systemCode: f.systemCode, target: a.target ?? null, dueBy: a.dueBy ?? null };
    case 'decommission':
      return { type: 'decommission', systemCode: f.systemCode, dueBy: a.dueBy ?? null };
  }
}

/**
 * Overdue, as of `now` (a day, or an instant taken as its Asia/Shanghai day):
 *  - notified or reopened, and past the answer deadline;
 *  - answered with an action (merge, migrate, decommission) whose `dueBy` has passed.
 * Open (not yet notified) and closed findings are never overdue; a "keep" answer has nothing left to do.
 */
export function isOverdue(finding: OverdueView, now: Day | Date): boolean {
  const today = toDay(now, 'now');
  switch (finding.status) {
    case 'notified':
    case 'reopened':
      return finding.deadline !== null && today > finding.deadline;
    case 'answered': {
      const a = finding.answer;
      const due = a && a.kind !== 'keep' ? (a.dueBy ?? null) : null;
      return due !== null && today > due;
    }
    default:
      return false;
  }
}

/** The fields `isOverdue` reads; a `Finding` and the monthly report's `ReportFinding` both fit. */
export interface OverdueView {
  status: FindingState;
  deadline: Day | null;
  answer: { kind: AnswerKind; dueBy?: Day | null } | null;
}

/** Clean-up progress bucket used by the monthly report. */
export function progressOf(finding: OverdueView, now: Day | Date): 'done' | 'overdue' | 'in_progress' {
  if (finding.status === 'closed') return 'done';
  return isOverdue(finding, now) ? 'overdue' : 'in_progress';
}

// ---------------------------------------------------------------------------------------------------
// Evidence pack.

export interface ProbeSample {
  /** ISO instant of the probe. */
  at: string;
  url: string;
  outcome: ProbeOutcome;
  httpStatus?: number | null;
  /** Milliseconds to the complete response (or to the failure). */
  ms?: number | null;
  detail?: string | null;
}

export interface DnsAnswer {
  at: string;
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'NS';
  result: 'records' | 'nxdomain' | 'nodata' | 'timeout' | 'error';
  records?: string[];
}

export interface UsagePoint {
  day: Day;
  metric: UsageMetric;
  value: number;
}

export interface ContentHashPoint {
  day: Day;
  url?: string | null;
  hash: string;
}

export interface OwnerReply {
  at: string;
  departmentCode: string;
  by?: string | null;
  text: string;
}

export interface EvidencePackInput {
  systemCode: string;
  findingId?: string | null;
  asOf: Day;
  policyVersion?: string | null;
  classification?: Pick<Classification, 'status' | 'reasons' | 'flags'> | null;
  probeSamples: ProbeSample[];
  dnsAnswers: DnsAnswer[];
  usageSeries: UsagePoint[];
  contentHashes: ContentHashPoint[];
  ownerReplies: OwnerReply[];
}

export interface EvidencePack {
  /** Canonical JSON (sorted keys, arrays in a fixed order): the bytes that are hashed and stored. */
  json: string;
  /** SHA-256 of the UTF-8 bytes of `json`, lowercase hex. */
  sha256: string;
}

/**
 * Builds the evidence pack attached to a finding or notice: everything the verdict rests on, in a
 * form that hashes the same however the caller ordered its arrays.
 */
export function buildEvidencePack(input: EvidencePackInput): EvidencePack {
  const ordered = <T>(items: readonly T[], key: (x: T) => string): T[] =>
    items
      .map((x) => ({ x, k: key(x), c: canonicalJson(x) }))
      .sort((a, b) => compareCodeUnits(a.k, b.k) || compareCodeUnits(a.c, b.c))
      .map((e) => e.x);
  const pack = {
    kind: 'xuncha.evidence-pack',
    version: 1,
    systemCode: input.systemCode,
    findingId: input.findingId ?? null,
    asOf: input.asOf,
    policyVersion: input.policyVersion ?? null,
    classification: input.classification
      ? { status: input.classification.status, reasons: input.classification.reasons, flags: input.classification.flags }
      : null,
    probeSamples: ordered(input.probeSamples, (p) => `${p.at}\u0000${p.url}`),
    dnsAnswers: ordered(input.dnsAnswers, (d) => `${d.at}\u0000${d.name}\u0000${d.type}`).map((d) => (d.records ? { ...d, records: [...d.records].sort(compareCodeUnits) } : d)),
    usageSeries: ordered(input.usageSeries, (u) => `${u.day}\u0000${u.metric}`),
    contentHashes: ordered(input.contentHashes, (c) => `${c.day}\u0000${c.url ?? ''}`),
    ownerReplies: ordered(input.ownerReplies, (r) => r.at),
  };
  const json = canonicalJson(pack);
  return { json, sha256: sha256Hex(json) };
}

/** True when `json` hashes to `sha256` (tamper check of a stored pack). */
export function verifyEvidencePack(pack: EvidencePack): boolean {
  return sha256Hex(pack.json) === pack.sha256.toLowerCase();
}


// ---------------------------------------------------------------------------------------------------
// Decommission verification.

export interface DecommissionCheckInput {
  /** Current probe result of every endpoint the system had. */
  endpoints: { url: string; outcome: ProbeOutcome; httpStatus?: number | null }[];
  /** Current DNS answers (A/AAAA/CNAME) for the endpoints' host names. */
  dns: { name: string; result: 'records' | 'nxdomain' | 'nodata' | 'timeout' | 'error'; records?: string[] }[];
  /** Host names that legitimately stay because other live systems use them (shared portal domains). */
  sharedHosts?: string[];
}

export type DecommissionReasonCode = 'endpoint_live' | 'dns_dangling' | 'path_still_served' | 'dns_unverified' | 'probe_unverified' | 'address_live';

export interface DecommissionReason {
  code: DecommissionReasonCode;
  /** URL or host name. */
  target: string;
  detail: string;
  message: { key: MessageKey; params: MessageParams };
}

export interface DecommissionDecision {
  /**
   * `verified`: nothing of the system answers any more and its own names no longer resolve (an
   * endpoint reached by address: connects to it are refused or time out).
   * `reopen`: something is still live or a name still points somewhere (reopen the finding).
   * `inconclusive`: nothing live was seen but a probe or DNS look-up itself failed; check again.
   */
  decision: 'verified' | 'reopen' | 'inconclusive';
  reasons: DecommissionReason[];
}

/** Outcomes of an HTTP exchange that went wrong: something still serves on the name, beyond the server having answered (`serverAnswered`). */
const HTTP_EXCHANGE: ReadonlySet<ProbeOutcome> = new Set(['redirect_loop', 'too_many_redirects', 'body_too_large', 'protocol_error']);
/** Outcomes that say nothing about the system: our own side failed. */
const UNVERIFIED: ReadonlySet<ProbeOutcome> = new Set(['dns_timeout', 'dns_error', 'blocked_by_policy']);
/** An endpoint reached by address (no DNS name to release) is gone when connecting to it fails so. */
const ADDRESS_GONE: ReadonlySet<ProbeOutcome> = new Set(['connect_refused', 'connect_timeout']);

/** `10.1.2.3` or an IPv6 literal (as `hostOf` gives it, without brackets): host names never contain `:`. */
export function isAddressLiteral(host: string): boolean {
  return host.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** HTTP statuses that mean "removed" on a shared host. */
const GONE_STATUSES: ReadonlySet<number> = new Set([404, 410]);


/**
 * Decides whether a decommissioning is done. A live endpoint, or a host name of the system that still
 * resolves (a dangling name: takeover risk and proof the resources were not released), reopens the
 * finding. On a shared host name, the system's paths must answer 404 or 410 instead.
 */
export function verifyDecommission(input: DecommissionCheckInput): DecommissionDecision {
  const shared = new Set((input.sharedHosts ?? []).map((h) => h.toLowerCase().replace(/\.$/, '')));
  const reasons: DecommissionReason[] = [];
  const add = (code: DecommissionReasonCode, target: string, params: MessageParams = {}) => {
    const key = `decommission.${code}` as MessageKey;
    const p = { target, ...params };
    reasons.push({ code, target, detail: t('en', key, p), message: { key, params: p } });
  };

  const dnsByName = new Map<string, DecommissionCheckInput['dns'][number]['result']>();
  for (const d of input.dns) {
    const name = d.name.toLowerCase().replace(/\.$/, '');
    // An address literal has no DNS to check.
    if (isAddressLiteral(name.replace(/^\[|\]$/g, ''))) continue;
    const prev = dnsByName.get(name);
    // "records" anywhere wins: one resolving record type is enough to call the name live.
    if (!prev || d.result === 'records' || (prev !== 'records' && (d.result === 'timeout' || d.result === 'error'))) dnsByName.set(name, d.result);
  }

  const resolvingHosts = new Set<string>();
  for (const [name, result] of dnsByName) if (result === 'records') resolvingHosts.add(name);

  for (const e of [...input.endpoints].sort((a, b) => compareCodeUnits(a.url, b.url))) {
    const host = hostOf(e.url);
    if (e.outcome === 'ok') {
      add('endpoint_live', e.url);
      continue;
    }
    if (UNVERIFIED.has(e.outcome)) {
      add('probe_unverified', e.url, { outcome: e.outcome });
      continue;
    }
    if (host && shared.has(host)) {
      // Shared name: the name stays; the system's own paths must be gone.
      if ((serverAnswered(e.outcome) || HTTP_EXCHANGE.has(e.outcome)) && !(e.outcome === 'http_error' && e.httpStatus != null && GONE_STATUSES.has(e.httpStatus))) {
        add('path_still_served', e.url, { status: e.httpStatus ?? e.outcome });
      }
      continue;
    }
    // The server answered (an HTTP error, a bad certificate, a WAF challenge): the endpoint is live.
    if (serverAnswered(e.outcome)) {
      add('endpoint_live', e.url);
      continue;
    }
    // Reached by address (most extranet systems): no name to resolve; gone when connects are refused or
    // time out, still live when anything there accepts the connection.
    if (host && isAddressLiteral(host)) {
      if (!ADDRESS_GONE.has(e.outcome)) add('address_live', e.url, { outcome: e.outcome });
      continue;
    }
    // Reaching a connect or HTTP stage means the name resolved.
    if (host && e.outcome !== 'dns_nxdomain' && e.outcome !== 'dns_nodata') resolvingHosts.add(host);
  }

  for (const host of [...resolvingHosts].sort(compareCodeUnits)) {
    if (!shared.has(host)) add('dns_dangling', host);
  }
  for (const [name, result] of [...dnsByName].sort((a, b) => compareCodeUnits(a[0], b[0]))) {
    if ((result === 'timeout' || result === 'error') && !shared.has(name)) add('dns_unverified', name, { result });
  }

  const reopen = reasons.some((r) => r.code === 'endpoint_live' || r.code === 'dns_dangling' || r.code === 'path_still_served' || r.code === 'address_live');
  const unverified = reasons.some((r) => r.code === 'dns_unverified' || r.code === 'probe_unverified');
  return { decision: reopen ? 'reopen' : unverified ? 'inconclusive' : 'verified', reasons };
}

/** Readable one-liners of a decision's reasons, for notices. */
export function describeDecommission(decision: DecommissionDecision, lang: 'zh' | 'en'): string[] {
  return decision.reasons.map((r) => t(lang, r.message.key, r.message.params));
}
