import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../reports/classify.js';
import { sha256Hex } from '../../reports/canonical.js';
import {
  applyFindingAction,
  buildEvidencePack,
  canTransition,
  FINDING_STATES,
  isOverdue,
  openFinding,
  progressOf,
  validateTransition,
  verifyDecommission,
  verifyEvidencePack,
  type EvidencePackInput,
  type Finding,
  type FindingAction,
} from '../../reports/findings.js';
import { addDays } from '../../reports/dates.js';
import { defaultPolicy } from '../../reports/policy.js';
import { AS_OF, downDay, healthy, replaceProbeDays, unwatched } from './fixtures.js';

const zombie = classify(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -40), downDay), defaultPolicy, AS_OF);

function opened(): Finding {
  const f = openFinding('F-1', 'LY-DSJ', zombie, AS_OF);
  if (!f) throw new Error('expected a finding');
  return f;
}

function apply(f: Finding, ...actions: FindingAction[]): Finding {
  let cur = f;
  for (const a of actions) {
    const r = applyFindingAction(cur, a, defaultPolicy);
    if (!r.ok) throw new Error(r.error.message);
    cur = r.finding;
  }
  return cur;
}

describe('findings: state machine', () => {
  it('opens only for zombie and semi-zombie verdicts', () => {
    expect(opened()).toMatchObject({ status: 'open', verdict: 'zombie', reasonCodes: ['unreachable'], policyVersion: '2026-12-default', deadline: null });
    expect(openFinding('F-2', 'LY-DSJ', classify(healthy(), defaultPolicy, AS_OF), AS_OF)).toBeNull();
  });

  it('follows open → notified → answered → closed, recording history', () => {
    const f = apply(
      opened(),
      { type: 'notify', on: '2026-12-01' },
      { type: 'answer', on: '2026-12-10', answer: { kind: 'decommission', dueBy: '2027-01-31' } },
      { type: 'close', on: '2027-02-01', resolution: 'decommissioned' },
    );
    expect(f.status).toBe('closed');
    expect(f.notifiedOn).toBe('2026-12-01');
    expect(f.deadline).toBe('2026-12-31');
    expect(f.history.map((h) => h.to)).toEqual(['open', 'notified', 'answered', 'closed']);
  });

  it('answering a closed case is a typed error, not an exception', () => {
    const closed = apply(opened(), { type: 'close', on: AS_OF, resolution: 'resolved_by_evidence' });
    const r = applyFindingAction(closed, { type: 'answer', on: AS_OF, answer: { kind: 'decommission' } }, defaultPolicy);
    expect(r).toEqual({
      ok: false,
      error: { code: 'illegal_transition', from: 'closed', event: 'answer', allowedFrom: ['notified', 'reopened'], message: 'cannot answer a finding that is closed (allowed from: notified, reopened)' },
    });
  });

  it('reopens from closed or answered only, with a fresh deadline', () => {
    const answered = apply(opened(), { type: 'notify', on: '2026-12-01' }, { type: 'answer', on: '2026-12-02', answer: { kind: 'migrate', target: '政务云' } });
    const re = apply(answered, { type: 'reopen', on: '2027-01-05', reason: '迁移未完成' });
    expect(re).toMatchObject({ status: 'reopened', reopenCount: 1, deadline: '2027-02-04' });
    expect(applyFindingAction(opened(), { type: 'reopen', on: AS_OF, reason: 'x' }, defaultPolicy)).toMatchObject({ ok: false, error: { code: 'illegal_transition' } });
    expect(applyFindingAction(answered, { type: 'reopen', on: AS_OF, reason: ' ' }, defaultPolicy)).toMatchObject({ ok: false, error: { code: 'invalid_action', path: 'reason' } });
    const closed = apply(answered, { type: 'close', on: '2027-01-01', resolution: 'migrated' });
    expect(apply(closed, { type: 'reopen', on: '2027-03-01', reason: '系统仍在线' }).closedOn).toBeNull();
  });

  it('the transition table is what validateTransition enforces', () => {
    for (const from of FINDING_STATES) {
      for (const event of ['notify', 'answer', 'close', 'reopen'] as const) {
        const err = validateTransition(from, event);
        const to = { notify: 'notified', answer: 'answered', close: 'closed', reopen: 'reopened' }[event] as Finding['status'];
        expect(err === null, `${from} --${event}-->`).toBe(canTransition(from, to));
      }
    }
    expect(canTransition('closed', 'answered')).toBe(false);
    expect(canTransition('closed', 'reopened')).toBe(true);
  });

  it('no sequence of actions reaches a state by an illegal step', () => {
    const action = fc.oneof(
      fc.constant<FindingAction>({ type: 'notify', on: '2026-12-01' }),
      fc.constant<FindingAction>({ type: 'answer', on: '2026-12-02', answer: { kind: 'decommission' } }),
      fc.constant<FindingAction>({ type: 'close', on: '2026-12-03', resolution: 'withdrawn' }),
      fc.constant<FindingAction>({ type: 'reopen', on: '2026-12-04', reason: 'r' }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 12 }), (actions) => {
        let f = opened();
        for (const a of actions) {
          const r = applyFindingAction(f, a, defaultPolicy);
          if (r.ok) {
            expect(canTransition(f.status, r.finding.status)).toBe(true);
            expect(f.history.length + 1).toBe(r.finding.history.length);
            f = r.finding;
          } else {
            expect(r.error.code).toBe('illegal_transition');
          }
        }
      }),
    );
  });
});

describe('findings: answers', () => {
  const notified = () => apply(opened(), { type: 'notify', on: '2026-12-01' });

  it('keep needs a justification and exempts the system for 6 months', () => {
    expect(applyFindingAction(notified(), { type: 'answer', on: '2026-12-05', answer: { kind: 'keep', justification: '  ' } }, defaultPolicy)).toMatchObject({
      ok: false,
      error: { code: 'invalid_answer', path: 'justification' },
    });
    const r = applyFindingAction(notified(), { type: 'answer', on: '2026-12-05', answer: { kind: 'keep', justification: ' 汛期专用，每年6-9月使用 ' } }, defaultPolicy);
    expect(r.ok && r.effects).toEqual([{ type: 'exemption', systemCode: 'LY-DSJ-001', until: '2027-06-05', reason: '汛期专用，每年6-9月使用', source: 'finding:F-1' }]);
  });

  it('merge needs a target other than the system itself', () => {
    const bad = (targetSystemCode: string) => applyFindingAction(notified(), { type: 'answer', on: '2026-12-05', answer: { kind: 'merge', targetSystemCode } }, defaultPolicy);
    expect(bad('')).toMatchObject({ ok: false, error: { path: 'targetSystemCode' } });
    expect(bad('LY-DSJ-001')).toMatchObject({ ok: false, error: { path: 'targetSystemCode' } });
    const r = bad('LY-DSJ-009');
    expect(r.ok && r.effects).toEqual([{ type: 'merge', systemCode: 'LY-DSJ-001', into: 'LY-DSJ-009', dueBy: null }]);
  });

  it('migrate and decommission carry their due date', () => {
    const r = applyFindingAction(notified(), { type: 'answer', on: '2026-12-05', answer: { kind: 'decommission', dueBy: '2027-01-15' } }, defaultPolicy);
    expect(r.ok && r.effects).toEqual([{ type: 'decommission', systemCode: 'LY-DSJ-001', dueBy: '2027-01-15' }]);
    expect(applyFindingAction(notified(), { type: 'answer', on: '2026-12-05', answer: { kind: 'migrate', dueBy: '15/01/2027' } }, defaultPolicy)).toMatchObject({
      ok: false,
      error: { path: 'dueBy' },
    });
  });
});

describe('findings: deadlines', () => {
  it('a notified finding is overdue after its deadline (30 days by default)', () => {
    const f = apply(opened(), { type: 'notify', on: '2026-12-01' });
    expect(isOverdue(f, '2026-12-31')).toBe(false);
    expect(isOverdue(f, '2027-01-01')).toBe(true);
    // An instant counts by its Asia/Shanghai day: 2026-12-31T16:30Z is 2027-01-01 00:30 in Linyi.
    expect(isOverdue(f, new Date('2026-12-31T15:59:00Z'))).toBe(false);
    expect(isOverdue(f, new Date('2026-12-31T16:30:00Z'))).toBe(true);
  });

  it('an answered action is overdue after its due date; open, kept and closed findings never are', () => {
    const answered = apply(opened(), { type: 'notify', on: '2026-12-01' }, { type: 'answer', on: '2026-12-02', answer: { kind: 'decommission', dueBy: '2027-01-15' } });
    expect(isOverdue(answered, '2027-01-15')).toBe(false);
    expect(progressOf(answered, '2027-01-16')).toBe('overdue');
    expect(isOverdue(opened(), '2030-01-01')).toBe(false);
    const kept = apply(opened(), { type: 'notify', on: '2026-12-01' }, { type: 'answer', on: '2026-12-02', answer: { kind: 'keep', justification: 'x' } });
    expect(isOverdue(kept, '2030-01-01')).toBe(false);
    expect(progressOf(apply(answered, { type: 'close', on: '2027-01-10', resolution: 'decommissioned' }), '2030-01-01')).toBe('done');
  });
});

describe('findings: evidence pack', () => {
  const input: EvidencePackInput = {
    systemCode: 'LY-DSJ-001',
    findingId: 'F-1',
    asOf: AS_OF,
    policyVersion: '2026-12-default',
    classification: zombie,
    probeSamples: [
      { at: '2026-11-30T02:00:03Z', url: 'https://a.linyi.gov.cn/', outcome: 'connect_timeout', ms: 15000 },
      { at: '2026-11-29T02:00:01Z', url: 'https://a.linyi.gov.cn/', outcome: 'connect_timeout', ms: 15000 },
    ],
    dnsAnswers: [{ at: '2026-11-30T02:00:00Z', name: 'a.linyi.gov.cn', type: 'A', result: 'records', records: ['10.0.0.2', '10.0.0.1'] }],
    usageSeries: [
      { day: '2026-11-02', metric: 'visits', value: 0 },
      { day: '2026-11-01', metric: 'visits', value: 3 },
    ],
    contentHashes: [{ day: '2026-06-01', hash: 'abc' }],
    ownerReplies: [{ at: '2026-10-01T08:00:00Z', departmentCode: 'LY-DSJ', text: '该系统已停用' }],
  };

  it('is canonical JSON with its SHA-256', () => {
    const pack = buildEvidencePack(input);
    expect(pack.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pack.sha256).toBe(sha256Hex(pack.json));
    expect(verifyEvidencePack(pack)).toBe(true);
    expect(verifyEvidencePack({ ...pack, json: pack.json.replace('该系统已停用', '该系统在用') })).toBe(false);
    const parsed = JSON.parse(pack.json);
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
    expect(parsed.probeSamples.map((p: { at: string }) => p.at)).toEqual(['2026-11-29T02:00:01Z', '2026-11-30T02:00:03Z']);
    expect(parsed.dnsAnswers[0].records).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(pack.json).not.toMatch(/\n/);
  });

  it('does not depend on the order of its arrays or keys', () => {
    const a = buildEvidencePack(input);
    const shuffled: EvidencePackInput = {
      ownerReplies: input.ownerReplies,
      contentHashes: input.contentHashes,
      usageSeries: [...input.usageSeries].reverse(),
      dnsAnswers: input.dnsAnswers.map((d) => ({ records: [...(d.records ?? [])].reverse(), result: d.result, type: d.type, name: d.name, at: d.at })),
      probeSamples: [...input.probeSamples].reverse(),
      classification: input.classification,
      policyVersion: input.policyVersion,
      asOf: input.asOf,
      findingId: input.findingId,
      systemCode: input.systemCode,
    };
    expect(buildEvidencePack(shuffled)).toEqual(a);
    expect(buildEvidencePack({ ...input, usageSeries: [...input.usageSeries, { day: '2026-11-03', metric: 'visits', value: 1 }] }).sha256).not.toBe(a.sha256);
  });
});

describe('findings: decommission verification', () => {
  it('verified when nothing answers and the names are gone', () => {
    const d = verifyDecommission({
      endpoints: [{ url: 'https://old.linyi.gov.cn/', outcome: 'dns_nxdomain' }],
      dns: [{ name: 'old.linyi.gov.cn', result: 'nxdomain' }],
    });
    expect(d).toEqual({ decision: 'verified', reasons: [] });
  });

  it('a live endpoint reopens', () => {
    const d = verifyDecommission({ endpoints: [{ url: 'https://old.linyi.gov.cn/', outcome: 'ok', httpStatus: 200 }], dns: [] });
    expect(d.decision).toBe('reopen');
    expect(d.reasons.map((r) => r.code)).toEqual(['endpoint_live']);
  });

  it('a name that still resolves reopens (dangling DNS), even if nothing answers', () => {
    const d = verifyDecommission({
      endpoints: [{ url: 'https://old.linyi.gov.cn/', outcome: 'connect_refused' }],
      dns: [{ name: 'old.linyi.gov.cn.', result: 'records', records: ['1.2.3.4'] }],
    });
    expect(d.decision).toBe('reopen');
    expect(d.reasons).toMatchObject([{ code: 'dns_dangling', target: 'old.linyi.gov.cn', detail: 'Host name old.linyi.gov.cn still resolves (dangling DNS name)' }]);
  });

  it('on a shared host name, the paths must answer 404 or 410', () => {
    const shared = ['www.linyi.gov.cn'];
    expect(verifyDecommission({ endpoints: [{ url: 'https://www.linyi.gov.cn/old/', outcome: 'http_error', httpStatus: 404 }], dns: [{ name: 'www.linyi.gov.cn', result: 'records' }], sharedHosts: shared }).decision).toBe('verified');
    const still = verifyDecommission({ endpoints: [{ url: 'https://www.linyi.gov.cn/old/', outcome: 'http_error', httpStatus: 500 }], dns: [], sharedHosts: shared });
    expect(still).toMatchObject({ decision: 'reopen', reasons: [{ code: 'path_still_served' }] });
  });

  it('a system reached by address is verified when connects are refused or time out: no DNS check for IP literals', () => {
    const gone = verifyDecommission({
      endpoints: [
        { url: 'http://10.76.1.20:8080/app/', outcome: 'connect_refused' },
        { url: 'https://[2001:db8::20]/', outcome: 'connect_timeout' },
      ],
      dns: [],
    });
    expect(gone).toEqual({ decision: 'verified', reasons: [] });
    // Something still accepting connections at the address (a hang, a reset) is not gone.
    const still = verifyDecommission({ endpoints: [{ url: 'http://10.76.1.20:8080/app/', outcome: 'timeout' }], dns: [] });
    expect(still).toMatchObject({ decision: 'reopen', reasons: [{ code: 'address_live', target: 'http://10.76.1.20:8080/app/' }] });
    expect(verifyDecommission({ endpoints: [{ url: 'http://10.76.1.20/', outcome: 'http_error', httpStatus: 502 }], dns: [] }).reasons.map((r) => r.code)).toEqual(['endpoint_live']);
  });

  it('our own failures are inconclusive, not verified', () => {
    const d = verifyDecommission({ endpoints: [{ url: 'https://old.linyi.gov.cn/', outcome: 'dns_timeout' }], dns: [{ name: 'old.linyi.gov.cn', result: 'timeout' }] });
    expect(d.decision).toBe('inconclusive');
    expect(d.reasons.map((r) => r.code)).toEqual(['probe_unverified', 'dns_unverified']);
  });
});
