import { reason } from './context.js';
import type { Ctx, Reason, VerdictRule } from './types.js';

// duplicate_function: the system was noted as duplicating others' function.

function duplicateReasons(ctx: Ctx): Reason[] {
  const d = ctx.ev.duplicates;
  const of = [...new Set((d?.of ?? []).map((c) => c.trim()).filter((c) => c !== '' && c !== ctx.ev.system.code))].sort();
  if (of.length === 0) return [];
  return [
    reason('duplicate_function', ctx.policy.severity.duplicate_function, d?.notedOn ?? null, 'reason.duplicate_function', { systems: of.join(', ') }, {
      duplicates: of,
      notedOn: d?.notedOn ?? null,
      notedBy: d?.notedBy ?? null,
      note: d?.note ?? null,
    }),
  ];
}

export const duplicateRule: VerdictRule = { codes: ['duplicate_function'], evaluate: duplicateReasons };
