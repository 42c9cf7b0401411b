import { randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalBase64url, hmac } from '../auth/keys.js';

/**
 * Department links `/confirm/{token}`. The link is the credential: token = `{campaignDepartmentId}.{expiry}.{mac}`
 * with mac = HMAC-SHA256(link key, `{id}.{nonce}.{expiry}`). The nonce lives only in the database, so
 * rotating it revokes every earlier link of that department, and a token cannot be forged without the key.
 */
export interface LinkClaims {
  campaignDepartmentId: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const TOKEN = /^(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function signLink(key: Buffer, campaignDepartmentId: number, nonce: string, expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const mac = hmac(key, `${campaignDepartmentId}.${nonce}.${exp}`).toString('base64url');
  return `${campaignDepartmentId}.${exp}.${mac}`;
}

/** The claims of a well-formed token, not yet checked against its signature. */
export function parseLink(token: string): (LinkClaims & { mac: Buffer }) | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const mac = canonicalBase64url(m[3]!);
  if (!mac) return null;
  return { campaignDepartmentId: Number(m[1]), expiresAt: Number(m[2]), mac };
}

/** Constant-time check of a parsed token against the department row's current nonce. */
export function linkSignatureValid(key: Buffer, claims: LinkClaims & { mac: Buffer }, nonce: string): boolean {
  const expected = hmac(key, `${claims.campaignDepartmentId}.${nonce}.${claims.expiresAt}`);
  return claims.mac.length === expected.length && timingSafeEqual(claims.mac, expected);
}

/**
 * CSRF tokens of the link pages: a per-page nonce bound to the link token, valid for a working day.
 * The link itself is the credential, so this stops other sites from posting through a known link.
 */
const CSRF_TTL_MS = 12 * 3600_000;

export function linkCsrfToken(key: Buffer, linkToken: string, now: Date): string {
  const ts = now.getTime().toString(36);
  const nonce = randomBytes(9).toString('base64url');
  return `${ts}.${nonce}.${hmac(key, `${linkToken}|${ts}|${nonce}`).toString('base64url')}`;
}

export function linkCsrfValid(key: Buffer, linkToken: string, value: string | undefined, now: Date): boolean {
  const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!m) return false;
  const ts = parseInt(m[1]!, 36);
  const age = now.getTime() - ts;
  if (!(age >= -60_000 && age <= CSRF_TTL_MS)) return false;
  const expected = hmac(key, `${linkToken}|${m[1]}|${m[2]}`);
  const given = canonicalBase64url(m[3]!);
  return given !== null && given.length === expected.length && timingSafeEqual(given, expected);
}
