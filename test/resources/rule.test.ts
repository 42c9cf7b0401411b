import { describe, expect, it } from 'vitest';
import { classify } from '../../reports/classify.js';
import { addDays } from '../../reports/dates.js';
import type { SystemEvidence } from '../../reports/evidence.js';
import { defaultPolicy, parsePolicy, policyOrThrow } from '../../reports/policy.js';
import { resourceIdleness, type ResourceDay, type ResourceFacts } from '../../reports/resources.js';

// resources_idle, pure: the 26-of-30 boundary, missing days, configurable thresholds, zombie vs live usage.

const AS_OF = '2026-11-30';
const MB = 1024 * 1024;

function days(n: number, f: (i: number) => Partial<ResourceDay> | null): ResourceDay[] {
  const out: ResourceDay[] = [];
  for (let i = 0; i < n; i++) {
    const d = f(i);
    if (d) out.push({ day: addDays(AS_OF, -i), cpuP95: 1, netBytes: MB, ...d });
  }
  return out;
}
const vm = (id: string, ds: ResourceDay[], kind = 'vm'): ResourceFacts => ({ externalId: id, kind, vcpu: 2, memoryGb: 4, storageGb: 20, days: ds });

function evidence(resources: ResourceFacts[], usageDays: string[] = []): SystemEvidence {
  return {
    system: { code: 'S', name: 'S', departmentCode: 'D', lifecycle: 'live', userScope: 'public', registeredUsers: null, launchedOn: null, cloudRequired: true, deployment: 'gov_cloud', network: 'internet', mlpsLevel: 3, endpoints: [], operatorUnit: 'x' },
    department: { code: 'D', dissolvedOn: null, successorCode: null },
    probeDays: [],
    usage: { sources: usageDays.length ? [{ kind: 'push', since: '2026-01-01' }] : [], days: usageDays.map((day) => ({ day, metric: 'visits', value: 10 })) },
    content: { observedSince: null, lastChanged: null },
    ownership: { unconfirmedAfterDeadline: false, ownerMissing: false },
    resources: { resources },
  };
}
const idleReason = (ev: SystemEvidence, policy = defaultPolicy) => classify(ev, policy, AS_OF).reasons.find((r) => r.code === 'resources_idle');

describe('resources_idle', () => {
  it('needs 26 idle days of the last 30: 25 is not enough', () => {
    const busyFrom = (idle: number) => days(30, (i) => (i < idle ? {} : { cpuP95: 40 }));
    expect(resourceIdleness(vm('a', busyFrom(26)), defaultPolicy, AS_OF).current).toMatchObject({ idleDays: 26, idle: true });
    expect(resourceIdleness(vm('a', busyFrom(25)), defaultPolicy, AS_OF).current).toMatchObject({ idleDays: 25, idle: false });
    expect(idleReason(evidence([vm('a', busyFrom(26))]))).toMatchObject({ severity: 'semi_zombie' });
    expect(idleReason(evidence([vm('a', busyFrom(25))]))).toBeUndefined();
  });

  it('a day over 5 MB of traffic or 5% CPU p95 is busy; a missing day is never idle', () => {
    const r = resourceIdleness(vm('a', days(30, (i) => (i === 0 ? { netBytes: 5 * MB + 1 } : i === 1 ? { cpuP95: 5.01 } : i < 6 ? { cpuP95: null, netBytes: null, missing: 'timeout: no answer' } : {}))), defaultPolicy, AS_OF);
    expect(r.current).toMatchObject({ idleDays: 24, evidenceDays: 26, missingDays: 4, idle: false });
    expect(r.missingReasons).toEqual(['timeout: no answer']);
  });

  it('every judged resource must be idle; storage without utilisation is not judged, a VM without any is (and is not idle)', () => {
    const idle = vm('a', days(30, () => ({})));
    expect(idleReason(evidence([idle, vm('vol', [], 'storage')]))).toBeDefined();
    expect(idleReason(evidence([idle, vm('b', [])]))).toBeUndefined();
    expect(idleReason(evidence([idle, vm('c', days(30, () => ({ cpuP95: 50 })))]))).toBeUndefined();
    expect(idleReason(evidence([]))).toBeUndefined();
  });

  it('idle 90 days and no usage: zombie; live usage keeps it a semi-zombie', () => {
    const long = vm('a', days(90, () => ({})));
    expect(idleReason(evidence([long]))).toMatchObject({ severity: 'zombie', evidence: { idleLong: true, lastUsage: null } });
    expect(classify(evidence([long]), defaultPolicy, AS_OF).wouldBe).toBe('zombie');
    const used = evidence([long], [addDays(AS_OF, -2)]);
    expect(idleReason(used)).toMatchObject({ severity: 'semi_zombie', evidence: { lastUsage: addDays(AS_OF, -2) } });
    expect(classify(used, defaultPolicy, AS_OF).wouldBe).not.toBe('zombie');
    // 60 idle days: idle, not yet a zombie.
    expect(idleReason(evidence([vm('b', days(60, () => ({})))]))).toMatchObject({ severity: 'semi_zombie' });
  });

  it('thresholds are policy: CPU p95 10% makes an 8% day idle; minIdleDays cannot exceed the window', () => {
    const eight = vm('a', days(30, () => ({ cpuP95: 8 })));
    expect(idleReason(evidence([eight]))).toBeUndefined();
    const lenient = policyOrThrow({ version: 't', resources: { idleCpuP95Max: 10 } });
    expect(idleReason(evidence([eight]), lenient)).toBeDefined();
    const bad = parsePolicy({ version: 't', resources: { windowDays: 20, minIdleDays: 26 } });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['resources.minIdleDays']);
  });

  it('a resource released before the day, or not yet allocated, is not judged', () => {
    const gone = { ...vm('a', days(30, () => ({ cpuP95: 60 }))), until: addDays(AS_OF, -1) };
    expect(idleReason(evidence([vm('b', days(30, () => ({}))), gone]))).toBeDefined();
  });
});
