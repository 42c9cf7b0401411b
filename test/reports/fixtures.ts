import { addDays, type Day } from '../../reports/dates.js';
import type { ProbeDay, SystemEvidence, UsageDay } from '../../reports/evidence.js';

export const AS_OF: Day = '2026-11-30';

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: Day, to: Day): Day[] {
  const out: Day[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export function okDay(day: Day, probes = 24): ProbeDay {
  return { day, probes, ok: probes, failed: 0, dnsNxdomain: 0, outcomes: { ok: probes }, certDaysLeftMin: 200, contentHash: 'h-stable' };
}

export function downDay(day: Day, probes = 24): ProbeDay {
  return { day, probes, ok: 0, failed: probes, dnsNxdomain: 0, outcomes: { connect_timeout: probes }, certDaysLeftMin: null, contentHash: null };
}

export function nxDay(day: Day, probes = 24): ProbeDay {
  return { day, probes, ok: 0, failed: probes, dnsNxdomain: probes, outcomes: { dns_nxdomain: probes }, certDaysLeftMin: null, contentHash: null };
}

export function usage(from: Day, to: Day, value: number, metric: UsageDay['metric'] = 'visits'): UsageDay[] {
  return daysBetween(from, to).map((day) => ({ day, metric, value }));
}

/**
 * A healthy, fully evidenced public portal: probed every day for 60 days, used every day, content changed
 * recently, owner confirmed, on the government cloud, IPv6 ready, graded MLPS level 3.
 */
export function healthy(overrides: Partial<SystemEvidence> = {}, asOf: Day = AS_OF): SystemEvidence {
  const ev: SystemEvidence = {
    system: {
      code: 'LY-DSJ-001',
      name: '临沂市政务服务网',
      departmentCode: 'LY-DSJ',
      lifecycle: 'live',
      userScope: 'public',
      registeredUsers: 1000,
      launchedOn: '2020-01-01',
      cloudRequired: true,
      deployment: 'gov_cloud',
      network: 'internet',
      mlpsLevel: 3,
      endpoints: [{ url: 'https://zwfw.linyi.gov.cn/', role: 'portal' }],
      operatorUnit: '临沂市大数据中心',
      contact: { name: '张三', phone: '0539-1234567', email: null },
    },
    department: { code: 'LY-DSJ', name: '临沂市大数据局', dissolvedOn: null, successorCode: null },
    probeDays: daysBetween(addDays(asOf, -59), asOf).map((d) => okDay(d)),
    usage: { sources: [{ kind: 'access_log', since: '2025-01-01' }], days: usage(addDays(asOf, -119), asOf, 500) },
    content: { observedSince: '2025-01-01', lastChanged: addDays(asOf, -3), homepageLastChanged: addDays(asOf, -2), sitemapNewestLastmod: null },
    ownership: { confirmedAt: '2026-06-01', campaignDeadline: '2026-06-30', unconfirmedAfterDeadline: false, ownerMissing: false },
    duplicates: null,
    ipv6: { grade: 'ready', measuredOn: addDays(asOf, -1), secondLevelRate: 0.98, thirdLevelRate: 0.95 },
    tls: { validTo: '2027-06-30', host: 'zwfw.linyi.gov.cn' },
  };
  return { ...ev, ...overrides };
}

export function withSystem(ev: SystemEvidence, patch: Partial<SystemEvidence['system']>): SystemEvidence {
  return { ...ev, system: { ...ev.system, ...patch } };
}

/** Replaces probe days on and after `from` with `make(day)`. */
export function replaceProbeDays(ev: SystemEvidence, from: Day, make: (d: Day) => ProbeDay): SystemEvidence {
  return { ...ev, probeDays: ev.probeDays.map((p) => (p.day >= from ? make(p.day) : p)) };
}

/**
 * The same system with no usage feed: nothing tells us whether people use it. Probe-rule tests use it,
 * because recent usage is evidence of life that sets `unreachable` and `availability_low` aside.
 */
export function unwatched(ev: SystemEvidence): SystemEvidence {
  return { ...ev, usage: { sources: [], days: [] } };
}
