import { asc, desc, eq, sql } from 'drizzle-orm';
import { DEFAULT_POLICY_VERSION, defaultPolicy, parsePolicy, type Policy } from '../../reports/policy.js';
import { isDay } from '../../reports/dates.js';
import type { Db } from '../db/client.js';
import { policies, systemPolicies, systems } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { textArray } from '../db/sql.js';

/**
 * Classification policies, versioned. Exactly one is active; with none stored, the default policy of
 * shared/policy.md is stored and activated on first use, so every verdict and report names a version
 * that can be read back. Bodies are stored with every default filled in: a version always means the
 * same thresholds.
 */

export interface PolicyDto {
  version: string;
  active: boolean;
  createdAt: string;
  createdBy: string | null;
  body: Policy;
}

type PolicyRow = typeof policies.$inferSelect;

function toDto(r: PolicyRow): PolicyDto {
  return { version: r.version, active: r.active, createdAt: r.createdAt.toISOString(), createdBy: r.createdBy, body: storedPolicy(r) };
}

/** A stored body, parsed; a body that no longer parses is a server fault worth naming. */
function storedPolicy(r: Pick<PolicyRow, 'version' | 'body'>): Policy {
  const parsed = parsePolicy(r.body);
  if (!parsed.ok) throw new AppError('internal', `stored policy ${r.version} is not valid: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return parsed.policy;
}

/** The active policy; stores and activates the default one when no policy is active. */
export async function activePolicy(db: Db): Promise<Policy> {
  const [row] = await db.select().from(policies).where(eq(policies.active, true)).orderBy(desc(policies.id)).limit(1);
  if (row) return storedPolicy(row);
  await db
    .insert(policies)
    .values({ version: DEFAULT_POLICY_VERSION, body: defaultPolicy, active: false, createdBy: 'default' })
    .onConflictDoNothing({ target: policies.version });
  await db.execute(
    sql`update policies set active = true where version = ${DEFAULT_POLICY_VERSION} and not exists (select 1 from policies p where p.active)`,
  );
  const [again] = await db.select().from(policies).where(eq(policies.active, true)).orderBy(desc(policies.id)).limit(1);
  return again ? storedPolicy(again) : defaultPolicy;
}

export async function listPolicies(db: Db): Promise<{ items: PolicyDto[]; active: string | null; effective: string }> {
  const rows = await db.select().from(policies).orderBy(asc(policies.id));
  const active = rows.find((r) => r.active)?.version ?? null;
  return { items: rows.map(toDto), active, effective: active ?? DEFAULT_POLICY_VERSION };
}

export async function getPolicy(db: Db, version: string): Promise<Policy | null> {
  const [row] = await db.select().from(policies).where(eq(policies.version, version));
  if (row) return storedPolicy(row);
  return version === DEFAULT_POLICY_VERSION ? defaultPolicy : null;
}

/** Validates and stores a new policy version (inactive unless `activate`). Wrong types → 400 with field paths. */
export async function createPolicy(db: Db, actor: Actor, input: unknown, opts: { activate?: boolean } = {}): Promise<PolicyDto> {
  const parsed = parsePolicy(input);
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : '';
    throw new AppError('validation_failed', `invalid policy: ${first.path}: ${first.message}${more}`, parsed.errors);
  }
  const policy = parsed.policy;
  return db.transaction(async (tx) => {
    const [exists] = await tx.select({ id: policies.id }).from(policies).where(eq(policies.version, policy.version));
    if (exists) throw new AppError('conflict', `policy version ${policy.version} already exists; versions are immutable, give the new one another version`);
    await tx.insert(policies).values({ version: policy.version, body: policy, active: false, createdBy: actor.principal.name });
    await recordAudit(tx, actor, { action: 'create', entity: 'policy', entityId: policy.version, after: policy });
    if (opts.activate) await activateIn(tx, actor, policy.version);
    const [row] = await tx.select().from(policies).where(eq(policies.version, policy.version));
    return toDto(row!);
  });
}

export async function activatePolicy(db: Db, actor: Actor, version: string): Promise<PolicyDto> {
  return db.transaction(async (tx) => {
    await activateIn(tx, actor, version);
    const [row] = await tx.select().from(policies).where(eq(policies.version, version));
    return toDto(row!);
  });
}

async function activateIn(tx: Db, actor: Actor, version: string): Promise<void> {
  if (version === DEFAULT_POLICY_VERSION) {
    await tx.insert(policies).values({ version, body: defaultPolicy, active: false, createdBy: 'default' }).onConflictDoNothing({ target: policies.version });
  }
  const [row] = await tx.select().from(policies).where(eq(policies.version, version)).for('update');
  if (!row) throw notFound(`policy ${version}`);
  const [before] = await tx.select({ version: policies.version }).from(policies).where(eq(policies.active, true));
  // One statement: exactly one active policy at every instant.
  await tx.update(policies).set({ active: sql`(${policies.version} = ${version})` });
  await recordAudit(tx, actor, { action: 'activate', entity: 'policy', entityId: version, before: { active: before?.version ?? null }, after: { active: version } });
}

// ---------------------------------------------------------------------------------------------------
// Per-system policy: season, exemption, duplicates.

export interface SystemPolicyInput {
  season?: string | null;
  exemptUntil?: string | null;
  exemptReason?: string | null;
  duplicates?: string[];
}

export interface SystemPolicyDto {
  systemCode: string;
  season: string | null;
  exemptUntil: string | null;
  exemptReason: string | null;
  duplicates: string[];
  updatedAt: string | null;
}

export async function getSystemPolicy(db: Db, systemId: number, systemCode: string): Promise<SystemPolicyDto> {
  const [row] = await db.select().from(systemPolicies).where(eq(systemPolicies.systemId, systemId));
  return {
    systemCode,
    season: row?.season ?? null,
    exemptUntil: row?.exemptUntil ?? null,
    exemptReason: row?.exemptReason ?? null,
    duplicates: row?.duplicates ?? [],
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

/**
 * Replaces the season, exemption and duplicates of a system (PUT: absent fields are cleared). Duplicates
 * must name other registered systems; an exemption needs a reason.
 */
export async function putSystemPolicy(db: Db, actor: Actor, system: { id: number; code: string }, input: SystemPolicyInput, now: Date): Promise<SystemPolicyDto> {
  const errors: { path: string; message: string }[] = [];
  const season = input.season?.trim() || null;
  const exemptUntil = input.exemptUntil ?? null;
  const exemptReason = input.exemptReason?.trim() || null;
  if (exemptUntil !== null && !isDay(exemptUntil)) errors.push({ path: 'exemptUntil', message: 'must be a day YYYY-MM-DD' });
  if (exemptUntil !== null && !exemptReason) errors.push({ path: 'exemptReason', message: 'an exemption needs a reason' });
  const given = (input.duplicates ?? []).map((d) => d.trim());
  given.forEach((d, i) => {
    if (d === system.code) errors.push({ path: `duplicates[${i}]`, message: 'a system cannot duplicate itself' });
  });
  const duplicates = [...new Set(given.filter((d) => d !== '' && d !== system.code))].sort();
  return db.transaction(async (tx) => {
    if (duplicates.length) {
      const known = new Set((await tx.select({ code: systems.code }).from(systems).where(sql`${systems.code} = any(${textArray(duplicates)})`)).map((r) => r.code));
      given.forEach((d, i) => {
        if (d !== system.code && !known.has(d)) errors.push({ path: `duplicates[${i}]`, message: `no system ${d}` });
      });
    }
    errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (errors.length) throw new AppError('validation_failed', `invalid system policy: ${errors[0]!.path}: ${errors[0]!.message}`, errors);
    const before = await getSystemPolicy(tx, system.id, system.code);
    const values = { season, exemptUntil, exemptReason, duplicates, updatedAt: now };
    await tx
      .insert(systemPolicies)
      .values({ systemId: system.id, ...values })
      .onConflictDoUpdate({ target: systemPolicies.systemId, set: values });
    const after = await getSystemPolicy(tx, system.id, system.code);
    await recordAudit(tx, actor, { action: 'update', entity: 'system_policy', entityId: system.code, before, after });
    return after;
  });
}

/** Sets only the exemption of a system (a "keep" answer), leaving season and duplicates as they are. */
export async function setExemption(db: Db, actor: Actor, system: { id: number; code: string }, until: string, reason: string, now: Date): Promise<void> {
  const before = await getSystemPolicy(db, system.id, system.code);
  await db
    .insert(systemPolicies)
    .values({ systemId: system.id, exemptUntil: until, exemptReason: reason, updatedAt: now })
    .onConflictDoUpdate({ target: systemPolicies.systemId, set: { exemptUntil: until, exemptReason: reason, updatedAt: now } });
  const after = await getSystemPolicy(db, system.id, system.code);
  await recordAudit(db, actor, { action: 'update', entity: 'system_policy', entityId: system.code, before, after });
}
