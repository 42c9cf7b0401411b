import { flag } from '../rules/context.js';
import type { FlagRule } from '../rules/types.js';

// mlps_missing: no classified-protection (等保) level on record.
export const mlpsFlag: FlagRule = {
  codes: ['mlps_missing'],
  evaluate: ({ ev }) => (ev.system.mlpsLevel == null ? [flag('mlps_missing', 'flag.mlps_missing', {}, { mlpsLevel: null })] : []),
};
