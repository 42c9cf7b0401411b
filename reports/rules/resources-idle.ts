import { addDays, maxDay, minDay, type Day } from '../dates.js';
import { resourceIdleness } from '../resources.js';
import { reason } from './context.js';
import type { Ctx, Reason, VerdictRule } from './types.js';

// resources_idle (国办发〔2017〕39号 "所占用资源长期处于空闲状态"): every judged cloud resource of the system is
// idle (policy `resources`): semi-zombie; idle in every window of the last `resources.zombieDays` days and
// no usage at all in them: zombie. A system with live usage (any use in those days) is never an idle zombie.

function resourcesIdle(ctx: Ctx): Reason[] {
  const { policy, asOf } = ctx;
  const resources = ctx.ev.resources?.resources ?? [];
  const judged = resources.map((r) => ({ r, i: resourceIdleness(r, policy, asOf) })).filter((x) => x.i.judged);
  if (!judged.length || !judged.every((x) => x.i.current.idle)) return [];
  const usageFrom = addDays(asOf, -(policy.resources.zombieDays - 1));
  const lastUse = maxDay(...ctx.usageRows.filter((u) => u.day >= usageFrom).map((u) => u.day));
  const longIdle = judged.every((x) => x.i.idleLong);
  const zombie = longIdle && lastUse === null;
  const since: Day | null = maxDay(...judged.map((x) => x.i.idleSince).filter((d): d is Day => d !== null)) ?? minDay(...judged.map((x) => x.i.current.from));
  const params = {
    resources: judged.length,
    window: policy.resources.windowDays,
    minIdle: policy.resources.minIdleDays,
    vcpu: round1(judged.reduce((s, x) => s + x.r.vcpu, 0)),
    memoryGb: round1(judged.reduce((s, x) => s + x.r.memoryGb, 0)),
    days: policy.resources.zombieDays,
    cpuMax: policy.resources.idleCpuP95Max,
    netMb: Math.round((policy.resources.idleNetworkBytesMax / 1024 / 1024) * 100) / 100,
  };
  return [
    reason('resources_idle', zombie ? 'zombie' : 'semi_zombie', since, zombie ? 'reason.resources_idle.zombie' : 'reason.resources_idle', params, {
      thresholds: { cpuP95Max: policy.resources.idleCpuP95Max, networkBytesMax: policy.resources.idleNetworkBytesMax, windowDays: policy.resources.windowDays, minIdleDays: policy.resources.minIdleDays },
      resources: judged.map((x) => ({
        externalId: x.r.externalId,
        kind: x.r.kind,
        vcpu: x.r.vcpu,
        memoryGb: x.r.memoryGb,
        idleDays: x.i.current.idleDays,
        evidenceDays: x.i.current.evidenceDays,
        missingDays: x.i.current.missingDays,
        idleLong: x.i.idleLong,
      })),
      idleLong: longIdle,
      lastUsage: lastUse,
    }),
  ];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export const resourcesIdleRule: VerdictRule = { codes: ['resources_idle'], evaluate: resourcesIdle };
