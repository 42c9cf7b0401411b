/**
 * Xuncha's probe library: pure functions and network probes with their dependencies (resolver, policy,
 * clock) passed in. Probes never throw; failures come back as outcome codes of the contract.
 */
export * from './outcome.js';
export * from './policy.js';
export * from './dns.js';
export * from './content.js';
export * from './time.js';
export * from './concurrency.js';
export * from './connect.js';
export * from './deps.js';
export * from './liveness.js';
export * from './ipv6.js';
export * from './freshness.js';
export * from './usage/index.js';
