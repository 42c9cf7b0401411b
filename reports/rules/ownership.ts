import { addDays } from '../dates.js';
import { reason } from './context.js';
import type { Ctx, Reason, VerdictRule } from './types.js';

// Ownership rules: owner_unconfirmed, owner_missing, no_maintainer.

const blank = (s: string | null | undefined) => !s || s.trim() === '';

function ownershipReasons(ctx: Ctx): Reason[] {
  const { policy, asOf, ev } = ctx;
  const out: Reason[] = [];
  const own = ev.ownership;
  const dept = ev.department;

  const deadline = own.campaignDeadline ?? null;
  if (own.unconfirmedAfterDeadline && (deadline === null || deadline < asOf)) {
    out.push(
      reason('owner_unconfirmed', policy.severity.owner_unconfirmed, deadline ? addDays(deadline, 1) : null, deadline ? 'reason.owner_unconfirmed' : 'reason.owner_unconfirmed.no_deadline', { deadline: deadline ?? '' }, {
        campaignDeadline: deadline,
        confirmedAt: own.confirmedAt ?? null,
      }),
    );
  }

  const dissolved = dept.dissolvedOn !== null && dept.dissolvedOn <= asOf;
  if (dissolved && !dept.successorCode) {
    out.push(
      reason('owner_missing', 'zombie', dept.dissolvedOn, 'reason.owner_missing.department_dissolved', { department: dept.name ?? dept.code, dissolvedOn: dept.dissolvedOn! }, {
        departmentCode: dept.code,
        dissolvedOn: dept.dissolvedOn,
        successorCode: null,
      }),
    );
  } else if (own.ownerMissing) {
    out.push(reason('owner_missing', policy.severity.owner_missing, null, 'reason.owner_missing', {}, { ownerMissing: true, departmentCode: dept.code }));
  }

  const s = ev.system;
  const contact = s.contact;
  if (blank(s.operatorUnit) && blank(contact?.name) && blank(contact?.phone) && blank(contact?.email)) {
    out.push(reason('no_maintainer', policy.severity.no_maintainer, null, 'reason.no_maintainer', {}, { operatorUnit: null, contact: null }));
  }
  return out;
}

export const ownershipRule: VerdictRule = { codes: ['owner_unconfirmed', 'owner_missing', 'no_maintainer'], evaluate: ownershipReasons };
