import { representativeRole } from '../codes.js';
import { flag } from '../rules/context.js';
import type { FlagRule } from '../rules/types.js';

export const ipv6Flag: FlagRule = {
  codes: ['ipv6_not_ready'],
  evaluate({ ev }) {
    const s = ev.system;
    const ipv6 = ev.ipv6;
    // Measured on the system's representative endpoint (portal, else app, else api). Unmeasured systems are
    // not flagged: that is a gap of the measurement, not the department's doing.
    const represented = representativeRole(s.endpoints.map((e) => e.role)) !== null;
    if (!(s.network === 'internet' && represented && ipv6 && ipv6.grade !== 'ready' && (ipv6.grade as string) !== 'unmeasured')) return [];
    return [
      flag('ipv6_not_ready', 'flag.ipv6_not_ready', { grade: ipv6.grade }, {
        grade: ipv6.grade,
        measuredOn: ipv6.measuredOn,
        secondLevelRate: ipv6.secondLevelRate ?? null,
        thirdLevelRate: ipv6.thirdLevelRate ?? null,
      }),
    ];
  },
};
