import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { hashToken, principalForTokenHash, type Principal } from '../auth/tokens.js';
import { canonicalBase64url, hmac, type InstanceKeys } from '../auth/keys.js';
import type { AppEnv } from '../http/env.js';
import { isHttps } from './i18n.js';

/**
 * Web sessions without a session table: the cookie holds `{th: sha256 of the bearer token, sid, exp}`
 * signed with the instance key. Each request looks the token hash up again, so revoking the token ends
 * its sessions at once. The ADMIN_TOKEN from the environment is not in the database; its sessions are
 * marked `env` and trusted until they expire (8 h).
 */
export const SESSION_COOKIE = 'xc_session';
export const LOGIN_COOKIE = 'xc_login';
export const SESSION_HOURS = 8;

export interface Session {
  th: string;
  sid: string;
  exp: number;
  env?: 1;
}

export function keysFor(c: Context<AppEnv>): InstanceKeys {
  return c.get('deps').keys;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function signValue(key: Buffer, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${hmac(key, body).toString('base64url')}`;
}

export function verifyValue<T>(key: Buffer, value: string | undefined): T | null {
  if (!value || value.length > 2000) return null;
  const [body, mac, extra] = value.split('.');
  if (!body || !mac || extra !== undefined) return null;
  const given = canonicalBase64url(mac);
  if (!given || !sameBytes(given, hmac(key, body))) return null;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

function cookieOptions(c: Context, path = '/') {
  return { path, httpOnly: true, sameSite: 'Strict' as const, secure: isHttps(c) };
}

export async function startSession(c: Context<AppEnv>, token: string, principal: Principal): Promise<void> {
  const key = await keysFor(c).key('web-session');
  const now = c.get('deps').now();
  const session: Session = {
    th: hashToken(token),
    sid: randomBytes(16).toString('base64url'),
    exp: Math.floor(now.getTime() / 1000) + SESSION_HOURS * 3600,
    ...(principal.tokenId === null ? { env: 1 as const } : {}),
  };
  setCookie(c, SESSION_COOKIE, signValue(key, session), { ...cookieOptions(c), maxAge: SESSION_HOURS * 3600 });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}


/** The signed-in principal and session, or null (no cookie, bad signature, expired, token revoked). */
export async function readSession(c: Context<AppEnv>): Promise<{ session: Session; principal: Principal } | null> {
  const raw = getCookie(c, SESSION_COOKIE);
  if (!raw) return null;
  const key = await keysFor(c).key('web-session');
  const session = verifyValue<Session>(key, raw);
  const now = c.get('deps').now().getTime() / 1000;
  if (!session || typeof session.exp !== 'number' || session.exp <= now || typeof session.th !== 'string' || typeof session.sid !== 'string') return null;
  if (session.env === 1) {
    return { session, principal: { tokenId: null, name: 'ADMIN_TOKEN', role: 'admin', departmentId: null, departmentPath: null, departmentCode: null } };
  }
  const principal = await principalForTokenHash(c.get('deps').db, session.th);
  return principal ? { session, principal } : null;
}

/** Synchronizer token of a session: HMAC of its id, so it is valid exactly as long as the session. */
export async function sessionCsrf(c: Context<AppEnv>, session: Session): Promise<string> {
  return hmac(await keysFor(c).key('web-csrf'), session.sid).toString('base64url');
}

export async function sessionCsrfValid(c: Context<AppEnv>, session: Session, given: unknown): Promise<boolean> {
  if (typeof given !== 'string' || given.length > 100) return false;
  const expected = hmac(await keysFor(c).key('web-csrf'), session.sid);
  return sameBytes(Buffer.from(given, 'base64url'), expected);
}

/** The login form has no session yet: a random cookie and a hidden field derived from it. */
export async function loginCsrf(c: Context<AppEnv>): Promise<string> {
  let nonce = getCookie(c, LOGIN_COOKIE);
  if (!nonce || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
    nonce = randomBytes(16).toString('base64url');
    setCookie(c, LOGIN_COOKIE, nonce, { ...cookieOptions(c, '/login'), maxAge: 3600 });
  }
  return hmac(await keysFor(c).key('login-csrf'), nonce).toString('base64url');
}

export async function loginCsrfValid(c: Context<AppEnv>, given: unknown): Promise<boolean> {
  const nonce = getCookie(c, LOGIN_COOKIE);
  if (!nonce || typeof given !== 'string' || given.length > 100) return false;
  return sameBytes(Buffer.from(given, 'base64url'), hmac(await keysFor(c).key('login-csrf'), nonce));
}
