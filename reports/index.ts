/**
 * The pure reporting core: evidence and policy, classification, findings, the monthly report.
 * No database, no network, no clock: dates come in as parameters.
 */
export * from './codes.js';
export * from './dates.js';
export { canonicalJson, sha256Hex, compareCodeUnits, type JsonValue } from './canonical.js';
export * from './evidence.js';
export * from './policy.js';
export * from './classify.js';
export * from './findings.js';
export * from './monthly/index.js';
