import { isIP } from 'node:net';

/**
 * Target policy: which addresses a probe may connect to. It is checked against every address actually
 * connected to (each redirect hop, after DNS), never against an earlier look-up, so DNS rebinding cannot
 * steer a probe to the cloud metadata service.
 */

export interface CidrRule {
  family: 4 | 6;
  /** Network address as an integer of 32 (IPv4) or 128 (IPv6) bits. */
  network: bigint;
  prefix: number;
  /** Text as configured, e.g. `169.254.0.0/16`. */
  text: string;
  /** Why the rule exists, for messages. */
  label?: string;
}

export interface TargetPolicy {
  /** When set, only addresses inside one of these are allowed. */
  allow: readonly CidrRule[] | null;
  /** Always denied, even when also inside the allow list. */
  deny: readonly CidrRule[];
}

export type AddressVerdictCode = 'allowed' | 'denied' | 'not_in_allow_list' | 'invalid_address';

/** Shared between calls (cached): read only. */
export interface AddressVerdict {
  readonly allowed: boolean;
  readonly code: AddressVerdictCode;
  /** Human-readable, e.g. `169.254.169.254 is in 169.254.169.254/32 (cloud metadata)`. */
  readonly reason: string;
}

export class PolicyConfigError extends Error {
  override name = 'PolicyConfigError';
}

/** Denied unless configured otherwise: link-local and the metadata services of the clouds we meet. */
export const DEFAULT_DENY: ReadonlyArray<{ cidr: string; label: string }> = [
  { cidr: '169.254.0.0/16', label: 'IPv4 link-local' },
  { cidr: 'fe80::/10', label: 'IPv6 link-local' },
  { cidr: '169.254.169.254/32', label: 'cloud metadata' },
  { cidr: 'fd00:ec2::254/128', label: 'AWS metadata over IPv6' },
  { cidr: '100.100.100.200/32', label: 'Alibaba Cloud metadata' },
];

const V4_BITS = 32;
const V6_BITS = 128;
const MAPPED_V4_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96
const NAT64_PREFIX = 0x0064ff9bn << 96n; // 64:ff9b::/96
const LOW_32 = 0xffffffffn;

export interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

/** Parses an IPv4 or IPv6 address (brackets and a zone id are accepted); null if not an address. */
export function parseAddress(input: string): ParsedAddress | null {
  let text = input.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const kind = isIP(text);
  if (kind === 4) return { family: 4, value: parseIpv4(text) };
  if (kind === 6) return { family: 6, value: parseIpv6(text) };
  return null;
}

function parseIpv4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseIpv6(text: string): bigint {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = head.lastIndexOf(':');
  if (head.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(head.slice(lastColon + 1));
    head = `${head.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right === undefined ? [] : right ? right.split(':') : [];
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightGroups];
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== null) value = (value & ~LOW_32) | tailV4;
  return value;
}

/**
 * The address a probe effectively reaches: IPv4-mapped IPv6 (`::ffff:169.254.169.254`) is IPv4.
 */
export function canonicalAddress(addr: ParsedAddress): ParsedAddress {
  if (addr.family === 6 && addr.value >> 32n === MAPPED_V4_PREFIX >> 32n) {
    return { family: 4, value: addr.value & LOW_32 };
  }
  return addr;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a host route). Throws PolicyConfigError. */
export function parseCidr(text: string, label?: string): CidrRule {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addrText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const parsed = parseAddress(addrText);
  if (!parsed) throw new PolicyConfigError(`not an IP address in CIDR "${text}"`);
  const bits = parsed.family === 4 ? V4_BITS : V6_BITS;
  const prefixText = slash === -1 ? String(bits) : trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    throw new PolicyConfigError(`bad prefix length in CIDR "${text}"`);
  }
  let family = parsed.family;
  let prefix = Number(prefixText);
  let value = parsed.value;
  // A rule written as ::ffff:a.b.c.d/n means the IPv4 network, since addresses are compared canonically.
  const canonical = canonicalAddress(parsed);
  if (canonical.family === 4 && family === 6 && prefix >= 96) {
    family = 4;
    prefix -= 96;
    value = canonical.value;
  }
  const width = family === 4 ? V4_BITS : V6_BITS;
  const rule: CidrRule = { family, network: value & netmask(width, prefix), prefix, text: trimmed };
  if (label) rule.label = label;
  return rule;
}

function netmask(width: number, prefix: number): bigint {
  const all = (1n << BigInt(width)) - 1n;
  return prefix === 0 ? 0n : (all >> BigInt(width - prefix)) << BigInt(width - prefix);
}

function ruleContains(rule: CidrRule, addr: ParsedAddress): boolean {
  if (rule.family !== addr.family) return false;
  const width = rule.family === 4 ? V4_BITS : V6_BITS;
  return (addr.value & netmask(width, rule.prefix)) === rule.network;
}

/** Splits a comma (or whitespace) separated list of CIDRs; empty or undefined gives []. */
export function parseCidrList(list: string | ReadonlyArray<string> | undefined, variable = 'CIDR list'): CidrRule[] {
  if (list === undefined) return [];
  const items = typeof list === 'string' ? list.split(/[,\s]+/) : list;
  const rules: CidrRule[] = [];
  for (const item of items) {
    if (!item.trim()) continue;
    try {
      rules.push(parseCidr(item));
    } catch (err) {
      throw new PolicyConfigError(`${variable}: ${(err as Error).message}`);
    }
  }
  return rules;
}

export interface TargetPolicyInput {
  /** `PROBE_ALLOW_CIDRS`: when non-empty, only these networks may be probed. */
  allow?: string | ReadonlyArray<string> | undefined;
  /** `PROBE_DENY_CIDRS`: added to the default deny list. */
  deny?: string | ReadonlyArray<string> | undefined;
  /** Keep the link-local and metadata denials (default true; turning them off is for tests only). */
  defaultDeny?: boolean;
  /** Variable names for configuration errors (default PROBE_ALLOW_CIDRS / PROBE_DENY_CIDRS). */
  names?: { allow: string; deny: string };
}

/** Builds the policy. The default denials always stay unless `defaultDeny: false`. */
export function createTargetPolicy(input: TargetPolicyInput = {}): TargetPolicy {
  const allow = parseCidrList(input.allow, input.names?.allow ?? 'PROBE_ALLOW_CIDRS');
  const deny = parseCidrList(input.deny, input.names?.deny ?? 'PROBE_DENY_CIDRS');
  const defaults = input.defaultDeny === false ? [] : DEFAULT_DENY.map((d) => parseCidr(d.cidr, d.label));
  // Frozen: checkAddress caches its verdicts per policy object.
  return Object.freeze({ allow: allow.length > 0 ? Object.freeze(allow) : null, deny: Object.freeze([...defaults, ...deny]) });
}

/** From the environment variables of the contract. Throws PolicyConfigError naming the variable. */
export function targetPolicyFromEnv(env: Record<string, string | undefined> = process.env): TargetPolicy {
  return createTargetPolicy({ allow: env.PROBE_ALLOW_CIDRS, deny: env.PROBE_DENY_CIDRS });
}

/** The longest-prefix rule, which names the reason best (metadata rather than all of link-local). */
function mostSpecific(rules: readonly CidrRule[]): CidrRule | undefined {
  return rules.reduce<CidrRule | undefined>((best, rule) => (!best || rule.prefix > best.prefix ? rule : best), undefined);
}

function describe(rule: CidrRule): string {
  return rule.label ? `${rule.text} (${rule.label})` : rule.text;
}

/**
 * May a probe connect to `ip`? Deny wins over allow. IPv4-mapped IPv6 is judged as IPv4, and the IPv4
 * address inside a NAT64 address (64:ff9b::/96) must pass the deny list too.
 */
export function checkAddress(ip: string, policy: TargetPolicy): AddressVerdict {
  // A sweep asks about the same few addresses thousands of times (twice per probe): remember the
  // answers per policy, a bounded number of them.
  let cache = verdictCache.get(policy);
  if (!cache) verdictCache.set(policy, (cache = new Map()));
  let verdict = cache.get(ip);
  if (!verdict) {
    if (cache.size >= VERDICT_CACHE_SIZE) cache.clear();
    cache.set(ip, (verdict = judgeAddress(ip, policy)));
  }
  return verdict;
}

const VERDICT_CACHE_SIZE = 4096;
const verdictCache = new WeakMap<TargetPolicy, Map<string, AddressVerdict>>();

function judgeAddress(ip: string, policy: TargetPolicy): AddressVerdict {
  const parsed = parseAddress(ip);
  if (!parsed) return { allowed: false, code: 'invalid_address', reason: `"${ip}" is not an IP address` };
  const addr = canonicalAddress(parsed);
  const candidates = [addr];
  if (addr.family === 6 && addr.value >> 32n === NAT64_PREFIX >> 32n) {
    candidates.push({ family: 4, value: addr.value & LOW_32 });
  }
  const denied = mostSpecific(policy.deny.filter((rule) => candidates.some((c) => ruleContains(rule, c))));
  if (denied) return { allowed: false, code: 'denied', reason: `${ip} is in denied ${describe(denied)}` };
  if (policy.allow) {
    const match = mostSpecific(policy.allow.filter((rule) => ruleContains(rule, addr)));
    if (!match) return { allowed: false, code: 'not_in_allow_list', reason: `${ip} is not in PROBE_ALLOW_CIDRS` };
    return { allowed: true, code: 'allowed', reason: `${ip} is in allowed ${describe(match)}` };
  }
  return { allowed: true, code: 'allowed', reason: `${ip} is not denied` };
}
