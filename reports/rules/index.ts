/**
 * The verdict rules, in the order they are evaluated (reasons are sorted afterwards, so the order only
 * matters for readability). Adding a reason code: a rule file here, its entry in `RULES`, the code in
 * `REASON_CODES` (reports/codes.ts) and its messages in the catalogues.
 */
import { certRule } from './cert.js';
import { contentRule } from './content.js';
import { duplicateRule } from './duplicate.js';
import { ownershipRule } from './ownership.js';
import { probeRule } from './probe.js';
import { resourcesIdleRule } from './resources-idle.js';
import { sectionsRule } from './sections.js';
import type { VerdictRule } from './types.js';
import { usageRule } from './usage.js';

export const RULES: readonly VerdictRule[] = [probeRule, usageRule, contentRule, ownershipRule, certRule, duplicateRule, sectionsRule, resourcesIdleRule];

export { answeredProbes, contentUnchangedSince, formatPercent, prepare, reason } from './context.js';
export type { Ctx, Flag, FlagCtx, FlagRule, JsonObject, Life, Message, Reason, VerdictRule } from './types.js';
