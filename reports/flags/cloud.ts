import { flag } from '../rules/context.js';
import type { FlagRule } from '../rules/types.js';

// not_on_gov_cloud: a system that must run on the government cloud runs elsewhere.
export const cloudFlag: FlagRule = {
  codes: ['not_on_gov_cloud'],
  evaluate({ ev: { system: s } }) {
    if (!(s.cloudRequired && s.deployment !== 'gov_cloud')) return [];
    return [flag('not_on_gov_cloud', 'flag.not_on_gov_cloud', { deployment: s.deployment }, { cloudRequired: true, deployment: s.deployment })];
  },
};
