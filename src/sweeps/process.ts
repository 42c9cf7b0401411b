import { createProbeDeps, type ProbeDeps } from '../../probes/deps.js';
import { PolicyConfigError } from '../../probes/policy.js';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';

/** Probe dependencies from the environment; a bad CIDR or DNS server is a configuration error naming it. */
export function probeDepsFromConfig(config: Config): ProbeDeps {
  try {
    return createProbeDeps(config);
  } catch (e) {
    if (e instanceof PolicyConfigError || e instanceof Error) throw new ConfigError(e.message);
    throw e;
  }
}
