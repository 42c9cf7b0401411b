/**
 * The compliance flag rules, in the order their flags are listed on a classification. Adding a flag code:
 * a rule file here, its entry in `FLAG_RULES`, the code in `FLAG_CODES` (reports/codes.ts) and its
 * messages in the catalogues.
 */
import type { FlagRule } from '../rules/types.js';
import { cloudFlag } from './cloud.js';
import { inspectionFlag } from './inspection.js';
import { ipv6Flag } from './ipv6.js';
import { mlpsFlag } from './mlps.js';
import { probeBlockedFlag } from './probe-blocked.js';
import { siteInspectionFlag } from './site-inspection.js';

export const FLAG_RULES: readonly FlagRule[] = [cloudFlag, ipv6Flag, mlpsFlag, inspectionFlag, siteInspectionFlag, probeBlockedFlag];
export type { FlagCtx, FlagRule } from '../rules/types.js';
